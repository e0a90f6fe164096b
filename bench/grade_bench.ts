/**
 * Grading speed for one submission (issue 3's target): grades the correct C fixture end to end
 * (build + every check, in the private namespace, as `deno task grade` does) and, in the same
 * run, measures the limit no grader can beat: compiling both programs and one client/server
 * exchange on loopback, back to back with no grading. Also grades a submission whose programs
 * hang at every step, which must finish within 15 s. Prints a markdown table with medians.
 *
 * Each round grades it with the build cache off and then warm (a rerun of an unchanged
 * submission). Run: `deno task bench:grade [rounds]` (default 5 rounds; `--help` prints the usage).
 *
 * @module
 */

import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { grade } from "../grader/run/grade.ts";
import { DEFAULT_SPEC } from "../grader/spec.ts";
import { countArgument, type Script } from "./_options.ts";
import { quantile } from "./_stats.ts";
import { describeMachine } from "./_machine.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const CORRECT = join(ROOT, "tests/fixtures/c-correct");

const SCRIPT: Script = {
  name: "grade_bench",
  command: "deno task bench:grade",
  usage: `usage: deno task bench:grade [ROUNDS]

Grades the correct C fixture end to end (build cache off, then warm) against the limit of
compiling both programs and one exchange, and a submission that hangs at every step; prints a
markdown table of the medians.

  ROUNDS       rounds of measurement (default 5)
  -h, --help   print this help`,
};

const rounds = countArgument(SCRIPT, "ROUNDS", 5);

/** The median of `values`. */
function median(values: number[]): number {
  return quantile(values, 0.5);
}

async function run(cmd: string, args: string[], cwd: string): Promise<void> {
  const { code, stderr } = await new Deno.Command(cmd, { args, cwd, stderr: "piped" }).output();
  if (code !== 0) throw new Error(`${cmd} ${args.join(" ")}: ${new TextDecoder().decode(stderr)}`);
}

/** Compile both programs in parallel, then one exchange: the floor for any grader. */
async function limitOnce(): Promise<number> {
  const dir = await Deno.makeTempDir({ prefix: "sockgrade-bench-" });
  try {
    const started = performance.now();
    await Promise.all(
      ["server", "client"].map((side) =>
        run("cc", ["-Wall", "-Wextra", "-O1", "-o", join(dir, side), `${side}.c`], CORRECT)
      ),
    );
    const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (probe.addr as Deno.NetAddr).port;
    probe.close();
    const server = new Deno.Command(join(dir, "server"), {
      args: ["127.0.0.1", String(port)],
      stdout: "piped",
      stderr: "null",
    }).spawn();
    for (let ready = false; !ready;) {
      try {
        (await Deno.connect({ hostname: "127.0.0.1", port })).close();
        ready = true;
      } catch {
        await new Promise((r) => setTimeout(r, 1));
      }
    }
    await run(join(dir, "client"), ["127.0.0.1", String(port)], dir);
    const elapsed = performance.now() - started;
    server.kill("SIGKILL");
    await server.status;
    await server.stdout.cancel();
    return elapsed;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** A submission whose server never listens and whose client never exits. */
async function hangingSubmission(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "sockgrade-bench-hang-" });
  const forever = "#include <unistd.h>\nint main(void) { for (;;) pause(); }\n";
  await Deno.writeTextFile(join(dir, "server.c"), forever);
  await Deno.writeTextFile(join(dir, "client.c"), forever);
  return dir;
}

/** One grading run: its wall time, the score, and where the time went (ms). */
interface Graded {
  wall: number;
  score: number;
  /** The submission's own time in the worker (copy, build, checks, clean-up). */
  submission: number;
  /** The longer of the two builds. */
  build: number;
  /** The run checks' time in the worker: the submission's time less the build. */
  checks: number;
}

async function gradeOnce(path: string, cache = true): Promise<Graded> {
  const started = performance.now();
  const result = await grade([{ id: "bench", path }], structuredClone(DEFAULT_SPEC), {
    jobs: 1,
    cache,
  });
  const wall = performance.now() - started;
  const s = result.submissions[0]!;
  const build = Math.max(
    ...s.checks.filter((c) => c.id.startsWith("build.")).map((c) => c.durationMs ?? 0),
  );
  return { wall, score: s.score, submission: s.durationMs, build, checks: s.durationMs - build };
}

const machineBefore = describeMachine();
const limits: number[] = [];
const cold: number[] = [];
const warm: number[] = [];
const coldParts: Graded[] = [];
let isolation = "";
for (let i = 0; i < rounds; i++) {
  limits.push(await limitOnce());
  for (const [cache, into] of [[false, cold], [true, warm]] as const) {
    const g = await gradeOnce(CORRECT, cache);
    if (g.score !== 100) throw new Error(`c-correct scored ${g.score}, not 100: fix that first`);
    into.push(g.wall);
    if (!cache) coldParts.push(g);
  }
}
isolation = (await grade([], structuredClone(DEFAULT_SPEC))).isolation;
const hang = await hangingSubmission();
let hangMs: number;
try {
  hangMs = (await gradeOnce(hang)).wall;
} finally {
  await Deno.remove(hang, { recursive: true });
}

const f = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
console.log(
  `Grading speed, ${
    new Date().toISOString().slice(0, 16)
  } UTC, isolation ${isolation}, median of ${rounds} rounds.\nMachine before: ${machineBefore}.\nMachine after:  ${describeMachine()}.\n`,
);
console.log("| what | median | target |");
console.log("| --- | ---: | ---: |");
console.log(`| limit: compile both + one exchange (no grading) | ${f(median(limits))} | |`);
console.log(`| grade c-correct end to end, build cache off | ${f(median(cold))} | |`);
console.log(`| grade c-correct end to end, build cache warm | ${f(median(warm))} | |`);
console.log(
  `| ratio grade (cache off) / limit | ${(median(cold) / median(limits)).toFixed(1)}× | ≤ 2.5× |`,
);
console.log(`| grade a submission that hangs at every step | ${f(hangMs)} | ≤ 15 s |`);
const part = (pick: (g: Graded) => number) => f(median(coldParts.map(pick)));
console.log(`\nWhere a cold grading run's time goes (medians):\n`);
console.log("| part | median |");
console.log("| --- | ---: |");
console.log(
  `| outside the submission: machine checks, worker start-up, reply, teardown | ${
    part((g) => g.wall - g.submission)
  } |`,
);
console.log(`| build (the longer of the two, in parallel) | ${part((g) => g.build)} |`);
console.log(`| run checks, copy and clean-up (submission less build) | ${part((g) => g.checks)} |`);
