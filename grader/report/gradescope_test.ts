/**
 * Tests for Gradescope's results.json.
 *
 * @module
 */

import assert from "node:assert/strict";
import { sampleResult, sampleSingle, ZOE } from "./_sample_result.ts";
import { formatGradescope, type GradescopeResults, toGradescope } from "./gradescope.ts";

Deno.test("formatGradescope() writes score, time, output and one test per check", () => {
  const results: GradescopeResults = JSON.parse(
    formatGradescope(sampleSingle(ZOE), { hiddenPoints: true }),
  );
  assert.equal(results.score, 55);
  assert.equal(results.execution_time, 2);
  assert.equal(results.output_format, "text");
  assert.equal(results.tests.length, 15);
  const trigger = results.tests.find((t) => t.name === "server.trigger: trigger answered")!;
  assert.deepEqual(
    {
      score: trigger.score,
      max: trigger.max_score,
      status: trigger.status,
      visibility: trigger.visibility,
    },
    { score: 0, max: 15, status: "failed", visibility: "visible" },
  );
  assert.match(trigger.output, /How to fix it: Print the response once/);
  assert.match(trigger.output, /What the grader saw:\n(.|\n)*send "Client Query\\n"/);
  const warn = results.tests.find((t) => t.name.startsWith("server.output"))!;
  assert.deepEqual([warn.status, warn.score, warn.max_score], ["passed", 1, 2]);
});

Deno.test("toGradescope() maps spec visibility and keeps hidden checks out of the summary", () => {
  const results = toGradescope(sampleSingle(ZOE));
  const visibility = (prefix: string) =>
    results.tests.find((t) => t.name.startsWith(prefix))!.visibility;
  assert.equal(visibility("server.robustness"), "hidden");
  assert.equal(visibility("server.concurrency"), "after_due_date");
  assert.equal(visibility("build.server"), "visible");
  assert.match(results.output, /^The first thing to fix: server\.trigger/);
  assert.doesNotMatch(results.output, /robustness|concurrency/);
  assert.match(results.output, /1 check is shown after the due date and 1 check is hidden/);
});

Deno.test("toGradescope() fails skips; a check the grader could not run is no 0-point failure", () => {
  const result = sampleSingle("bob");
  const tests = new Map(toGradescope(result).tests.map((t) => [t.name.split(":")[0], t]));
  assert.equal(tests.get("client.exits")!.status, "failed");
  const fault = tests.get("server.address-filter")!;
  assert.deepEqual([fault.status, fault.score, fault.max_score], [undefined, undefined, undefined]);
  assert.match(fault.output, /^The grader itself could not run this check/);
});

Deno.test("toGradescope() scales the score to the full rubric when the grader could not run a check", () => {
  const result = sampleSingle("bob");
  const bob = result.submissions[0]!;
  assert.deepEqual([bob.score, bob.maxScore], [50, 90], "address-filter (10) left the maximum");
  const all = toGradescope(result, { hiddenPoints: true });
  assert.equal(all.score, 55.56, "50/90 of a 100-point rubric");
  assert.match(all.output, /out of the 90 points that could be graded, scaled to 100/);
  const sum = all.tests.reduce((n, t) => n + (t.score ?? 0), 0);
  assert.equal(sum, 50, "the tests alone would have read 50");
});

Deno.test("toGradescope() gives hidden checks no points unless asked", () => {
  const zoe = sampleSingle(ZOE);
  const results = toGradescope(zoe);
  const hidden = results.tests.find((t) => t.name.startsWith("server.robustness"))!;
  assert.deepEqual([hidden.visibility, hidden.score, hidden.max_score], ["hidden", 0, 0]);
  assert.equal(results.score, 50, "50 of the 95 visible points");
  const asked = toGradescope(zoe, { hiddenPoints: true });
  const counted = asked.tests.find((t) => t.name.startsWith("server.robustness"))!;
  assert.deepEqual([counted.score, counted.max_score], [5, 5]);
});

Deno.test("toGradescope() passes after_published through", () => {
  const result = sampleSingle("alice");
  result.spec.visibility["server.trigger"] = "after_published";
  const results = toGradescope(result);
  const trigger = results.tests.find((t) => t.name.startsWith("server.trigger"))!;
  assert.equal(trigger.visibility, "after_published");
  assert.match(results.output, /1 check is shown when grades are published/);
});

Deno.test("toGradescope() needs exactly one submission, or an id", () => {
  assert.throws(() => toGradescope(sampleResult()), /describe one submission, but this run has 4/);
  assert.equal(toGradescope(sampleResult(), { submissionId: "alice" }).score, 95);
  assert.throws(() => toGradescope(sampleResult(), { submissionId: "nobody" }), RangeError);
});
