/**
 * Determinism of flood grading: runs the server checks against servers that flood stdout at
 * every rate (as fast as they can, one line per millisecond, no newlines at all, a flood that
 * starts when a client leaves) and against servers that print responses nobody asked for (once
 * at start-up, every 100 ms), R rounds each, idle and then beside CPU burners (busy loops, one per
 * core by default); then grades the flood fixtures of tests/fixtures in the private namespace at
 * `--jobs 1` and `--jobs 2`, idle and loaded. It prints, per server and condition, the statuses
 * seen (target: one set per server across every round, load and job count), the wall time, and
 * how much the server printed (the flood's rate).
 *
 * Run: `deno task bench:flood [--rounds R] [--burners B]` (default 5 rounds, one burner per core).
 * Exit status 1 when a status differed between rounds or conditions, 2 for a usage error, else 0.
 *
 * @module
 */

import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { grade } from "../grader/run/grade.ts";
import { loopbackPlan } from "../grader/sandbox/net_plan.ts";
import { runServerChecks } from "../grader/checks/server_checks.ts";
import type { CheckOutcome } from "../grader/checks/types.ts";
import { DEFAULT_SPEC, type Spec } from "../grader/spec.ts";
import { exitOnUsageError, parseCommandLine, type Script, wholeNumber } from "./_options.ts";

const TESTDATA = fileURLToPath(new URL("../grader/checks/_testdata/", import.meta.url));
const FIXTURES = fileURLToPath(new URL("../tests/fixtures", import.meta.url));

/** The test server's modes measured, with what each does. */
const MODES: [string, string][] = [
  ["spew", "prints a line as fast as it can (one write per line)"],
  ["spewms", "prints a line every millisecond"],
  ["rawflood", "prints 4 KiB of 'x' in a loop, never a newline"],
  ["afterclose", "loops printing 'Received: ' once a client has closed"],
  ["startup", "prints the response once at start-up"],
  ["ticker", "a thread prints the response every 100 ms"],
];

/** The fixtures graded through `grade()`. */
const FLOOD_FIXTURES = [
  "c-spew-server",
  "c-flood-after-close",
  "c-flood-no-newline",
  "c-startup-response",
  "c-background-ticker",
];

const SCRIPT: Script = {
  name: "bench:flood",
  command: "deno task bench:flood",
  usage: `usage: deno task bench:flood [--rounds R] [--burners B]

Runs the server checks R times against servers that flood stdout at every rate or print
responses nobody asked for, idle and beside B CPU burners, then grades the flood fixtures at
--jobs 1 and 2, idle and loaded; prints the statuses seen per server and condition. Exit status 1
when a status differed between rounds or conditions, else 0.

  --rounds R    rounds per server and condition (default 5)
  --burners B   busy loops while loaded (default: one per core)
  -h, --help    print this help`,
};

function readOptions(args: string[]): { rounds: number; burners: number } {
  const { values } = parseCommandLine(SCRIPT, args, {
    rounds: { type: "string" },
    burners: { type: "string" },
  });
  return {
    rounds: wholeNumber("--rounds", values.rounds, { fallback: 5, min: 1 }),
    burners: wholeNumber("--burners", values.burners, {
      fallback: navigator.hardwareConcurrency,
      min: 1,
    }),
  };
}

