/**
 * Acceptance of EXERCISE.md §6 (issue 13): the reference solution, graded as a submission
 * (`grader/inputs/reference.ts`, what `deno task grade` with no argument grades), scores full
 * marks with the spec selecting `udp`, `unix-stream`, `unix-dgram`, and `tcp` over IPv6 (in the
 * namespace, and on host loopback through the socket interposer): every check that
 * applies passes, and exactly the checks TRANSPORTS.md says do not apply are `skip`, with its
 * reason.
 * A TCP-only submission (`tests/fixtures/c-correct`) graded under a `udp` spec fails, never
 * `error`, with messages that say the assignment is over UDP.
 *
 * The reference copy carries the run's spec beside its `server.ts` and `client.ts` (the programs
 * get only §6's arguments), as `grade` with no argument makes it (`referenceSubmission(spec)`).
 *
 * Everything runs in the grader's private namespace or on host loopback: no packet leaves the
 * machine. `deno task test` runs this file after the parallel run, with the corpus tests: its
 * check that no process is left looks at this test process's descendants, which other test files
 * running beside it in the same process would add to. The spec gives the programs more time to start and to finish than
 * the default (the reference is TypeScript, and a Deno start-up on a loaded shared machine can
 * take longer than the default 2 s); that only moves deadlines, it changes no verdict.
 *
 * @module
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { grade } from "../grader/run/grade.ts";
import { CHECK_IDS } from "../grader/checks/catalogue.ts";
import { referenceSubmission } from "../grader/inputs/reference.ts";
import { specFromValue } from "../grader/spec.ts";
import type { CheckStatus, SubmissionResult } from "../grader/result.ts";

const C_CORRECT = fileURLToPath(new URL("./fixtures/c-correct", import.meta.url));

/** Longer deadlines for a TypeScript program on a shared machine (see the module doc). */
const TIMEOUTS = { startMs: 10_000, clientMs: 10_000 };

/**
 * One transport the reference is graded over, where, and the checks that do not apply there with
 * the reason their message must give.
 */
interface Case {
  name: string;
  spec: Record<string, unknown>;
  isolation: "netns" | "none";
  skipped: Record<string, RegExp>;
}

const NO_CONNECTIONS = /datagram server has no connections/;
const IPV6 = { serverAddress: "fd00::168", clientAddress: "fd00::2", strangerAddress: "fd00::3" };

const CASES: Case[] = [
  {
    name: "udp",
    spec: { transport: "udp" },
    isolation: "netns",
    skipped: {
      "server.concurrency": NO_CONNECTIONS,
      "client.no-server": /cannot know that no server is there/,
    },
  },
  { name: "unix-stream", spec: { transport: "unix-stream" }, isolation: "netns", skipped: {} },
  {
    name: "unix-dgram",
    spec: { transport: "unix-dgram" },
    isolation: "netns",
    skipped: { "server.concurrency": NO_CONNECTIONS },
  },
  { name: "tcp over IPv6", spec: { transport: "tcp", ...IPV6 }, isolation: "netns", skipped: {} },
  {
    // Host loopback (`--isolation none`): the socket interposer maps the spec's IPv6 addresses to
    // the lane's own loopback addresses, so even the address filter is tried (without the
    // interposer only ::1 exists and it is skip, see TRANSPORTS.md).
    name: "tcp over IPv6 on host loopback",
    spec: { transport: "tcp", ...IPV6 },
    isolation: "none",
    skipped: {},
  },
];

/** The statuses of a submission's checks, by id. */
function statuses(submission: SubmissionResult): Record<string, CheckStatus> {
  return Object.fromEntries(submission.checks.map((c) => [c.id, c.status]));
}

/** A check's message and hint, for assertions on what it says. */
function said(submission: SubmissionResult, id: string): string {
  const check = submission.checks.find((c) => c.id === id)!;
  return `${check.message} ${check.hint ?? ""}`;
}

/** Every check that is not as expected, with its message, for a readable failure. */
function report(submission: SubmissionResult, expected: Record<string, CheckStatus>): string {
  return submission.checks
    .filter((c) => c.status !== expected[c.id])
    .map((c) => `${c.id}: expected ${expected[c.id]}, got ${c.status} (${c.message})`)
    .join("\n");
}

/** Pids of the processes descending from this test process (its grading workers, programs). */
function descendants(): number[] {
  const parents = new Map<number, number>();
  for (const entry of Deno.readDirSync("/proc")) {
    const pid = Number(entry.name);
    if (!Number.isInteger(pid)) continue;
    try {
      const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (fields[0] !== "Z") parents.set(pid, Number(fields[1]));
    } catch {
      // gone meanwhile
    }
  }
  const isDescendant = (pid: number): boolean => {
    for (let p = parents.get(pid); p !== undefined && p > 1; p = parents.get(p)) {
      if (p === Deno.pid) return true;
    }
    return false;
  };
  return [...parents.keys()].filter(isDescendant);
}

for (const c of CASES) {
  const spec = specFromValue({ ...c.spec, timeouts: TIMEOUTS }, `the ${c.name} spec`);
  const usesC = c.name === "udp";
  Deno.test(`the reference solution scores full marks over ${c.name}${usesC ? "; a TCP-only submission fails under udp" : ""}`, async (t) => {
    // The reference's programs get only §6's arguments: its copy carries the run's spec.
    const reference = await referenceSubmission(spec);
    try {
      const submissions = [
        { id: "reference", path: reference.path },
        ...(usesC ? [{ id: "c-correct", path: C_CORRECT }] : []),
      ];
      const result = await grade(submissions, spec, {
        isolation: c.isolation,
        jobs: 2,
        trusted: true,
      });
      assert.equal(result.isolation, c.isolation);
      if (c.isolation === "none") assert.match(result.isolationReason ?? "", /socket interposer/);
      await t.step("every check that applies passes, the others are skip", () => {
        const ref = result.submissions[0]!;
        const expected = Object.fromEntries(
          CHECK_IDS.map((id) => [id, id in c.skipped ? "skip" : "pass"]),
        ) as Record<string, CheckStatus>;
        assert.deepEqual(statuses(ref), expected, report(ref, expected));
        assert.equal(ref.score, ref.maxScore);
        for (const [id, reason] of Object.entries(c.skipped)) {
          assert.match(said(ref, id), reason, id);
        }
      });
      if (usesC) {
        await t.step("a TCP-only submission fails, never error, saying it is over UDP", () => {
          const tcpOnly = result.submissions[1]!;
          const errors = tcpOnly.checks.filter((check) => check.status === "error");
          assert.deepEqual(errors.map((check) => `${check.id}: ${check.message}`), []);
          for (const id of ["server.starts", "client.connects"]) {
            assert.equal(statuses(tcpOnly)[id], "fail", `${id}: ${said(tcpOnly, id)}`);
            assert.match(said(tcpOnly, id), /over UDP/, id);
          }
        });
      }
    } finally {
      await reference.cleanup();
    }
    assert.deepEqual(descendants(), [], "processes left after grading");
  });
}
