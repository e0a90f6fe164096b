/**
 * Class grading speed (issue 5): makes a class of N submissions (`bench/make_class.ts`: a
 * seeded, deterministic mixture of correct and typical-mistake fixtures in C, C++, Python, Java
 * and TypeScript, without `expected.json` and without the netns-only fixtures), grades it with
 * `grade()` at `--jobs` 1, 2 and the core count, each with the build cache cold (an empty cache
 * folder) and then warm (the same folder again), and prints a markdown table: wall time,
 * throughput, per-submission time (p50, p95), speed-up over jobs 1 cold, cache hits.
 *
 * In the same run it measures the LIMIT per language, on the `<language>-correct` fixture:
 * compiling both programs (cc, c++, one javac call; Python and TypeScript compile nothing) and
 * one client/server exchange on loopback, back to back with no grading (as `grade_bench.ts`
 * does for C). Each submission's time is then compared with its language's limit, and the C
 * submission that is correct with the target (≤ 2.5× the limit): its grade time is the gap
 * between consecutive results in the jobs 1 warm run, the time a teacher waits for it in a class.
 *
 * Run: `deno run -A bench/class_bench.ts [N] [--jobs J,J] [--seed S] [--rounds R]` (task
 * `bench`; defaults: 100 students, jobs 1, 2 and the core count, seed 1, 3 rounds of limits;
 * `--help` lists the options).
 *
 * @module
 */

import { join } from "node:path";
import { grade, type SubmissionRef } from "../grader/run/grade.ts";
import type { GradeResult } from "../grader/result.ts";
import { DEFAULT_SPEC } from "../grader/spec.ts";
import { FROM_CACHE_NOTE, pythonOf, toolchain } from "../grader/submission/build.ts";
import { FIXTURES_DIR } from "./make_class.ts";
import { classSize, makeBenchClass } from "./_class.ts";
import {
  exitOnUsageError,
  parseCommandLine,
  type Script,
  wholeNumber,
  wholeNumbers,
} from "./_options.ts";
import { quantile } from "./_stats.ts";

const SCRIPT: Script = {
  name: "class_bench",
  command: "deno task bench",
  usage: `usage: deno task bench [N] [--jobs J,J] [--seed S] [--rounds R]

Grades a generated class of N submissions at each --jobs value, build cache cold then warm, and
prints markdown tables of the timings against the limit per language.

  N            students in the class (default 100)
  --jobs J,J   submissions graded at once, one run per value (default 1, 2 and the core count)
  --seed S     seed of the class generator (default 1)
  --rounds R   rounds of the limit measurement per language (default 3)
  -h, --help   print this help`,
};

interface Options {
  n: number;
  jobs: number[];
  seed: number;
  rounds: number;
}

/** Reads the command line (see {@linkcode SCRIPT}); a mistake throws a UsageError. */
function readOptions(args: string[]): Options {
  const { values, positionals } = parseCommandLine(SCRIPT, args, {
    jobs: { type: "string" },
    seed: { type: "string" },
    rounds: { type: "string" },
  }, true);
  const cores = navigator.hardwareConcurrency ?? 1;
  return {
    n: classSize(positionals, 100),
    jobs: wholeNumbers("--jobs", values.jobs, { fallback: [...new Set([1, 2, cores])], min: 1 }),
    seed: wholeNumber("--seed", values.seed, { fallback: 1 }),
    rounds: wholeNumber("--rounds", values.rounds, { fallback: 3, min: 1 }),
  };
}

const s = (ms: number) => Number.isNaN(ms) ? "n/a" : `${(ms / 1000).toFixed(2)} s`;

// ---------------------------------------------------------------------------------------------
// The limit: compile + one exchange, no grading.

/** How to compile and start one language's correct fixture (paths relative to it). */
interface Recipe {
  compile: [string, string[]][];
  server: (out: string) => string[];
  client: (out: string) => string[];
}

const PYTHON = await pythonOf(await toolchain()) ?? "python3";

