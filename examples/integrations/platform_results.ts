/**
 * Grades one submission for Gradescope or PrairieLearn and writes the platform's `results.json`
 * in every case: the entry scripts (`gradescope/run_autograder`, `prairielearn/run.sh`) only set
 * paths and call this program.
 *
 * It runs `sockgrade grade --json` (through `deno task`, the output streamed to stdout and its
 * tail kept), then formats the result with sockgrade's own formatter, loaded from the sockgrade
 * folder at run time, so that this file imports nothing and still works when that folder is
 * missing or broken. For PrairieLearn, a result in which the grader could not run a check worth
 * points is graded once more; only when the retry has such a check too is it `gradable: false`.
 * When sockgrade cannot grade at all, the file explains the fault (Gradescope: score 0 and the
 * log's tail, since it has no "not gradable" state; PrairieLearn: `gradable: false`). Text from
 * the log is decoded leniently (bytes that are not UTF-8 become U+FFFD) and serialised with
 * `JSON.stringify`, so the file is valid JSON whatever the log holds.
 *
 * Usage: `deno run -A platform_results.ts --platform gradescope|prairielearn --sockgrade DIR
 * --submission DIR --out FILE [--spec FILE] [--isolation auto|netns|none] [--hidden-points]`
 *
 * @module
 */

import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

/** The most of the log kept for a fault report, in bytes. */
const LOG_TAIL_BYTES = 64 * 1024;

/** The options this program takes. */
export interface PlatformOptions {
  platform: "gradescope" | "prairielearn";
  sockgrade: string;
  submission: string;
  out: string;
  spec?: string;
  isolation: string;
  hiddenPoints: boolean;
}

interface Graded {
  code: number;
  log: Uint8Array;
  result?: { submissions?: { checks?: { status: string; maxPoints: number }[] }[] };
}

/** Log bytes as printable text: lenient UTF-8, no colour codes or control characters. */
export function logText(bytes: Uint8Array, maxLines = 40): string {
  const text = new TextDecoder("utf-8", { fatal: false }).decode(bytes)
    // deno-lint-ignore no-control-regex
    .replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, "")
    .replace(/\r\n?/g, "\n")
    // deno-lint-ignore no-control-regex
    .replace(/[\x00-\x08\x0b-\x1f\x7f]/g, "");
  return text.trimEnd().split("\n").slice(-maxLines).join("\n");
}

/** Runs `sockgrade grade` once, streaming its output and keeping its tail. */
async function grade(options: PlatformOptions, json: string): Promise<Graded> {
  const args = [
    "task",
    "--quiet",
    "--config",
    `${options.sockgrade}/deno.json`,
    "grade",
    options.submission,
    "--json",
    json,
    "--quiet",
    "--isolation",
    options.isolation,
    ...(options.spec ? ["--spec", options.spec] : []),
  ];
  let tail = new Uint8Array(0);
  const keep = async (stream: ReadableStream<Uint8Array>, to: typeof Deno.stdout) => {
    for await (const chunk of stream) {
      await to.write(chunk);
      const joined = new Uint8Array(tail.length + chunk.length);
      joined.set(tail);
      joined.set(chunk, tail.length);
      tail = joined.slice(-LOG_TAIL_BYTES);
    }
  };
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(Deno.execPath(), {
      args,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).spawn();
  } catch (error) {
    return { code: -1, log: new TextEncoder().encode(String(error)) };
  }
  await Promise.all([keep(child.stdout, Deno.stdout), keep(child.stderr, Deno.stderr)]);
  const { code } = await child.status;
  try {
    return { code, log: tail, result: JSON.parse(await Deno.readTextFile(json)) };
  } catch {
    return { code, log: tail };
  }
}

/** Whether the grader could not run a check worth points. */
function hasFault(graded: Graded): boolean {
  return (graded.result?.submissions ?? []).some((s) =>
    (s.checks ?? []).some((c) => c.status === "error" && c.maxPoints > 0)
  );
}

