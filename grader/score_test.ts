/** Tests for scoring: rubric points, partial credit for warnings, errors never charged. */

import assert from "node:assert/strict";
import { hasFullMarks, scoreSubmission } from "./score.ts";
import { DEFAULT_SPEC, specFromValue } from "./spec.ts";
import { CHECK_IDS } from "./checks/catalogue.ts";
import type { CheckOutcome } from "./checks/types.ts";
import type { CheckStatus } from "./result.ts";

const all = (status: CheckStatus): CheckOutcome[] =>
  CHECK_IDS.map((id) => ({ id, status, message: status, evidence: {}, durationMs: 0 }));

Deno.test("scoreSubmission() gives 100/100 when every check passes", () => {
  const scored = scoreSubmission(all("pass"), DEFAULT_SPEC);
  assert.equal(scored.score, 100);
  assert.equal(scored.maxScore, 100);
  assert.deepEqual(scored.checks.map((c) => c.id), [...CHECK_IDS]);
});

Deno.test("scoreSubmission() gives nothing for fail and skip", () => {
  assert.equal(scoreSubmission(all("fail"), DEFAULT_SPEC).score, 0);
  assert.equal(scoreSubmission(all("skip"), DEFAULT_SPEC).score, 0);
});

Deno.test("scoreSubmission() takes a grader error out of the maximum", () => {
  const outcomes = all("pass").map((o) =>
    o.id === "server.trigger" ? { ...o, status: "error" as const } : o
  );
  const scored = scoreSubmission(outcomes, DEFAULT_SPEC);
  assert.equal(scored.score, 85);
  assert.equal(scored.maxScore, 85);
});

Deno.test("scoreSubmission() applies a warning's fraction and the spec's points", () => {
  const spec = specFromValue({ points: { "server.output": 10 } });
  const outcomes = all("pass").map((o) =>
    o.id === "server.output" ? { ...o, status: "warn" as const, fraction: 1 / 3 } : o
  );
  const scored = scoreSubmission(outcomes, spec);
  assert.equal(scored.checks.find((c) => c.id === "server.output")!.points, 3.33);
  assert.equal(scored.maxScore, 108);
  assert.equal(scored.score, 101.33);
});

Deno.test("hasFullMarks() needs every point and no check the grader could not run", () => {
  const check = (status: "pass" | "error") => ({
    id: "server.trigger" as const,
    status,
    points: 0,
    maxPoints: 0,
    message: "",
    evidence: {},
    durationMs: 0,
  });
  assert.equal(hasFullMarks({ score: 100, maxScore: 100, checks: [check("pass")] }), true);
  assert.equal(hasFullMarks({ score: 90, maxScore: 90, checks: [check("error")] }), false);
  assert.equal(hasFullMarks({ score: 99, maxScore: 100, checks: [check("pass")] }), false);
  assert.equal(hasFullMarks({ score: 0, maxScore: 0, checks: [] }), false);
});
