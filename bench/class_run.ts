/**
 * Class-scale run: makes a synthetic class (`bench/make_class.ts`, default 300 students) in a
 * temp folder and grades it the way a teacher does, through the CLI, with every class report at
 * once:
 *
 * ```sh
 * deno run -A main.ts grade CLASS --jobs J --quiet \
 *   --json class.json --junit class.xml --csv class.csv --html html/
 * ```
 *
 * It then prints a markdown table: wall time, submissions per minute, the per-submission grading
 * time (median, p90, max, from the JSON's `durationMs`), the isolation mode, the grader's peak
 * memory, how many scored full marks, and the size of each report. Everything is removed at the
 * end unless `--keep` is given.
 *
 * Run: `deno run -A bench/class_run.ts [N] [--jobs J] [--seed S] [--isolation MODE] [--keep]`
 * (`--help` lists the options).
 *
 * @module
 */

import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { classSize, makeBenchClass } from "./_class.ts";
import { exitOnUsageError, oneOf, parseCommandLine, type Script, wholeNumber } from "./_options.ts";
import { quantile } from "./_stats.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

const SCRIPT: Script = {
  name: "class_run",
  command: "deno run -A bench/class_run.ts",
  usage:
    `usage: deno run -A bench/class_run.ts [N] [--jobs J] [--seed S] [--isolation MODE] [--keep]

Grades a generated class of N submissions through the CLI with every class report at once and
prints a markdown table of the figures.

  N                  students in the class (default 300)
  --jobs J           submissions graded at once (default: the grader's, the core count)
  --seed S           seed of the class generator (default 1)
  --isolation MODE   auto, netns or none, passed to the grader (default auto)
  --keep             keep the class and the reports, and print where they are
  -h, --help         print this help`,
};

interface Options {
  n: number;
  jobs?: number;
  seed: number;
  isolation: string;
  keep: boolean;
}

/** Reads the command line (see {@linkcode SCRIPT}); a mistake throws a UsageError. */
function readOptions(args: string[]): Options {
  const { values, positionals } = parseCommandLine(SCRIPT, args, {
    jobs: { type: "string" },
    seed: { type: "string" },
    isolation: { type: "string" },
    keep: { type: "boolean" },
  }, true);
  return {
    n: classSize(positionals, 300),
    jobs: wholeNumber("--jobs", values.jobs, { min: 1 }),
    seed: wholeNumber("--seed", values.seed, { fallback: 1 }),
    isolation: oneOf("--isolation", values.isolation, ["auto", "netns", "none"], "auto"),
    keep: values.keep ?? false,
  };
}

async function sizeOf(path: string): Promise<number> {
  const info = await Deno.stat(path);
  if (!info.isDirectory) return info.size;
  let total = 0;
  for await (const entry of Deno.readDir(path)) total += await sizeOf(join(path, entry.name));
  return total;
}

function kib(bytes: number): string {
  return bytes >= 1 << 20
    ? `${(bytes / (1 << 20)).toFixed(1)} MiB`
    : `${Math.ceil(bytes / 1024)} KiB`;
}

/** Peak resident memory of a process (VmHWM), in bytes, or 0 when it has ended. */
async function peakRss(pid: number): Promise<number> {
  try {
    const status = await Deno.readTextFile(`/proc/${pid}/status`);
    const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
    return kb * 1024;
  } catch {
    return 0;
  }
}

interface Submission {
  id: string;
  score: number;
  maxScore: number;
  durationMs: number;
  checks: { id: string; status: string; message: string }[];
}