/** The platform's results.json text for a run sockgrade could not complete. */
export function faultResults(
  platform: PlatformOptions["platform"],
  why: string,
  log: Uint8Array,
  seconds: number,
): string {
  const results = platform === "gradescope"
    ? {
      score: 0,
      execution_time: seconds,
      output:
        `The autograder could not grade this submission (${why}). This is not a judgement of your work: tell your teacher, who will regrade it once the problem is fixed.`,
      output_format: "text",
      test_output_format: "text",
      tests: [{
        name: "sockgrade: grader fault",
        score: 0,
        max_score: 0,
        status: "failed",
        output: logText(log),
        visibility: "visible",
      }],
    }
    : {
      gradable: false,
      score: 0,
      message:
        `The autograder could not grade this submission (${why}). It does not count against you: submit again, and tell your teacher if this happens again.`,
      output: logText(log),
      tests: [],
    };
  return JSON.stringify(results, null, 2) + "\n";
}

/** Formats a completed result with sockgrade's own formatter. */
async function formatted(options: PlatformOptions, graded: Graded, retryFailed: boolean) {
  const file = options.platform === "gradescope" ? "gradescope.ts" : "prairielearn.ts";
  const url = pathToFileURL(resolve(options.sockgrade, "grader/report", file));
  const module = await import(url.href);
  return options.platform === "gradescope"
    ? module.formatGradescope(graded.result, { hiddenPoints: options.hiddenPoints }) as string
    : module.formatPrairieLearn(graded.result, { retryFailed }) as string;
}

/** Grades and writes results.json (atomically); see the module doc. */
export async function writePlatformResults(options: PlatformOptions): Promise<void> {
  const started = Date.now();
  const work = await Deno.makeTempDir({ prefix: "sockgrade-platform-" });
  try {
    let graded = await grade(options, `${work}/result.json`);
    let retryFailed = false;
    if (options.platform === "prairielearn" && graded.code === 0 && hasFault(graded)) {
      console.error("sockgrade could not run a scored check; grading once more.");
      graded = await grade(options, `${work}/retry.json`);
      retryFailed = hasFault(graded);
    }
    let text: string;
    try {
      if (graded.code !== 0 || !graded.result) throw new Error("no result");
      text = await formatted(options, graded, retryFailed);
    } catch (error) {
      const why = graded.code === -1
        ? "sockgrade could not be started"
        : graded.code !== 0
        ? `sockgrade exited with status ${graded.code}`
        : `sockgrade could not format its result: ${
          logText(new TextEncoder().encode(String(error)), 1)
        }`;
      const seconds = Math.round((Date.now() - started) / 1000);
      text = faultResults(options.platform, why, graded.log, seconds);
      console.error(`${why}; wrote a fault report to ${options.out}`);
    }
    const temp = `${options.out}.tmp-${Deno.pid}`;
    await Deno.writeTextFile(temp, text);
    await Deno.rename(temp, options.out);
  } finally {
    await Deno.remove(work, { recursive: true });
  }
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      platform: { type: "string" },
      sockgrade: { type: "string" },
      submission: { type: "string" },
      out: { type: "string" },
      spec: { type: "string" },
      isolation: { type: "string", default: "auto" },
      "hidden-points": { type: "boolean", default: false },
    },
  });
  const platform = values.platform;
  if (
    (platform !== "gradescope" && platform !== "prairielearn") || !values.sockgrade ||
    !values.submission || !values.out
  ) {
    console.error(
      "platform_results: give --platform gradescope|prairielearn, --sockgrade DIR, --submission DIR and --out FILE.",
    );
    Deno.exit(2);
  }
  await writePlatformResults({
    platform,
    sockgrade: values.sockgrade,
    submission: values.submission,
    out: values.out,
    spec: values.spec || undefined,
    isolation: values.isolation ?? "auto",
    hiddenPoints: values["hidden-points"] ?? false,
  });
}
