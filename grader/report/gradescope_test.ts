/**
 * Tests for Gradescope's results.json.
 *
 * @module
 */

import assert from "node:assert/strict";
import { sampleResult, sampleSingle, ZOE } from "./_sample_result.ts";
import { formatGradescope, type GradescopeResults, toGradescope } from "./gradescope.ts";

Deno.test("formatGradescope() writes score, time, output and one test per check", () => {
  const results: GradescopeResults = JSON.parse(formatGradescope(sampleSingle(ZOE)));
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

Deno.test("toGradescope() fails skips and charged grader errors, passes uncharged ones", () => {
  const result = sampleSingle("bob");
  const statuses = () =>
    new Map(toGradescope(result).tests.map((t) => [t.name.split(":")[0], t.status]));
  assert.equal(statuses().get("client.exits"), "failed");
  assert.equal(statuses().get("server.address-filter"), "passed");
  result.submissions[0]!.checks.find((c) => c.id === "server.address-filter")!.points = 0;
  assert.equal(statuses().get("server.address-filter"), "failed");
  const output =
    toGradescope(result).tests.find((t) => t.name.startsWith("server.address-filter"))!.output;
  assert.match(output, /^The grader itself could not run this check/);
});

Deno.test("toGradescope() needs exactly one submission, or an id", () => {
  assert.throws(() => toGradescope(sampleResult()), /describe one submission, but this run has 4/);
  assert.equal(toGradescope(sampleResult(), { submissionId: "alice" }).score, 100);
  assert.throws(() => toGradescope(sampleResult(), { submissionId: "nobody" }), RangeError);
});