async function main(options: Options): Promise<void> {
  await using bench = await makeBenchClass(options.n, {
    seed: options.seed,
    prefix: "sockgrade-class-",
    keep: options.keep,
  });
  const { work, dir: classDir, plan, fixtureOf, madeMs } = bench;
  const out = join(work, "out");
  await Deno.mkdir(out);
  const files = {
    json: join(out, "class.json"),
    junit: join(out, "class.xml"),
    csv: join(out, "class.csv"),
    html: join(out, "html"),
  };
  const args = [
    "run",
    "-A",
    join(ROOT, "main.ts"),
    "grade",
    classDir,
    "--quiet",
    "--isolation",
    options.isolation,
    "--json",
    files.json,
    "--junit",
    files.junit,
    "--csv",
    files.csv,
    "--html",
    files.html,
    ...(options.jobs ? ["--jobs", String(options.jobs)] : []),
  ];
  console.error(`grading ${plan.length} students: deno ${args.join(" ")}`);
  const started = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT,
    stdin: "null",
    stdout: "inherit",
    stderr: "inherit",
  }).spawn();
  // VmHWM is a high-water mark: sampling it now and then before the process exits is enough.
  let peak = 0;
  let running = true;
  const sampler = (async () => {
    while (running) {
      peak = Math.max(peak, await peakRss(child.pid));
      await new Promise((r) => setTimeout(r, 500));
    }
  })();
  const status = await child.status;
  running = false;
  await sampler;
  const wallMs = performance.now() - started;
  if (!status.success) throw new Error(`grading exited with status ${status.code}`);

  const result = JSON.parse(await Deno.readTextFile(files.json)) as {
    isolation: string;
    isolationReason?: string;
    durationMs: number;
    submissions: Submission[];
  };
  const durations = result.submissions.map((s) => s.durationMs);
  const full = result.submissions.filter((s) => s.score === s.maxScore).length;
  const errors = result.submissions.filter((s) => s.checks.some((c) => c.status === "error"));
  const jobs = options.jobs ?? navigator.hardwareConcurrency;
  const rows: [string, string][] = [
    ["students", String(result.submissions.length)],
    ["jobs", `${jobs} (${navigator.hardwareConcurrency} cores)`],
    [
      "isolation",
      result.isolation + (result.isolationReason ? ` (${result.isolationReason})` : ""),
    ],
    ["class made in", `${(madeMs / 1000).toFixed(1)} s`],
    ["wall time (CLI, all reports)", `${(wallMs / 1000).toFixed(1)} s`],
    [
      "throughput",
      `${(result.submissions.length / (wallMs / 60000)).toFixed(1)} submissions/min`,
    ],
    ["per submission: median", `${(quantile(durations, 0.5) / 1000).toFixed(2)} s`],
    ["per submission: p90", `${(quantile(durations, 0.9) / 1000).toFixed(2)} s`],
    ["per submission: max", `${(Math.max(...durations) / 1000).toFixed(2)} s`],
    ["grader peak RSS (main process)", peak ? kib(peak) : "n/a"],
    ["full marks", `${full} of ${result.submissions.length}`],
    ["submissions with a grader error", String(errors.length)],
    ["JSON", kib(await sizeOf(files.json))],
    ["JUnit", kib(await sizeOf(files.junit))],
    ["CSV", kib(await sizeOf(files.csv))],
    ["HTML", kib(await sizeOf(files.html))],
  ];
  console.log("| figure | value |\n| --- | --- |");
  for (const [k, v] of rows) console.log(`| ${k} | ${v} |`);
  if (errors.length > 0) {
    console.log(`\nsubmissions with a grader error: ${errors.map((s) => s.id).join(", ")}`);
    const reasons = new Map<string, number>();
    for (const s of errors) {
      for (const c of s.checks.filter((c) => c.status === "error")) {
        const key = `${c.id}: ${c.message.slice(0, 160)}`;
        reasons.set(key, (reasons.get(key) ?? 0) + 1);
      }
    }
    console.log("grader errors by check and message:");
    for (const [reason, count] of [...reasons].sort((a, b) => b[1] - a[1]).slice(0, 8)) {
      console.log(`${String(count).padStart(5)}  ${reason}`);
    }
  }
  const slowest = [...result.submissions].sort((a, b) => b.durationMs - a.durationMs)
    .slice(0, 5);
  console.log(
    "\nslowest: " +
      slowest.map((s) => `${s.id} (${fixtureOf.get(s.id)}) ${(s.durationMs / 1000).toFixed(1)} s`)
        .join(", "),
  );
  if (options.keep) console.log(`\nkept: ${work}`);
}

if (import.meta.main) {
  const options = exitOnUsageError(SCRIPT, () => readOptions(Deno.args));
  try {
    await main(options);
  } catch (error) {
    console.error(`class_run: ${(error as Error).message}`);
    Deno.exitCode = 1;
  }
}
