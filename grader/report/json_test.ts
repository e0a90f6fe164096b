/**
 * Tests for the `sockgrade/result@1` JSON writer.
 *
 * @module
 */

import assert from "node:assert/strict";
import { CHECK_IDS } from "../checks/catalogue.ts";
import { RESULT_SCHEMA } from "../result.ts";
import { sampleResult } from "./_sample_result.ts";
import { formatJson } from "./json.ts";

Deno.test("formatJson() round-trips the result unchanged", () => {
  const result = sampleResult();
  assert.deepEqual(JSON.parse(formatJson(result)), result);
});

Deno.test("formatJson() writes keys in schema order whatever order the object has", () => {
  const result = sampleResult();
  const shuffled = JSON.parse(JSON.stringify(result), function (_key, value) {
    if (value && typeof value === "object" && !Array.isArray(value)) {
      return Object.fromEntries(Object.entries(value).reverse());
    }
    return value;
  });
  const text = formatJson(shuffled);
  assert.equal(text, formatJson(result));
  const parsed = JSON.parse(text);
  assert.deepEqual(Object.keys(parsed).slice(0, 3), ["schema", "spec", "isolation"]);
  assert.equal(parsed.schema, RESULT_SCHEMA);
  assert.deepEqual(Object.keys(parsed.spec.points), [...CHECK_IDS]);
  assert.deepEqual(Object.keys(parsed.submissions[0]).slice(0, 4), [
    "id",
    "path",
    "language",
    "score",
  ]);
  assert.deepEqual(Object.keys(parsed.submissions[0].checks[0]).slice(0, 2), ["id", "status"]);
  assert.ok(text.startsWith('{\n  "schema": "sockgrade/result@1",\n  "spec": {\n    "trigger"'));
  assert.ok(text.endsWith("}\n"));
});

Deno.test("formatJson() keeps evidence fields it does not know, sorted", () => {
  const result = sampleResult();
  result.submissions[0]!.checks[0]!.evidence = { zeta: 1, alpha: { b: 2, a: 1 }, stdout: "x" };
  const evidence = JSON.parse(formatJson(result)).submissions[0].checks[0].evidence;
  assert.deepEqual(Object.keys(evidence), ["stdout", "alpha", "zeta"]);
  assert.deepEqual(Object.keys(evidence.alpha), ["a", "b"]);
});
