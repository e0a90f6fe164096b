/**
 * Tests of sharding: parsing `I/N`, partitioning, balance, and stability when students come
 * and go.
 *
 * @module
 */

import assert from "node:assert/strict";
import { UsageError } from "../errors/usage_error.ts";
import { parseShard, selectShard, shardOf } from "./shard.ts";

const ids = (n: number, prefix = "student") =>
  Array.from({ length: n }, (_, i) => ({ id: `${prefix}${String(i + 1).padStart(3, "0")}` }));

Deno.test("parseShard() reads I/N and explains what is wrong otherwise", async (t) => {
  assert.deepEqual(parseShard("2/5"), { index: 2, count: 5 });
  assert.deepEqual(parseShard(" 1 / 1 "), { index: 1, count: 1 });
  const bad: [string, RegExp][] = [
    ["2of5", /--shard "2of5": write it as I\/N, e\.g\. 2\/5/],
    ["", /write it as I\/N/],
    ["-1/5", /write it as I\/N/],
    ["0/5", /--shard 0\/5: the shard number must be between 1 and 5 \(shards count from 1\)/],
    ["6/5", /the shard number must be between 1 and 5/],
    ["1/0", /the number of shards must be between 1 and 1000/],
    ["1/1001", /the number of shards must be between 1 and 1000/],
  ];
  for (const [text, message] of bad) {
    await t.step(text || "(empty)", () => {
      assert.throws(() => parseShard(text), (e: unknown) => {
        assert.ok(e instanceof UsageError);
        assert.match(e.message, message);
        return true;
      });
    });
  }
});

Deno.test("selectShard() puts every submission in exactly one shard, keeping the order", () => {
  const items = ids(100);
  for (const n of [1, 2, 3, 7]) {
    const shards = Array.from({ length: n }, (_, i) => selectShard(items, i + 1, n));
    assert.deepEqual(shards.flat().map((s) => s.id).sort(), items.map((s) => s.id));
    for (const shard of shards) {
      assert.deepEqual(shard, items.filter((s) => shard.includes(s)), "original order kept");
    }
  }
  assert.throws(() => selectShard(items, 0, 3), RangeError);
  assert.throws(() => selectShard(items, 4, 3), RangeError);
});

Deno.test("selectShard() is balanced for sequential and name-like ids", () => {
  for (const [items, n] of [[ids(1000), 4], [ids(1000, "s"), 7], [ids(200), 4]] as const) {
    const sizes = Array.from({ length: n }, (_, i) => selectShard(items, i + 1, n).length);
    const mean = items.length / n;
    for (const size of sizes) {
      assert.ok(Math.abs(size - mean) <= 3 * Math.sqrt(mean), `sizes ${sizes} around ${mean}`);
    }
  }
});

Deno.test("selectShard() never moves a student when another is added or removed", () => {
  const before = ids(300);
  const after = [...before.slice(1), { id: "late-student" }, { id: "Jane Doe_12345" }];
  for (const n of [2, 5]) {
    for (let i = 1; i <= n; i++) {
      const was = new Set(selectShard(before, i, n).map((s) => s.id));
      for (const s of selectShard(after, i, n)) {
        if (before.some((b) => b.id === s.id)) assert.ok(was.has(s.id), `${s.id} moved`);
      }
    }
  }
  assert.ok(shardOf("alice", 4) >= 1 && shardOf("alice", 4) <= 4);
  assert.throws(() => shardOf("alice", 0), RangeError);
});
