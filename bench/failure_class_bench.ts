/**
 * A failure-heavy class (issue 14): 100 submissions that are copies of the typical mistakes in
 * `tests/fixtures` (iterative servers, one-shot servers, the article's own code, compile errors,
 * hanging clients), made in a temp folder and graded twice in the private namespace: at the
 * default lanes (adaptive, see `grader/run/lanes.ts`) and at `--jobs 1`. Each run has a fresh
 * build cache of its own, so each pays the same builds. Prints the wall time of each run, the
 * machine (cores, CPU model, load average before and after) and how many check statuses differ
 * between the two runs, which must be 0 (exit status 1 otherwise).
 *
 * Run: `deno task bench:failures [N]` (default 100 submissions).
 *
 * @module
 */

import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { grade, type GradeOptions, type SubmissionRef } from "../grader/run/grade.ts";
import type { GradeResult } from "../grader/result.ts";
import { DEFAULT_SPEC } from "../grader/spec.ts";
import { countArgument, type Script } from "./_options.ts";
import { describeMachine } from "./_machine.ts";

const FIXTURES = fileURLToPath(new URL("../tests/fixtures", import.meta.url));

/** The typical mistakes the class is made of, in turn. */
export const MISTAKES = [
  "c-iterative-blocking",
  "c-one-shot-server",
  "c-article-style",
  "c-compile-error",
  "c-client-hangs",
];

const SCRIPT: Script = {
  name: "failure_class_bench",
  command: "deno task bench:failures",
  usage: `usage: deno task bench:failures [N]

Grades a class of N copies of typical mistakes (${MISTAKES.join(", ")}) at the default
lanes and at --jobs 1, and prints the wall times, the machine and the number of status
differences between the runs (must be 0).

  N            submissions in the class (default 100)
  -h, --help   print this help`,
};

/** Copies every file of folder `from` into a new folder `to` (fixtures are flat folders). */
async function copyFolder(from: string, to: string): Promise<void> {
  await Deno.mkdir(to, { recursive: true });
  for await (const entry of Deno.readDir(from)) {
    if (entry.isFile && entry.name !== "expected.json") {
      await Deno.copyFile(join(from, entry.name), join(to, entry.name));
    }
  }
}

/** Makes the class in `dir`: student i copies mistake i mod 5. */
async function makeFailureClass(dir: string, n: number): Promise<SubmissionRef[]> {
  const refs: SubmissionRef[] = [];
  for (let i = 0; i < n; i++) {
    const id = `s${String(i + 1).padStart(3, "0")}-${MISTAKES[i % MISTAKES.length]}`;
    await copyFolder(join(FIXTURES, MISTAKES[i % MISTAKES.length]!), join(dir, id));
    refs.push({ id, path: join(dir, id) });
  }
  return refs;
}

/** Grades the class with a fresh build cache; the result and the wall time in seconds. */
async function timed(
  refs: SubmissionRef[],
  cacheDir: string,
  options: GradeOptions,
): Promise<{ result: GradeResult; seconds: number; lanes: string }> {
  const started = performance.now();
  const seen: number[] = [];
  const result = await grade(refs, structuredClone(DEFAULT_SPEC), {
    isolation: "netns",
    cacheDir,
    onLanes: (n) => seen.push(n),
    ...options,
  });
  const first = Math.min(options.jobs ?? navigator.hardwareConcurrency, refs.length);
  const lanes = seen.length ? `${first} → ${Math.min(...seen)}–${Math.max(...seen)}` : `${first}`;
  return { result, seconds: (performance.now() - started) / 1000, lanes };
}

/**
 * The checks whose status differs between two runs of the same class, as readable lines; a check
 * that is `error` on one side has that side's message after it (once per submission), so a
 * grader fault is told from a verdict that moved.
 */
export function statusDifferences(a: GradeResult, b: GradeResult): string[] {
  const differences: string[] = [];
  for (const left of a.submissions) {
    const right = b.submissions.find((s) => s.id === left.id);
    let explained = false;
    for (const check of left.checks) {
      const other = right?.checks.find((c) => c.id === check.id);
      if (other?.status === check.status) continue;
      const fault = [check, other].find((c) => c?.status === "error");
      const why: string = fault && !explained ? `: "${fault.message.slice(0, 300)}"` : "";
      explained ||= why !== "";
      differences.push(
        `${left.id} ${check.id}: ${check.status} vs ${other?.status ?? "none"}${why}`,
      );
    }
  }
  return differences;
}

if (import.meta.main) {
  const n = countArgument(SCRIPT, "N", 100);
  const work = await Deno.makeTempDir({ prefix: "sockgrade-failures-" });
  try {
    const refs = await makeFailureClass(join(work, "class"), n);
    const before = describeMachine();
    const adaptive = await timed(refs, join(work, "cache-default"), {});
    const single = await timed(refs, join(work, "cache-jobs1"), { jobs: 1 });
    const differences = statusDifferences(adaptive.result, single.result);
    console.log(
      `Failure-heavy class, ${new Date().toISOString().slice(0, 16)} UTC, ${n} submissions (${
        MISTAKES.join(", ")
      }), isolation ${adaptive.result.isolation}.`,
    );
    console.log(`Machine before: ${before}.`);
    console.log(`Machine after:  ${describeMachine()}.\n`);
    console.log("| run | lanes (start → least–most) | wall | submissions per minute |");
    console.log("| --- | --- | ---: | ---: |");
    for (
      const [name, run] of [["default (adaptive lanes)", adaptive], ["--jobs 1", single]] as const
    ) {
      console.log(
        `| ${name} | ${run.lanes} | ${run.seconds.toFixed(1)} s | ${
          (n / run.seconds * 60).toFixed(0)
        } |`,
      );
    }
    console.log(`\nStatus differences between the two runs: ${differences.length}`);
    for (const line of differences) console.log(`- ${line}`);
    if (differences.length > 0) Deno.exitCode = 1;
  } finally {
    await Deno.remove(work, { recursive: true });
  }
}
