/** Tests for the pool of lanes whose number changes while they run. */

import assert from "node:assert/strict";
import { LanePool } from "./lane_pool.ts";

/** A gate a lane waits at until the test opens it. */
function gate(): { wait: Promise<void>; open(): void } {
  let open = () => {};
  const wait = new Promise<void>((resolve) => open = resolve);
  return { wait, open };
}

/** Lets every lane run up to its next wait (microtasks only, no timers). */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

Deno.test("LanePool runs every item once, in order, in the lanes asked for", async () => {
  const taken: number[] = [];
  let running = 0;
  let most = 0;
  const pool = new LanePool(20, 3, async (_lane, take) => {
    for (let item = take(); item !== undefined; item = take()) {
      taken.push(item);
      most = Math.max(most, ++running);
      await Promise.resolve();
      running--;
    }
  });
  await pool.done();
  assert.deepEqual(taken, Array.from({ length: 20 }, (_, i) => i));
  assert.deepEqual(most, 3);
});

Deno.test("LanePool starts lanes at once when grown and stops surplus ones between items", async () => {
  const gates = Array.from({ length: 8 }, gate);
  const lanesSeen = new Set<number>();
  const pool = new LanePool(8, 1, async (lane, take) => {
    for (let item = take(); item !== undefined; item = take()) {
      lanesSeen.add(lane);
      await gates[item]!.wait;
    }
  });
  assert.deepEqual(pool.lanes, 1);
  pool.resize(3);
  assert.deepEqual(pool.lanes, 3);
  await settle();
  assert.deepEqual(pool.waiting, 5);
  pool.resize(1);
  // Lanes in the middle of an item keep it: none is abandoned.
  assert.deepEqual(pool.lanes, 3);
  gates[1]!.open();
  gates[2]!.open();
  await settle();
  assert.deepEqual(pool.lanes, 1);
  assert.deepEqual(pool.waiting, 5);
  for (const g of gates) g.open();
  await pool.done();
  assert.deepEqual(pool.waiting, 0);
  assert.deepEqual([...lanesSeen].sort(), [0, 1, 2]);
});

Deno.test("LanePool never asks for fewer than one lane", async () => {
  const taken: number[] = [];
  const pool = new LanePool(3, 0, async (_lane, take) => {
    for (let item = take(); item !== undefined; item = take()) taken.push(item);
    await Promise.resolve();
  });
  pool.resize(0);
  await pool.done();
  assert.deepEqual(taken, [0, 1, 2]);
});

Deno.test("LanePool.done() rejects with a lane's error after the other lanes finish", async () => {
  const taken: number[] = [];
  const pool = new LanePool(4, 2, async (lane, take) => {
    for (let item = take(); item !== undefined; item = take()) {
      await Promise.resolve();
      if (lane === 0) throw new Error("lane 0 broke");
      taken.push(item);
    }
  });
  await assert.rejects(() => pool.done(), /lane 0 broke/);
  assert.deepEqual(taken.length, 3);
});
