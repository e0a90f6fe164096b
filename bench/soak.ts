/**
 * Soak test for flaky checks: grades the fixture corpus (tests/fixtures) R times in the private
 * namespace while a CPU burner (a busy-loop subprocess) occupies one core, then prints
 *
 * - every check whose status changed between rounds (target: none), with the statuses seen and
 *   in which rounds, and the message of the first differing round;
 * - every process left after a round (target: none);
 * - wall time per round.
 *
 * Run: `deno task soak [--rounds R] [--jobs J]` (default 20 rounds, 1 job: the burner takes the
 * other core; `--help` lists the options). Exit status 1 when a check flaked or a process was
 * left, 2 for a usage error, else 0.
 *
 * @module
 */

import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { grade } from "../grader/run/grade.ts";
import { DEFAULT_SPEC } from "../grader/spec.ts";
import type { GradeResult } from "../grader/result.ts";
import { TreeWatcher } from "../tests/hostile/_tree_watcher.ts";
import { exitOnUsageError, parseCommandLine, type Script, wholeNumber } from "./_options.ts";

const FIXTURES = fileURLToPath(new URL("../tests/fixtures", import.meta.url));

const SCRIPT: Script = {
  name: "soak",
  command: "deno task soak",
  usage: `usage: deno task soak [--rounds R] [--jobs J]

Grades the fixture corpus R times in the private namespace while a CPU burner occupies one core,
then lists every check whose status changed between rounds and every process left behind. Exit
status 1 when a check flaked or a process was left, else 0.

  --rounds R   rounds of grading (default 20)
  --jobs J     submissions graded at once (default 1: the burner takes the other core)
  -h, --help   print this help`,
};

/** Reads the command line (see {@linkcode SCRIPT}); a mistake throws a UsageError. */
function readOptions(args: string[]): { rounds: number; jobs: number } {
  const { values } = parseCommandLine(SCRIPT, args, {
    rounds: { type: "string" },
    jobs: { type: "string" },
  });
  return {
    rounds: wholeNumber("--rounds", values.rounds, { fallback: 20, min: 1 }),
    jobs: wholeNumber("--jobs", values.jobs, { fallback: 1, min: 1 }),
  };
}

/** A busy loop on one core, in a process of its own; `stop()` kills it and waits. */
function startBurner(): { pid: number; stop(): Promise<void> } {
  const child = new Deno.Command("/bin/sh", {
    args: ["-c", "while :; do :; done"],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  let stopped: Promise<void> | undefined;
  return {
    pid: child.pid,
    stop() {
      stopped ??= (async () => {
        try {
          child.kill("SIGKILL");
        } catch {
          // already gone
        }
        await child.status;
      })();
      return stopped;
    },
  };
}

function table(headers: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [line(headers), line(headers.map(() => "---")), ...rows.map(line)].join("\n");
}

if (import.meta.main) {
  const { rounds, jobs } = exitOnUsageError(SCRIPT, () => readOptions(Deno.args));
  const names = [...Deno.readDirSync(FIXTURES)].filter((e) => e.isDirectory).map((e) => e.name)
    .sort();
  const refs = names.map((name) => ({ id: name, path: join(FIXTURES, name) }));
  const burner = startBurner();
  const onSignal = () => {
    burner.stop().finally(() => Deno.exit(130));
  };
  Deno.addSignalListener("SIGINT", onSignal);
  const results: GradeResult[] = [];
  const leftovers: { round: number; line: string }[] = [];
  const wall: number[] = [];
  try {
    for (let round = 1; round <= rounds; round++) {
      const watcher = new TreeWatcher();
      const started = performance.now();
      const result = await grade(refs, structuredClone(DEFAULT_SPEC), { isolation: "netns", jobs });
      wall.push(performance.now() - started);
      watcher.sample();
      watcher.stop();
      results.push(result);
      for (const line of watcher.leftovers([burner.pid])) leftovers.push({ round, line });
      console.error(`round ${round}/${rounds}: ${Math.round(wall.at(-1)! / 1000)} s`);
    }
  } finally {
    await burner.stop();
    Deno.removeSignalListener("SIGINT", onSignal);
  }

  // submission id -> check id -> status per round
  const flaky: string[][] = [];
  for (const name of names) {
    const byCheck = new Map<string, { status: string; message: string }[]>();
    for (const result of results) {
      const submission = result.submissions.find((s) => s.id === name)!;
      for (const check of submission.checks) {
        const list = byCheck.get(check.id) ?? [];
        list.push({ status: check.status, message: check.message });
        byCheck.set(check.id, list);
      }
    }
    for (const [check, seen] of byCheck) {
      const statuses = new Set(seen.map((s) => s.status));
      if (statuses.size < 2) continue;
      const example = (status: string) =>
        `${status}: ${seen.find((s) => s.status === status)!.message}`.replaceAll("|", "\\|");
      flaky.push([
        name,
        check,
        seen.map((s) => s.status).join(" "),
        [...statuses].map((st) => example(st).slice(0, 140)).join("<br>"),
      ]);
    }
  }
  const sorted = [...wall].sort((a, b) => a - b);
  console.log(
    `## Soak: ${names.length} fixtures x ${rounds} rounds, jobs ${jobs}, one core busy\n`,
  );
  console.log(
    table([
      "rounds",
      "checks graded",
      "flaky checks",
      "leftover processes",
      "round wall (min / median / max)",
    ], [[
      String(rounds),
      String(
        results.reduce((n, r) => n + r.submissions.reduce((m, s) => m + s.checks.length, 0), 0),
      ),
      String(flaky.length),
      String(leftovers.length),
      `${(sorted[0]! / 1000).toFixed(1)} / ${
        (sorted[Math.floor(sorted.length / 2)]! / 1000).toFixed(1)
      } / ${(sorted.at(-1)! / 1000).toFixed(1)} s`,
    ]]),
  );
  console.log("\n### Checks whose status changed between rounds\n");
  console.log(
    flaky.length
      ? table(["fixture", "check", "status per round", "message per status"], flaky)
      : "none",
  );
  console.log("\n### Processes left after a round\n");
  console.log(
    leftovers.length
      ? table(["round", "process"], leftovers.map((l) => [String(l.round), l.line.slice(0, 160)]))
      : "none",
  );
  Deno.exit(flaky.length || leftovers.length ? 1 : 0);
}