/** `n` busy loops, each a process of its own; `stop()` kills them and waits. */
function startBurners(n: number): { stop(): Promise<void> } {
  const children = Array.from({ length: n }, () =>
    new Deno.Command("/bin/sh", {
      args: ["-c", "while :; do :; done"],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn());
  return {
    async stop() {
      for (const child of children) {
        try {
          child.kill("SIGKILL");
        } catch {
          // already gone
        }
      }
      await Promise.all(children.map((c) => c.status));
    },
  };
}

/** Statuses of a run as one short string, e.g. `starts=pass … output=fail`. */
function statusLine(checks: { id: string; status: string }[]): string {
  return checks.map((c) => `${c.id.replace(/^[a-z]+\./, "")}=${c.status}`).join(" ");
}

function spec(): Spec {
  return structuredClone(DEFAULT_SPEC) as Spec;
}

/** One row of results: the statuses seen, wall times and output volume. */
interface Row {
  name: string;
  condition: string;
  statuses: string[];
  wallMs: number[];
  printed: string[];
}

function printedWords(outcomes: CheckOutcome[]): string {
  const output = outcomes.find((o) => o.id === "server.output");
  const flood = output?.evidence.flood as
    | { lines: number; bytes: number; check: string }
    | undefined;
  const notCaused = output?.evidence.responsesNotCaused as { count: number } | undefined;
  const parts = [];
  if (flood) parts.push(`${flood.lines} lines / ${flood.bytes} B in ${flood.check}`);
  if (notCaused) parts.push(`${notCaused.count} responses not caused`);
  return parts.join(", ") || "-";
}

async function modeRows(rounds: number, condition: string): Promise<Row[]> {
  const rows: Row[] = [];
  for (const [mode] of MODES) {
    const row: Row = { name: mode, condition, statuses: [], wallMs: [], printed: [] };
    for (let round = 0; round < rounds; round++) {
      const t0 = performance.now();
      const outcomes = await runServerChecks({
        spec: spec(),
        net: loopbackPlan(),
        server: {
          argv: ["/usr/bin/python3", `${TESTDATA}test_server.py`, mode],
          cwd: TESTDATA,
          env: {},
          lineBuffering: "env",
          lineBufferingEnv: { PYTHONUNBUFFERED: "1" },
        },
      });
      row.wallMs.push(performance.now() - t0);
      row.statuses.push(statusLine(outcomes));
      row.printed.push(printedWords(outcomes));
      console.error(
        `${condition} ${mode} round ${round + 1}: ${Math.round(row.wallMs.at(-1)!)} ms`,
      );
    }
    rows.push(row);
  }
  return rows;
}

async function fixtureRows(rounds: number, jobs: number, condition: string): Promise<Row[]> {
  const refs = FLOOD_FIXTURES.map((id) => ({ id, path: join(FIXTURES, id) }));
  const rows = new Map<string, Row>(
    FLOOD_FIXTURES.map((
      id,
    ) => [id, { name: id, condition, statuses: [], wallMs: [], printed: [] }]),
  );
  for (let round = 0; round < rounds; round++) {
    const result = await grade(refs, spec(), { isolation: "netns", jobs });
    for (const s of result.submissions) {
      const row = rows.get(s.id)!;
      row.statuses.push(statusLine(s.checks));
      row.wallMs.push(s.durationMs);
      const output = s.checks.find((c) => c.id === "server.output");
      row.printed.push(output ? `${output.status}` : "-");
    }
    console.error(`${condition} fixtures round ${round + 1} done`);
  }
  return [...rows.values()];
}

function table(headers: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [line(headers), line(headers.map(() => "---")), ...rows.map(line)].join("\n");
}

if (import.meta.main) {
  const { rounds, burners } = exitOnUsageError(SCRIPT, () => readOptions(Deno.args));
  const rows: Row[] = [];
  rows.push(...await modeRows(rounds, "idle"));
  let load = startBurners(burners);
  try {
    rows.push(...await modeRows(rounds, `${burners} burners`));
  } finally {
    await load.stop();
  }
  rows.push(...await fixtureRows(rounds, 1, "idle, jobs 1"));
  rows.push(...await fixtureRows(rounds, 2, "idle, jobs 2"));
  load = startBurners(burners);
  try {
    rows.push(...await fixtureRows(rounds, 2, `${burners} burners, jobs 2`));
  } finally {
    await load.stop();
  }
  // One set of statuses per server, across rounds and conditions.
  const byName = new Map<string, Set<string>>();
  for (const row of rows) {
    const seen = byName.get(row.name) ?? new Set();
    for (const s of row.statuses) seen.add(s);
    byName.set(row.name, seen);
  }
  const differing = [...byName].filter(([, seen]) => seen.size > 1).map(([name]) => name);
  console.log(`## Flood grading: ${rounds} rounds per server and condition\n`);
  console.log(table(
    ["server", "condition", "distinct status sets", "wall ms (min / median / max)", "printed"],
    rows.map((row) => {
      const sorted = [...row.wallMs].sort((a, b) => a - b);
      return [
        row.name,
        row.condition,
        String(new Set(row.statuses).size),
        `${Math.round(sorted[0]!)} / ${Math.round(sorted[Math.floor(sorted.length / 2)]!)} / ${
          Math.round(sorted.at(-1)!)
        }`,
        [...new Set(row.printed)].slice(0, 2).join("; ").slice(0, 120),
      ];
    }),
  ));
  console.log("\n### Statuses per server (across every round and condition)\n");
  console.log(table(
    ["server", "statuses"],
    [...byName].map(([name, seen]) => [name, [...seen].join("<br>")]),
  ));
  console.log(`\nservers whose statuses differed: ${differing.join(", ") || "none"}`);
  Deno.exit(differing.length ? 1 : 0);
}