const RECIPES: Record<string, Recipe> = {
  c: {
    compile: ["server", "client"].map((side) => [
      "cc",
      ["-Wall", "-Wextra", "-O1", "-o", `@OUT@/${side}`, `${side}.c`],
    ]),
    server: (out) => [join(out, "server")],
    client: (out) => [join(out, "client")],
  },
  cpp: {
    compile: ["server", "client"].map((side) => [
      "c++",
      ["-Wall", "-Wextra", "-O1", "-o", `@OUT@/${side}`, `${side}.cpp`],
    ]),
    server: (out) => [join(out, "server")],
    client: (out) => [join(out, "client")],
  },
  java: {
    compile: [["javac", ["-d", "@OUT@", "Server.java", "Client.java"]]],
    server: (out) => ["java", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", out, "Server"],
    client: (out) => ["java", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", out, "Client"],
  },
  python: {
    compile: [],
    // The real interpreter, as sockgrade runs it (a version manager's shim takes ~1 s).
    server: () => [PYTHON, "server.py"],
    client: () => [PYTHON, "client.py"],
  },
  typescript: {
    compile: [],
    server: () => [Deno.execPath(), "run", "-A", "server.ts"],
    client: () => [Deno.execPath(), "run", "-A", "client.ts"],
  },
};

const LANGUAGE_OF: Record<string, string> = {
  "c-correct": "c",
  "cpp-correct": "cpp",
  "java-correct": "java",
  "python-correct": "python",
  "ts-correct": "typescript",
};

async function run(argv: string[], cwd: string, timeoutMs = 20_000): Promise<void> {
  const child = new Deno.Command(argv[0]!, {
    args: argv.slice(1),
    cwd,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  try {
    const { code, stderr } = await child.output();
    if (code !== 0) {
      throw new Error(`${argv.join(" ")}: ${new TextDecoder().decode(stderr).trim()}`);
    }
  } finally {
    clearTimeout(timer);
  }
}

/** Compile both programs, then one exchange on loopback: the floor for any grader. */
async function limitOnce(language: string, fixture: string): Promise<number> {
  const recipe = RECIPES[language]!;
  const out = await Deno.makeTempDir({ prefix: "sockgrade-limit-" });
  try {
    const started = performance.now();
    await Promise.all(
      recipe.compile.map(([cmd, args]) =>
        run([cmd, ...args.map((a) => a.replace("@OUT@", out))], fixture)
      ),
    );
    const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (probe.addr as Deno.NetAddr).port;
    probe.close();
    const [cmd, ...args] = recipe.server(out);
    const server = new Deno.Command(cmd!, {
      args: [...args, "127.0.0.1", String(port)],
      cwd: fixture,
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    try {
      for (let ready = false; !ready;) {
        try {
          (await Deno.connect({ hostname: "127.0.0.1", port })).close();
          ready = true;
        } catch {
          await new Promise((r) => setTimeout(r, 1));
        }
      }
      await run([...recipe.client(out), "127.0.0.1", String(port)], fixture);
      return performance.now() - started;
    } finally {
      server.kill("SIGKILL");
      await server.status;
    }
  } finally {
    await Deno.remove(out, { recursive: true });
  }
}

/** The median limit of each language, over `rounds` rounds. */
async function limits(rounds: number): Promise<Map<string, number>> {
  const found = new Map<string, number>();
  for (const [fixture, language] of Object.entries(LANGUAGE_OF)) {
    const times: number[] = [];
    for (let i = 0; i < rounds; i++) {
      times.push(await limitOnce(language, join(FIXTURES_DIR, fixture)));
    }
    found.set(language, quantile(times, 0.5));
  }
  return found;
}

// ---------------------------------------------------------------------------------------------
// Grading runs.

/**
 * CPU seconds used so far by this process and its waited-for descendants (every worker, its
 * namespace and the programs it ran): load-independent, unlike wall time on a shared machine.
 */
async function cpuSeconds(): Promise<number> {
  const stat = await Deno.readTextFile("/proc/self/stat").catch(() => "");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // utime, stime, cutime, cstime are fields 14-17 (1-based), i.e. 11-14 after the name.
  return fields.slice(11, 15).reduce((a, b) => a + Number(b), 0) / 100;
}

interface Run {
  jobs: number;
  /** CPU seconds the run used (see {@linkcode cpuSeconds}). */
  cpuS: number;
  cache: "cold" | "warm";
  wallMs: number;
  result: GradeResult;
  /** When each submission's result arrived, ms after the run started, by submission id. */
  arrivedAt: Map<string, number>;
}

async function gradeRun(
  refs: SubmissionRef[],
  jobs: number,
  cacheDir: string,
  cache: Run["cache"],
): Promise<Run> {
  const arrivedAt = new Map<string, number>();
  const cpuBefore = await cpuSeconds();
  const started = performance.now();
  const result = await grade(refs, structuredClone(DEFAULT_SPEC), {
    jobs,
    cacheDir,
    onResult: (r) => arrivedAt.set(r.id, performance.now() - started),
  });
  const wallMs = performance.now() - started;
  return { jobs, cache, wallMs, cpuS: (await cpuSeconds()) - cpuBefore, result, arrivedAt };
}

/** With one lane, the gap between consecutive results is each submission's whole time. */
function gaps(run: Run): Map<string, number> {
  const order = [...run.arrivedAt].sort((a, b) => a[1] - b[1]);
  return new Map(order.map(([id, at], i) => [id, at - (i ? order[i - 1]![1] : 0)]));
}

async function main(options: Options): Promise<void> {
  await using bench = await makeBenchClass(options.n, {
    seed: options.seed,
    prefix: "sockgrade-class-bench-",
  });
  const { work, plan, refs, fixtureOf } = bench;
  const languageOf = (id: string) => {
    const fixture = fixtureOf.get(id)!;
    return fixture.startsWith("cpp-")
      ? "cpp"
      : fixture.startsWith("c-") || fixture.endsWith("-only")
      ? "c"
      : fixture.startsWith("python-")
      ? "python"
      : fixture.startsWith("java-")
      ? "java"
      : "typescript";
  };
  const mix = new Map<string, number>();
  for (const p of plan) mix.set(languageOf(p.id), (mix.get(languageOf(p.id)) ?? 0) + 1);
  console.error(
    `class of ${plan.length} (seed ${options.seed}): ${
      [...mix].map(([l, k]) => `${k} ${l}`).join(", ")
    }; jobs ${options.jobs.join(", ")}`,
  );

  console.error(`measuring the limit per language (${options.rounds} rounds)…`);
  const limit = await limits(options.rounds);

  const runs: Run[] = [];
  for (const jobs of options.jobs) {
    const cacheDir = join(work, `cache-jobs-${jobs}`);
    for (const cache of ["cold", "warm"] as const) {
      console.error(`grading with jobs ${jobs}, cache ${cache}…`);
      runs.push(await gradeRun(refs, jobs, cacheDir, cache));
    }
  }

  const load = (await Deno.readTextFile("/proc/loadavg").catch(() => "?")).split(" ")
    .slice(0, 3).join(" ");
  const cpu = (await Deno.readTextFile("/proc/cpuinfo").catch(() => ""))
    .match(/model name\s*:\s*(.*)/)?.[1];
  const base = runs[0]!.wallMs;
  const classLimit = plan.reduce((sum, p) => sum + limit.get(languageOf(p.id))!, 0);
  console.log(
    `Class of ${plan.length} (seed ${options.seed}: ${
      [...mix].map(([l, k]) => `${k} ${l}`).join(", ")
    }), ${new Date().toISOString().slice(0, 10)}, ${navigator.hardwareConcurrency} cores (${
      cpu ?? "unknown CPU"
    }), Deno ${Deno.version.deno}, isolation ${
      runs[0]!.result.isolation
    }, load average ${load} at the end.\n`,
  );
  console.log(
    "| jobs | build cache | wall | submissions/min | per submission p50 | p95 | speed-up | wall / Σ limits | cache hits | CPU per submission | CPU ÷ cores |",
  );
  console.log("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const r of runs) {
    const durations = r.result.submissions.map((x) => x.durationMs);
    const hits = r.result.submissions.filter((x) => x.notes?.includes(FROM_CACHE_NOTE)).length;
    console.log(
      `| ${r.jobs} | ${r.cache} | ${s(r.wallMs)} | ${
        (plan.length / (r.wallMs / 60_000)).toFixed(0)
      } | ${s(quantile(durations, 0.5))} | ${s(quantile(durations, 0.95))} | ${
        (base / r.wallMs).toFixed(2)
      }× | ${(r.wallMs / classLimit).toFixed(2)}× | ${hits} | ${
        (r.cpuS / plan.length).toFixed(2)
      } s | ${(r.cpuS / navigator.hardwareConcurrency).toFixed(1)} s |`,
    );
  }

  console.log("\n| language | limit (compile both + one exchange) | submissions |");
  console.log("| --- | ---: | ---: |");
  for (const [language, ms] of limit) {
    console.log(`| ${language} | ${s(ms)} | ${mix.get(language) ?? 0} |`);
  }

  // Per correct submission: its whole time in a one-lane class run against its limit.
  console.log(
    "\n| correct fixture | limit | jobs 1 cold: p50 (ratio) | jobs 1 warm: p50 (ratio) | target |",
  );
  console.log("| --- | ---: | ---: | ---: | ---: |");
  const one = runs.filter((r) => r.jobs === 1);
  for (const [fixture, language] of Object.entries(LANGUAGE_OF)) {
    const ids = plan.filter((p) => p.fixture === fixture).map((p) => p.id);
    if (ids.length === 0) continue;
    const cells = one.map((r) => {
      const g = gaps(r);
      const p50 = quantile(ids.map((id) => g.get(id)!), 0.5);
      return `${s(p50)} (${(p50 / limit.get(language)!).toFixed(1)}×)`;
    });
    while (cells.length < 2) cells.push("n/a");
    console.log(
      `| ${fixture} (${ids.length}) | ${s(limit.get(language)!)} | ${cells.join(" | ")} | ${
        language === "c" ? "≤ 2.5×" : ""
      } |`,
    );
  }
  const best = Math.min(...runs.map((r) => r.wallMs));
  console.log(
    `\nbest wall: ${s(best)} for ${plan.length} submissions (target: 100 in ≤ 40 s${
      plan.length === 100 ? "" : `, ${s(40_000 * plan.length / 100)} for ${plan.length}`
    })`,
  );
  const slowest = [...runs.at(-1)!.result.submissions].sort((a, b) => b.durationMs - a.durationMs)
    .slice(0, 5);
  console.log(
    `slowest (last run): ${
      slowest.map((x) => `${x.id} (${fixtureOf.get(x.id)}) ${s(x.durationMs)}`).join(", ")
    }`,
  );
}

if (import.meta.main) {
  const options = exitOnUsageError(SCRIPT, () => readOptions(Deno.args));
  try {
    await main(options);
  } catch (error) {
    console.error(`class_bench: ${(error as Error).stack ?? error}`);
    Deno.exitCode = 1;
  }
}
