/**
 * Tests for winnowing.
 *
 * @module
 */

import assert from "node:assert/strict";
import { winnow } from "./winnow.ts";
import { fnv1a } from "../text/hash.ts";

const stream = (n: number, salt: string) => Array.from({ length: n }, (_, i) => `${salt}${i}`);

Deno.test("winnow() finds every shared run of k + window - 1 tokens", () => {
  const k = 5;
  const window = 4;
  for (let offset = 0; offset < 20; offset++) {
    const shared = stream(k + window - 1, `s${offset}-`);
    const a = [...stream(offset, "a"), ...shared, ...stream(7, "b")];
    const b = [...stream(13, "c"), ...shared, ...stream(offset, "d")];
    const inA = new Set(winnow(a, { k, window }).map((f) => f.hash));
    assert.ok(winnow(b, { k, window }).some((f) => inA.has(f.hash)), `offset ${offset}`);
  }
});

Deno.test("winnow() matches no run shorter than k", () => {
  const a = [...stream(30, "a"), "x", "y", "z", ...stream(30, "b")];
  const b = [...stream(30, "c"), "x", "y", "z", ...stream(30, "d")];
  const inA = new Set(winnow(a, { k: 4, window: 3 }).map((f) => f.hash));
  assert.ok(!winnow(b, { k: 4, window: 3 }).some((f) => inA.has(f.hash)));
});

Deno.test("winnow() keeps one fingerprint per window at least, in stream order", () => {
  const prints = winnow(stream(100, "t"), { k: 12, window: 6 });
  const positions = prints.map((f) => f.position);
  assert.deepEqual(positions, [...positions].sort((x, y) => x - y));
  for (let end = 5; end < 89; end++) {
    assert.ok(positions.some((p) => p <= end && p > end - 6), `window ending at ${end}`);
  }
  assert.ok(prints.length < 89 / 2, `${prints.length} fingerprints is no thinning`);
});

Deno.test("winnow() gives nothing for a stream shorter than k, and one window for a short one", () => {
  assert.deepEqual(winnow(stream(11, "t"), { k: 12, window: 6 }), []);
  assert.equal(winnow(stream(13, "t"), { k: 12, window: 6 }).length, 1);
});

Deno.test("winnow() with another seed shares no hashes (languages never match)", () => {
  const tokens = stream(50, "t");
  const c = new Set(winnow(tokens, { k: 12, window: 6, seed: fnv1a("c") }).map((f) => f.hash));
  const java = winnow(tokens, { k: 12, window: 6, seed: fnv1a("java") });
  assert.ok(!java.some((f) => c.has(f.hash)));
});
