/**
 * JUnit XML for CI dashboards (Jenkins, GitLab, GitHub test reporters): one `<testsuite>` per
 * submission (named after the student), one `<testcase classname="<student>" name="<check id>">`
 * per check. `fail` gives `<failure>` (message, then hint and evidence as text), `error` gives
 * `<error>` (the grader could not run it), `skip` gives `<skipped>`, and `warn` passes; its
 * remark goes into the suite's `<system-out>` (Ant's schema allows no output inside a testcase).
 * Counts and times (seconds) are on every suite. `<testsuites>` carries no attributes: Ant's
 * schema allows none and Jenkins' `junit-10.xsd` has no `skipped` there, so per-suite counts are
 * the one form both accept. The output validates against both schemas (kept in `testdata/`,
 * checked with xmllint by junit_test.ts).
 *
 * The XML is built with fast-xml-parser's `XMLBuilder`, which escapes markup; characters XML 1.0
 * cannot carry at all (most control characters) are shown as `\xNN` escapes first.
 *
 * @example
 * ```ts
 * import { formatJunit } from "./junit.ts";
 * import { sampleResult } from "./_sample_result.ts";
 * const xml = formatJunit(sampleResult());
 * if (!xml.includes('<testcase classname="alice" name="server.trigger"')) throw new Error(xml);
 * ```
 * @module
 */

import { XMLBuilder } from "fast-xml-parser";
import type { CheckResult, GradeResult, SubmissionResult } from "../result.ts";
import { evidenceLines } from "./_evidence.ts";
import { formatPoints, terminalSafe } from "./_text.ts";

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: "@",
  textNodeName: "#text",
  format: true,
  indentBy: "  ",
  suppressEmptyNode: true,
});

type Node = Record<string, unknown>;

/** Text safe for XML 1.0 (which cannot contain most control characters even escaped). */
function xmlText(text: string): string {
  // deno-lint-ignore no-control-regex
  return text.replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]/g, (ch) => terminalSafe(ch));
}

/** An attribute value: one line (newlines would be normalised to spaces by XML parsers). */
function attr(text: string): string {
  return terminalSafe(text);
}

function seconds(ms: number): string {
  return (Math.max(0, ms) / 1000).toFixed(3);
}

/** Ant's timestamp form: ISO 8601 without a zone (the time is UTC). */
function timestamp(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toISOString().slice(0, 19);
}

function body(check: CheckResult): string {
  const lines = [`${check.status}: ${check.message}`];
  lines.push(`points: ${formatPoints(check.points)}/${formatPoints(check.maxPoints)}`);
  if (check.hint) lines.push(`hint: ${check.hint}`);
  lines.push(...evidenceLines(check.evidence, { maxLines: 40 }));
  return xmlText(lines.join("\n"));
}

function testcase(student: string, check: CheckResult): Node {
  const node: Node = {
    "@classname": attr(student),
    "@name": check.id,
    "@time": seconds(check.durationMs),
  };
  switch (check.status) {
    case "fail":
      node.failure = { "@message": attr(check.message), "@type": "fail", "#text": body(check) };
      break;
    case "error":
      node.error = {
        "@message": attr(check.message),
        "@type": "grader-error",
        "#text": body(check),
      };
      break;
    case "skip":
      node.skipped = { "@message": attr(check.message) };
      break;
    case "warn":
    case "pass":
      break;
  }
  return node;
}

function counts(checks: readonly CheckResult[]) {
  const count = (status: string) => checks.filter((c) => c.status === status).length;
  return {
    tests: checks.length,
    failures: count("fail"),
    errors: count("error"),
    skipped: count("skip"),
  };
}

function testsuite(result: GradeResult, s: SubmissionResult, index: number): Node {
  const n = counts(s.checks);
  const properties = [
    ["score", formatPoints(s.score)],
    ["maxScore", formatPoints(s.maxScore)],
    ["language", s.language],
    ["path", s.path],
    ["isolation", s.isolation ?? result.isolation],
    ...(s.notes ?? []).map((note) => ["note", note]),
  ].map(([name, value]) => ({ "@name": name, "@value": attr(value!) }));
  return {
    "@name": attr(s.id),
    "@tests": n.tests,
    "@failures": n.failures,
    "@errors": n.errors,
    "@skipped": n.skipped,
    "@time": seconds(s.durationMs),
    "@timestamp": timestamp(result.startedAt),
    "@hostname": "sockgrade",
    "@id": index,
    "@package": "sockgrade",
    properties: { property: properties },
    testcase: s.checks.map((check) => testcase(s.id, check)),
    "system-out": xmlText(
      s.checks.filter((c) => c.status === "warn").map((c) => `${c.id}: ${body(c)}`).join("\n\n"),
    ),
    "system-err": "",
  };
}

/**
 * The result as JUnit XML: `<testsuites>` with one `<testsuite>` per submission, in the order
 * given. Every check is a `<testcase>`; the suite's properties carry score, maxScore, language,
 * path and isolation.
 */
export function formatJunit(result: GradeResult): string {
  const document = {
    "?xml": { "@version": "1.0", "@encoding": "UTF-8" },
    testsuites: {
      testsuite: result.submissions.map((s, i) => testsuite(result, s, i)),
    },
  };
  return builder.build(document);
}
