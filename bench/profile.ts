/**
 * Where grading time goes: grades a lane of N copies of each correct fixture (C, C++, Python,
 * Java, TypeScript; one `--jobs` lane, build cache warm, private namespace) and prints, per
 * language, the wall and CPU time per submission (this process and everything it started), then
 * the median time of each check. Also measures the fixed costs under every submission: a lane's
 * worker start-up, grading a submission that has nothing to build (a missing folder), and
 * starting one program in the sandbox.
 *
 * Run: `deno task bench:profile [N]` (default 10 copies per language).
 *
 * @module
 */

import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { grade, type SubmissionRef } from "../grader/run/grade.ts";
import { runProgram } from "../grader/sandbox/process.ts";
import { DEFAULT_SPEC } from "../grader/spec.ts";
import { countArgument, type Script } from "./_options.ts";
import { quantile } from "./_stats.ts";
import { describeMachine } from "./_machine.ts";

const FIXTURES = fileURLToPath(new URL("../tests/fixtures", import.meta.url));
const LANGUAGES = ["c", "cpp", "python", "java", "ts"];

const SCRIPT: Script = {
  name: "profile",
  command: "deno task bench:profile",
  usage: `usage: deno task bench:profile [N]

Grades N copies of each correct fixture in one lane (cache warm, private namespace) and prints
the wall and CPU time per submission and the median time of each check, per language, with the
fixed costs under every submission.

  N            copies per language (default 10)
  -h, --help   print this help`,
};

const copies = countArgument(SCRIPT, "N", 10);

/** CPU seconds used so far by this process and by its children that ended. */
function cpuSeconds(): number {
  const fields = Deno.readTextFileSync("/proc/self/stat").split(") ")[1]!.split(" ");
  const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0);
  return ticks / 100;
}

/** Grades `refs` in one lane; wall and CPU seconds per submission, and the run. */
async function lane(refs: SubmissionRef[]) {
  const cpu = cpuSeconds();
  const started = performance.now();
  const run = await grade(refs, DEFAULT_SPEC, { jobs: 1, isolation: "netns" });
  return {
    wall: (performance.now() - started) / 1000 / refs.length,
    cpu: (cpuSeconds() - cpu) / refs.length,
    run,
  };
}

function seconds(n: number): string {
  return `${n.toFixed(2)} s`;
}

const machineBefore = describeMachine();
const rows: string[] = [];
const checkRows = new Map<string, string[]>();
for (const language of LANGUAGES) {
  const path = join(FIXTURES, `${language}-correct`);
  const refs = Array.from({ length: copies }, (_, i) => ({ id: `${language}-${i}`, path }));
  await grade(refs.slice(0, 1), DEFAULT_SPEC, { jobs: 1, isolation: "netns" });
  const { wall, cpu, run } = await lane(refs);
  const scores = new Set(run.submissions.map((s) => s.score));
  rows.push(`| ${language} | ${seconds(wall)} | ${seconds(cpu)} | ${[...scores].join(", ")} |`);
  for (const check of run.submissions[0]!.checks) {
    const times = run.submissions.map((s) => s.checks.find((c) => c.id === check.id)!.durationMs);
    const row = checkRows.get(check.id) ?? [];
    row.push(`${Math.round(quantile(times, 0.5))}`);
    checkRows.set(check.id, row);
  }
}

const empty = Array.from(
  { length: copies },
  (_, i) => ({ id: `empty-${i}`, path: "/nonexistent" }),
);
const one = await lane(empty.slice(0, 1));
const many = await lane(empty);
const starts: number[] = [];
const dir = await Deno.makeTempDir({ prefix: "sockgrade-profile-" });
try {
  const cpu = cpuSeconds();
  for (let i = 0; i < 30; i++) {
    const t0 = performance.now();
    await runProgram({ argv: ["/bin/true"], cwd: dir, timeoutMs: 5000 });
    starts.push(performance.now() - t0);
  }
  const startCpu = (cpuSeconds() - cpu) / 30;
  console.log(
    `Profile, ${
      new Date().toISOString().slice(0, 16)
    } UTC, ${copies} copies per language, one lane, cache warm.\nMachine before: ${machineBefore}.\nMachine after:  ${describeMachine()}.\n`,
  );
  console.log("| correct fixture | wall per submission | CPU per submission | scores |");
  console.log("| --- | ---: | ---: | --- |");
  for (const row of rows) console.log(row);
  console.log(`\n| check (median ms) | ${LANGUAGES.join(" | ")} |`);
  console.log(`| --- | ${LANGUAGES.map(() => "---:").join(" | ")} |`);
  for (const [id, row] of checkRows) console.log(`| ${id} | ${row.join(" | ")} |`);
  console.log("\n| fixed cost | wall | CPU |");
  console.log("| --- | ---: | ---: |");
  console.log(
    `| a lane with one submission that has nothing to build (worker start-up included) | ${
      seconds(one.wall)
    } | ${seconds(one.cpu)} |`,
  );
  console.log(
    `| each further such submission in the same lane (fresh network namespace) | ${
      seconds((many.wall * copies - one.wall) / (copies - 1 || 1))
    } | ${seconds((many.cpu * copies - one.cpu) / (copies - 1 || 1))} |`,
  );
  console.log(
    `| one program start in the sandbox (/bin/true, median of 30) | ${
      (quantile(starts, 0.5) / 1000).toFixed(3)
    } s | ${startCpu.toFixed(3)} s |`,
  );
} finally {
  await Deno.remove(dir, { recursive: true });
}
