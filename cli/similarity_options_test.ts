/**
 * Tests for the copy-detection options of `grade`.
 *
 * @module
 */

import assert from "node:assert/strict";
import { parseThreshold } from "./similarity_options.ts";
import { UsageError } from "../grader/errors/usage_error.ts";

Deno.test("parseThreshold() takes a share or a percentage", () => {
  assert.equal(parseThreshold("0.6"), 0.6);
  assert.equal(parseThreshold("1"), 1);
  assert.equal(parseThreshold("75%"), 0.75);
});

Deno.test("parseThreshold() refuses what is not a share above 0 and at most 1", () => {
  for (const text of ["0", "-0.2", "1.01", "150%", "", "%", "abc", "NaN", "Infinity"]) {
    assert.throws(() => parseThreshold(text), UsageError, text);
  }
});
