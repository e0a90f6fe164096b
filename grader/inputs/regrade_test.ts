/**
 * Tests of choosing what to regrade and merging a regrade back.
 *
 * @module
 */

import assert from "node:assert/strict";
import { type GradeResult, RESULT_SCHEMA, type SubmissionResult } from "../result.ts";
import { DEFAULT_SPEC } from "../spec.ts";
import { idsWithErrors, mergeRegrade, regradeSelection } from "./regrade.ts";

function submission(id: string, status: "pass" | "error", score = 90): SubmissionResult {
  return {
    id,
    path: `class/${id}`,
    language: "c",
    score,
    maxScore: 100,
    durationMs: 10,
    checks: [{
      id: "server.trigger",
      status,
      points: status === "pass" ? 15 : 0,
      maxPoints: 15,
      message: status,
      evidence: {},
      durationMs: 3,
    }],
  };
}

function result(subs: SubmissionResult[], extra: Partial<GradeResult> = {}): GradeResult {
  return {
    schema: RESULT_SCHEMA,
    spec: structuredClone(DEFAULT_SPEC),
    isolation: "netns",
    startedAt: "2025-03-01T10:00:00.000Z",
    durationMs: 60_000,
    submissions: subs,
    ...extra,
  };
}

const earlier = result([
  submission("alice", "pass"),
  submission("bob", "error", 75),
  submission("carol", "error", 60),
]);

Deno.test("idsWithErrors() lists the submissions with a check the grader could not run", () => {
  assert.deepEqual(idsWithErrors(earlier), ["bob", "carol"]);
  assert.deepEqual(idsWithErrors(result([submission("alice", "pass")])), []);
});

Deno.test("regradeSelection() picks them among the given submissions and names the missing", () => {
  const given = [{ id: "alice" }, { id: "bob" }, { id: "dave" }];
  assert.deepEqual(regradeSelection(given, earlier), {
    chosen: [{ id: "bob" }],
    missing: ["carol"],
  });
});

Deno.test("mergeRegrade() replaces the regraded students and keeps the earlier shard", () => {
  const fresh = result([submission("bob", "pass", 100)], {
    startedAt: "2025-03-02T10:00:00.000Z",
  });
  const merged = mergeRegrade({ ...earlier, shard: "2/3" }, fresh, "shard-2.json");
  assert.equal(merged.shard, "2/3");
  assert.deepEqual(merged.submissions.map((s) => [s.id, s.score, s.run?.file]), [
    ["alice", 90, "shard-2.json"],
    ["bob", 100, undefined],
    ["carol", 60, "shard-2.json"],
  ]);
  assert.equal(merged.submissions[0]!.run!.shard, "2/3");
  assert.deepEqual(idsWithErrors(merged), ["carol"]);
});

Deno.test("mergeRegrade() takes the fresh grading even when the earlier run's clock was ahead", () => {
  const fresh = result([submission("bob", "pass", 100)], {
    startedAt: "2025-02-01T10:00:00.000Z",
  });
  const merged = mergeRegrade(earlier, fresh, "result.json");
  assert.equal(merged.submissions.find((s) => s.id === "bob")!.score, 100);
});
