/**
 * Turns a sockgrade JSON result (one submission) into what a GitHub Actions run shows:
 *
 * - a job summary (appended to `$GITHUB_STEP_SUMMARY`): the score, whether it reaches the
 *   threshold, and a table of the checks the student may see;
 * - step outputs (appended to `$GITHUB_OUTPUT`): `score`, `max-score`, `passed` (`true` when the
 *   score reaches the threshold), and `result`, the base64 JSON that GitHub Classroom's
 *   `autograding-grading-reporter` action reads from `<RUNNER>_RESULTS` (format `version: 1`:
 *   `status`, `max_score`, `tests[]` with `name`, `status`, `score`, `message`). The reporter
 *   adds up the tests' `score`s and posts `Points S/M` to the run for Classroom to collect, and
 *   fails the job when `status` is `fail`, which this script sets when the score is below the
 *   threshold.
 *
 * Checks the spec marks `hidden` or `after_due_date` are not listed; their points are folded into
 * one "checks not shown" entry so that the total stays right. When the result file is missing or
 * unreadable (sockgrade could not grade), the summary says so and `result` has status `error`
 * with no points (`max_score` 0), so Classroom records nothing rather than a zero.
 *
 * Run: `deno run --allow-read --allow-write --allow-env classroom_report.ts RESULT.json
 * [--min-score N | N%]` (default: full marks). It always exits 0 when it could write its outputs.
 *
 * @example
 * ```ts
 * import { parseThreshold } from "./classroom_report.ts";
 * if (parseThreshold("60%", 50) !== 30 || parseThreshold(undefined, 50) !== 50) {
 *   throw new Error("unexpected");
 * }
 * ```
 * @module
 */

import { checkInfo } from "../../../grader/checks/catalogue.ts";
import type { CheckResult, GradeResult, SubmissionResult } from "../../../grader/result.ts";

/** One test of the reporter's runner result. */
export interface ClassroomTest {
  /** `<check id>: <title>`. */
  name: string;
  /** `pass`, `fail`, or `error` (the grader could not run it). */
  status: "pass" | "fail" | "error";
  /** Points earned (the reporter adds these up). */
  score: number;
  /** The check's message. */
  message: string;
  /** Unused by sockgrade; present because the graders' results carry them. */
  test_code: string;
  /** Unused by sockgrade. */
  filename: string;
  /** Unused by sockgrade. */
  line_no: number;
  /** The check's duration, e.g. `0.31s`. */
  execution_time: string;
}

/** The runner result the Classroom reporter decodes (base64 JSON, `version: 1`). */
export interface ClassroomRunnerResult {
  /** Format version. */
  version: 1;
  /** `pass` at or above the threshold, `fail` below it, `error` when grading failed. */
  status: "pass" | "fail" | "error";
  /** The points possible (0 when nothing could be graded). */
  max_score: number;
  /** One entry per visible check, plus one for the checks not shown. */
  tests: ClassroomTest[];
}

/** Options of the report functions. */
export interface ReportOptions {
  /** The score needed to pass (default: full marks). */
  minScore?: number;
}

/** Parses `--min-score`: points (`60`) or a percentage of the maximum (`60%`). */
export function parseThreshold(text: string | undefined, maxScore: number): number {
  if (text === undefined || text === "") return maxScore;
  const percent = text.endsWith("%");
  const n = Number(percent ? text.slice(0, -1) : text);
  if (!Number.isFinite(n) || n < 0) {
    throw new TypeError(`--min-score takes points (60) or a percentage (60%), not "${text}".`);
  }
  return percent ? (maxScore * n) / 100 : n;
}

function visible(result: GradeResult, check: CheckResult): boolean {
  return (result.spec.visibility?.[check.id] ?? "visible") === "visible";
}

function titleOf(check: CheckResult): string {
  try {
    return checkInfo(check.id).title;
  } catch {
    return check.id;
  }
}

function testStatus(check: CheckResult): ClassroomTest["status"] {
  if (check.status === "error") return "error";
  return check.status === "pass" || check.status === "warn" ? "pass" : "fail";
}

/** The one submission of a result, or a `RangeError` saying what to do. */
export function onlySubmission(result: GradeResult): SubmissionResult {
  if (result.submissions.length !== 1) {
    throw new RangeError(
      `The result holds ${result.submissions.length} submissions; grade exactly one folder (the student's repository).`,
    );
  }
  return result.submissions[0]!;
}

/** The reporter's runner result for a graded submission. */
export function toRunnerResult(
  result: GradeResult,
  options: ReportOptions = {},
): ClassroomRunnerResult {
  const submission = onlySubmission(result);
  const minScore = options.minScore ?? submission.maxScore;
  const tests: ClassroomTest[] = submission.checks.filter((c) => visible(result, c)).map((c) => ({
    name: `${c.id}: ${titleOf(c)}`,
    status: testStatus(c),
    score: c.points,
    message: c.hint ? `${c.message} How to fix it: ${c.hint}` : c.message,
    test_code: "",
    filename: "",
    line_no: 0,
    execution_time: `${(c.durationMs / 1000).toFixed(2)}s`,
  }));
  const hidden = submission.checks.filter((c) => !visible(result, c));
  if (hidden.length > 0) {
    tests.push({
      name: `${hidden.length} check${hidden.length === 1 ? "" : "s"} not shown`,
      status: "pass",
      score: hidden.reduce((sum, c) => sum + c.points, 0),
      message: "These checks are shown after the due date or hidden by your teacher.",
      test_code: "",
      filename: "",
      line_no: 0,
      execution_time: "0s",
    });
  }
  return {
    version: 1,
    status: submission.score >= minScore ? "pass" : "fail",
    max_score: submission.maxScore,
    tests,
  };
}

