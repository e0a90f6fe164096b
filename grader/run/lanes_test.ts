/** Tests for the adaptive lanes' controller: a pure function of sampled figures. */

import assert from "node:assert/strict";
import {
  GROW_IDLE,
  LANE_BYTES,
  laneBounds,
  type LaneSample,
  nextLanes,
  RESERVE_BYTES,
  SHRINK_IDLE,
} from "./lanes.ts";

const GiB = 2 ** 30;
const base: LaneSample = {
  cores: 2,
  lanes: 4,
  idle: 0.5,
  memAvailableBytes: 16 * GiB,
  waiting: 40,
};

Deno.test("laneBounds() allows one to sixteen lanes per core", () => {
  assert.deepEqual(laneBounds(2), { min: 2, max: 32 });
  assert.deepEqual(laneBounds(0), { min: 1, max: 16 });
});

Deno.test("nextLanes() follows the idle CPU", async (t) => {
  const table: [string, Partial<LaneSample>, number][] = [
    ["an idle CPU with submissions waiting adds lanes in proportion", { idle: 0.9 }, 7],
    ["a fully idle CPU doubles the lanes", { idle: 1 }, 8],
    ["never more lanes are added than submissions wait", { idle: 1, waiting: 2 }, 6],
    ["exactly the grow threshold adds a lane", { idle: GROW_IDLE }, 5],
    ["an idle CPU with nothing waiting keeps the lanes", { idle: 0.9, waiting: 0 }, 4],
    ["a CPU between the thresholds keeps the lanes", { idle: (GROW_IDLE + SHRINK_IDLE) / 2 }, 4],
    ["a busy CPU takes a lane away", { idle: 0.01 }, 3],
    ["a busy CPU never goes below one lane per core", { idle: 0, lanes: 2 }, 2],
    ["an idle CPU never goes above sixteen lanes per core", { idle: 1, lanes: 24 }, 32],
    ["more lanes than the bound are brought back to it", { idle: 0.1, lanes: 40 }, 32],
  ];
  for (const [name, change, expected] of table) {
    await t.step(name, () => assert.deepEqual(nextLanes({ ...base, ...change }), expected));
  }
});

Deno.test("nextLanes() stays within the memory available", async (t) => {
  const table: [string, Partial<LaneSample>, number][] = [
    ["room for one more lane lets an idle CPU add it", {
      idle: 1,
      memAvailableBytes: RESERVE_BYTES + LANE_BYTES,
    }, 5],
    ["room for two more lanes lets an idle CPU add only those", {
      idle: 1,
      memAvailableBytes: RESERVE_BYTES + 2 * LANE_BYTES,
    }, 6],
    ["no room for another lane holds the lanes", { idle: 1, memAvailableBytes: RESERVE_BYTES }, 4],
    ["memory below the reserve takes lanes away, below one per core", {
      idle: 1,
      memAvailableBytes: RESERVE_BYTES - 3 * LANE_BYTES,
    }, 1],
    ["at least one lane runs whatever the memory", { lanes: 1, memAvailableBytes: 0 }, 1],
  ];
  for (const [name, change, expected] of table) {
    await t.step(name, () => assert.deepEqual(nextLanes({ ...base, ...change }), expected));
  }
});
