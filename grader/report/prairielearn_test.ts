/**
 * Tests for PrairieLearn's results.json.
 *
 * @module
 */

import assert from "node:assert/strict";
import { sampleResult, sampleSingle, ZOE } from "./_sample_result.ts";
import { formatPrairieLearn, type PrairieLearnResults, toPrairieLearn } from "./prairielearn.ts";

Deno.test("formatPrairieLearn() gives a 0..1 score and the visible checks as tests", () => {
  const results: PrairieLearnResults = JSON.parse(formatPrairieLearn(sampleSingle(ZOE)));
  assert.equal(results.gradable, true);
  assert.equal(results.score, 0.55);
  assert.equal(results.tests.length, 13);
  assert.ok(!results.tests.some((t) => /robustness|concurrency/.test(t.name)));
  const trigger = results.tests.find((t) => t.name === "server.trigger: trigger answered")!;
  assert.equal(trigger.points, 0);
  assert.equal(trigger.max_points, 15);
  assert.match(trigger.description, /allowed address/);
  assert.match(trigger.message, /^The server printed "Receive Query" 2 times(.|\n)*How to fix it:/);
  assert.match(trigger.output, /send "Client Query\\n"/);
  assert.match(results.message, /^The first thing to fix: server\.trigger/);
  assert.match(results.message, /1 check is hidden/);
  assert.match(results.output, /^sockgrade: Zoë, O'Brien — 45 of 90 points/);
  assert.ok(!results.output.includes("\x1b"), "no colour codes");
});

Deno.test("toPrairieLearn() leaves a grader error out of the score, and is not gradable only after a failed retry", () => {
  const first = toPrairieLearn(sampleSingle("bob"));
  assert.deepEqual([first.gradable, first.score], [true, 50 / 90]);
  assert.match(
    first.message,
    /Not counted, because the grader itself could not run them: server\.address-filter/,
  );
  const bob = toPrairieLearn(sampleSingle("bob"), { retryFailed: true });
  assert.equal(bob.gradable, false);
  assert.match(
    bob.message,
    /could not be graded(.|\n)*server\.address-filter \(The grader could not bind/,
  );
  const result = sampleSingle("bob");
  result.submissions[0]!.checks.find((c) => c.id === "server.address-filter")!.maxPoints = 0;
  assert.equal(toPrairieLearn(result, { retryFailed: true }).gradable, true);
});

Deno.test("toPrairieLearn() scores a perfect submission 1 and needs one submission", () => {
  const alice = toPrairieLearn(sampleSingle("alice"));
  assert.deepEqual([alice.gradable, alice.score], [true, 1]);
  assert.match(alice.message, /Nothing to fix/);
  assert.throws(
    () => toPrairieLearn(sampleResult()),
    /PrairieLearn results describe one submission/,
  );
});