/** The runner result when sockgrade produced no result. */
export function faultRunnerResult(reason: string): ClassroomRunnerResult {
  return {
    version: 1,
    status: "error",
    max_score: 0,
    tests: [{
      name: "sockgrade",
      status: "error",
      score: 0,
      message: reason,
      test_code: "",
      filename: "",
      line_no: 0,
      execution_time: "0s",
    }],
  };
}

/** Text safe inside a markdown table cell. */
function cell(text: string): string {
  return text.replace(/[\r\n]+/g, " ").replace(/&/g, "&amp;").replace(/</g, "&lt;")
    .replace(/>/g, "&gt;").replace(/\|/g, "\\|");
}

const MARK: Record<string, string> = {
  pass: "✅ pass",
  warn: "⚠️ warn",
  fail: "❌ fail",
  skip: "⏭️ skip",
  error: "🛠️ error",
};

/** The job summary (markdown) for a graded submission. */
export function formatSummary(result: GradeResult, options: ReportOptions = {}): string {
  const submission = onlySubmission(result);
  const minScore = options.minScore ?? submission.maxScore;
  const passed = submission.score >= minScore;
  const shown = submission.checks.filter((c) => visible(result, c));
  const lines = [
    `## sockgrade: ${submission.score} / ${submission.maxScore} points`,
    "",
    passed
      ? `✅ Reaches the required ${minScore} points.`
      : `❌ Below the required ${minScore} points: fix the first failing check, push, and look again.`,
    "",
    "| check | status | points | message |",
    "| --- | --- | ---: | --- |",
    ...shown.map((c) =>
      `| \`${c.id}\` ${cell(titleOf(c))} | ${
        MARK[c.status] ?? c.status
      } | ${c.points}/${c.maxPoints} | ${cell(c.message)} |`
    ),
  ];
  const hidden = submission.checks.length - shown.length;
  if (hidden > 0) {
    lines.push("", `${hidden} more check${hidden === 1 ? " is" : "s are"} not shown yet.`);
  }
  lines.push(
    "",
    `Graded in ${(submission.durationMs / 1000).toFixed(1)} s, isolation \`${result.isolation}\`${
      result.isolationReason ? ` (${cell(result.isolationReason)})` : ""
    }.`,
    "",
  );
  return lines.join("\n");
}

/** The job summary when sockgrade produced no result. */
export function formatFaultSummary(reason: string): string {
  return [
    "## sockgrade could not grade this push",
    "",
    `🛠️ ${cell(reason)}`,
    "",
    "This is a problem with the grader, not a judgement of your work: see the log of the Grade step, and tell your teacher if it happens again.",
    "",
  ].join("\n");
}

/** Appends `name=value` lines to a GitHub output file (values must be one line). */
async function appendOutputs(path: string, outputs: Record<string, string>): Promise<void> {
  const text = Object.entries(outputs).map(([k, v]) => `${k}=${v}\n`).join("");
  await Deno.writeTextFile(path, text, { append: true });
}

function base64(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

async function main(args: string[]): Promise<number> {
  const file = args.find((a) => !a.startsWith("--"));
  const at = args.indexOf("--min-score");
  const threshold = at >= 0 ? args[at + 1] : undefined;
  if (!file || (at >= 0 && threshold === undefined)) {
    console.error("usage: classroom_report.ts RESULT.json [--min-score N|N%]");
    return 2;
  }
  try {
    parseThreshold(threshold, 100);
  } catch (error) {
    console.error(`classroom_report: ${(error as Error).message}`);
    return 2;
  }
  let summary: string;
  let outputs: Record<string, string>;
  try {
    const result = JSON.parse(await Deno.readTextFile(file)) as GradeResult;
    if (result.schema !== "sockgrade/result@1") {
      throw new TypeError(`${file} is not a sockgrade/result@1 file`);
    }
    const submission = onlySubmission(result);
    const minScore = parseThreshold(threshold, submission.maxScore);
    const runner = toRunnerResult(result, { minScore });
    summary = formatSummary(result, { minScore });
    outputs = {
      score: String(submission.score),
      "max-score": String(submission.maxScore),
      passed: String(runner.status === "pass"),
      result: base64(JSON.stringify(runner)),
    };
    console.log(`sockgrade: ${submission.score}/${submission.maxScore} points (need ${minScore})`);
  } catch (error) {
    const reason = error instanceof Deno.errors.NotFound
      ? "sockgrade wrote no result: it stopped before grading finished."
      : `sockgrade's result could not be read: ${(error as Error).message}.`;
    summary = formatFaultSummary(reason);
    outputs = {
      score: "0",
      "max-score": "0",
      passed: "false",
      result: base64(JSON.stringify(faultRunnerResult(reason))),
    };
    console.error(reason);
  }
  const summaryFile = Deno.env.get("GITHUB_STEP_SUMMARY");
  const outputFile = Deno.env.get("GITHUB_OUTPUT");
  if (summaryFile) await Deno.writeTextFile(summaryFile, summary, { append: true });
  else console.log(summary);
  if (outputFile) await appendOutputs(outputFile, outputs);
  return 0;
}

if (import.meta.main) {
  Deno.exitCode = await main(Deno.args);
}
