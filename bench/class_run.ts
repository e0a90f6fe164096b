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
 * Run: `deno run -A bench/class_run.ts [N] [--jobs J] [--seed S] [--isolation MODE] [--keep]`.
 *
 * @module
 */

import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { makeClass } from "./make_class.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

interface Options {
  n: number;
  jobs?: number;
  seed: number;
  isolation: string;
  keep: boolean;
}

function parseArgs(args: string[]): Options {
  const options: Options = { n: 300, seed: 1, isolation: "auto", keep: false };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const value = () => {
      const v = args[++i];
      if (v === undefined) throw new TypeError(`${arg} needs a value.`);
      return v;
    };
    if (arg === "--jobs") options.jobs = Number(value());
    else if (arg === "--seed") options.seed = Number(value());
    else if (arg === "--isolation") options.isolation = value();
    else if (arg === "--keep") options.keep = true;
    else if (/^\d+$/.test(arg)) options.n = Number(arg);
    else throw new TypeError(`Unknown argument ${arg}.`);
  }
  return options;
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
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

async function main(): Promise<void> {
  const options = parseArgs(Deno.args);
  const work = await Deno.makeTempDir({ prefix: "sockgrade-class-" });
  try {
    const classDir = join(work, "class");
    const out = join(work, "out");
    await Deno.mkdir(out);
    const madeAt = performance.now();
    const plan = await makeClass(options.n, classDir, { seed: options.seed });
    const makeMs = performance.now() - madeAt;
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
      ["class made in", `${(makeMs / 1000).toFixed(1)} s`],
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
    const fixtureOf = new Map(plan.map((p) => [p.id, p.fixture]));
    console.log(
      "\nslowest: " +
        slowest.map((s) => `${s.id} (${fixtureOf.get(s.id)}) ${(s.durationMs / 1000).toFixed(1)} s`)
          .join(", "),
    );
    if (options.keep) console.log(`\nkept: ${work}`);
  } finally {
    if (!options.keep) await Deno.remove(work, { recursive: true });
  }
}

if (import.meta.main) {
  try {
    await main();
  } catch (error) {
    console.error(`class_run: ${(error as Error).message}`);
    Deno.exitCode = 1;
  }
}
