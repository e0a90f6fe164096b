/**
 * Adaptive lanes for a run without `--jobs`: every {@linkcode SAMPLE_MS} it samples the machine
 * (`machine.ts`) and resizes the run's {@linkcode LanePool} to what the controller (`lanes.ts`)
 * decides. Where `/proc` cannot be read, the pool keeps its lanes.
 *
 * @module
 */

import type { LanePool } from "./lane_pool.ts";
import { nextLanes } from "./lanes.ts";
import { MachineSampler } from "./machine.ts";

/** How often the machine is sampled and the lanes decided, in ms. */
export const SAMPLE_MS = 500;
/**
 * How long after adding lanes a busy CPU takes none away, in ms: the new lanes' workers load
 * their modules (a few hundred ms of CPU each), and taking lanes away for that would close
 * workers that are about to take items, then start new ones at the next idle reading.
 */
export const SETTLE_MS = 1000;

/**
 * Resizes `pool` to the machine's free capacity until `stop()` is called; `onChange` hears each
 * new number of lanes.
 */
export function adaptLanes(
  pool: LanePool,
  cores: number,
  onChange?: (lanes: number) => void,
): { stop(): void } {
  const sampler = new MachineSampler();
  let grewAt = -Infinity;
  const timer = setInterval(() => {
    const sample = sampler.sample();
    if (!sample || pool.waiting === 0) return;
    const lanes = nextLanes({ cores, lanes: pool.target, waiting: pool.waiting, ...sample });
    if (lanes === pool.target) return;
    const now = performance.now();
    if (lanes < pool.target && now - grewAt < SETTLE_MS) return;
    if (lanes > pool.target) grewAt = now;
    pool.resize(lanes);
    onChange?.(lanes);
  }, SAMPLE_MS);
  return { stop: () => clearInterval(timer) };
}
