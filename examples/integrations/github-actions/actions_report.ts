/**
 * Turns a sockgrade JSON result (one submission) into what a plain GitHub Actions run shows: the
 * job summary (the score and a table of the checks the student may see, appended to
 * `$GITHUB_STEP_SUMMARY`), one annotation per visible check that failed (`::error`) or warned
 * (`::warning`), on the submission's server or client source when one is found, and the step
 * outputs `score`, `max-score` and `percent` (`max-score` leaves out checks the grader could not
 * run, so `percent` is never lowered by a grader fault). With `--classroom` it also sets `result`
 * (GitHub Classroom's base64 runner result, see ../github-classroom/; that reporter action
 * carries a sunset notice). The run stays green whatever the score, unless `--min-score` is given;
 * when there is no result (sockgrade could not grade), it says so and exits 1.
 *
 * Run: `deno run --allow-read --allow-write --allow-env actions_report.ts RESULT.json
 * [--submission DIR] [--min-score N | N%] [--classroom]`
 *
 * @example
 * ```ts
 * import { annotation } from "./actions_report.ts";
 * const line = annotation("error", "a,b: c", "50% done\nnext", "sub/server.c");
 * if (line !== "::error file=sub/server.c,title=a%2Cb%3A c::50%25 done%0Anext") throw new Error(line);
 * ```
 * @module
 */

import { join, relative } from "node:path";
import { parseArgs } from "node:util";
import type { CheckResult, GradeResult } from "../../../grader/result.ts";
import { percentOf } from "../../../grader/report/_score.ts";
import {
  formatFaultSummary,
  formatSummary,
  onlySubmission,
  parseThreshold,
  toRunnerResult,
} from "../github-classroom/classroom_report.ts";

/** A workflow command's data, escaped as GitHub's runner expects. */
function escapeData(text: string): string {
  return text.replaceAll("%", "%25").replaceAll("\r", "%0D").replaceAll("\n", "%0A");
}

/** A workflow command's property value, escaped as GitHub's runner expects. */
function escapeProperty(text: string): string {
  return escapeData(text).replaceAll(":", "%3A").replaceAll(",", "%2C");
}

/** One `::error`/`::warning` workflow command. */
export function annotation(
  level: "error" | "warning",
  title: string,
  message: string,
  file?: string,
): string {
  const properties = [
    ...(file ? [`file=${escapeProperty(file)}`] : []),
    `title=${escapeProperty(title)}`,
  ];
  return `::${level} ${properties.join(",")}::${escapeData(message)}`;
}

/** The source file a check is about: the first file named like its side (server or client). */
async function sourceFor(check: CheckResult, dir: string | undefined): Promise<string | undefined> {
  const side = /(^|\.)server/.test(check.id)
    ? "server"
    : /(^|\.)client/.test(check.id)
    ? "client"
    : "";
  if (!dir || !side) return undefined;
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (entry.isFile && entry.name.toLowerCase().includes(side)) {
        return relative(Deno.cwd(), join(dir, entry.name));
      }
    }
  } catch {
    return undefined;
  }
  return undefined;
}

async function append(path: string | undefined, text: string): Promise<void> {
  if (path) await Deno.writeTextFile(path, text, { append: true });
}

async function main(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      submission: { type: "string" },
      "min-score": { type: "string" },
      classroom: { type: "boolean", default: false },
    },
  });
  const summaryFile = Deno.env.get("GITHUB_STEP_SUMMARY");
  const outputFile = Deno.env.get("GITHUB_OUTPUT");
  let result: GradeResult;
  try {
    result = JSON.parse(await Deno.readTextFile(positionals[0] ?? ""));
    onlySubmission(result);
  } catch (error) {
    const reason = `sockgrade produced no result: ${(error as Error).message}`;
    await append(summaryFile, formatFaultSummary(reason));
    console.log(annotation("error", "sockgrade", `${reason} See the Grade step's log.`));
    return 1;
  }
  const submission = onlySubmission(result);
  const minScore = parseThreshold(values["min-score"], submission.maxScore);
  await append(summaryFile, formatSummary(result, { minScore }));
  for (const check of submission.checks) {
    if (result.spec.visibility?.[check.id] && result.spec.visibility[check.id] !== "visible") {
      continue;
    }
    if (check.status !== "fail" && check.status !== "warn") continue;
    const file = await sourceFor(check, values.submission);
    const message = check.hint ? `${check.message}\nHow to fix it: ${check.hint}` : check.message;
    console.log(annotation(check.status === "fail" ? "error" : "warning", check.id, message, file));
  }
  const outputs: Record<string, string> = {
    score: String(submission.score),
    "max-score": String(submission.maxScore),
    percent: String(percentOf(submission) ?? ""),
  };
  if (values.classroom) {
    const runner = toRunnerResult(result, { minScore });
    outputs.result = btoa(String.fromCharCode(...new TextEncoder().encode(JSON.stringify(runner))));
  }
  await append(outputFile, Object.entries(outputs).map(([k, v]) => `${k}=${v}\n`).join(""));
  console.log(`score ${submission.score}/${submission.maxScore} (${outputs.percent} %)`);
  if (values["min-score"] !== undefined && submission.score < minScore) {
    console.log(annotation("error", "sockgrade", `The score is below ${values["min-score"]}.`));
    return 1;
  }
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
