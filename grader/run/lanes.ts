/**
 * How many submissions a run grades at once when `--jobs` is not given: a controller that follows
 * what the machine has free. Failing submissions spend most of their time waiting out timeouts
 * (a server that never answers, a client that never exits), so lanes that wait leave the CPU
 * idle; the controller then adds lanes in proportion to the idle share (at 100% idle it doubles
 * them), so a class of waiting submissions reaches its lanes within seconds. When the CPU is busy
 * (the run's own builds, or anyone else's work) it takes one away, so checks that
 * measure time are not starved. It stays between one and {@linkcode LANES_PER_CORE} lanes per core, never asks for
 * more lanes than submissions wait, nor than the memory available can hold
 * ({@linkcode LANE_BYTES} each, above {@linkcode RESERVE_BYTES}).
 *
 * {@linkcode nextLanes} is a pure function of sampled figures (see `machine.ts` for the
 * sampling), so it is tested without any timing.
 *
 * @example
 * ```ts
 * import { nextLanes } from "./lanes.ts";
 * const GiB = 2 ** 30;
 * const idle = { cores: 2, lanes: 2, idle: 0.8, memAvailableBytes: 8 * GiB, waiting: 50 };
 * if (nextLanes(idle) !== 3) throw new Error("an idle machine gets more lanes");
 * if (nextLanes({ ...idle, idle: 0.01, lanes: 5 }) !== 4) throw new Error("a busy one, one less");
 * ```
 *
 * @module
 */

/**
 * The most lanes per core. A lane of failing submissions mostly waits out timeouts (a few percent
 * of a core), and the controller takes lanes away as soon as the CPU is busy, so the bound is
 * only there against the lanes' CPU bursts all colliding at once. At eight per core a faster
 * machine still had half its CPU idle while a failure-heavy class waited out its timeouts; at
 * sixteen the class graded 29 % faster with the same statuses (README, `bench:failures`).
 */
export const LANES_PER_CORE = 16;
/** What one lane may hold in memory: a grading worker and the programs it runs. */
export const LANE_BYTES = 256 * 2 ** 20;
/** Memory left for everything else on the machine. */
export const RESERVE_BYTES = 512 * 2 ** 20;
/** At or above this share of idle CPU time, lanes are added. */
export const GROW_IDLE = 0.25;
/** Below this share of idle CPU time, lanes are taken away. */
export const SHRINK_IDLE = 0.05;

/** What the controller decides from: figures sampled over the last interval. */
export interface LaneSample {
  /** The machine's cores. */
  cores: number;
  /** Lanes in the run now. */
  lanes: number;
  /** The share of CPU time the whole machine was idle over the last interval, 0 to 1. */
  idle: number;
  /** `MemAvailable` from `/proc/meminfo`, in bytes. */
  memAvailableBytes: number;
  /** Submissions not started yet. */
  waiting: number;
}

/** The fewest and the most lanes for `cores` cores: one and {@linkcode LANES_PER_CORE} per core. */
export function laneBounds(cores: number): { min: number; max: number } {
  const n = Math.max(1, Math.floor(cores));
  return { min: n, max: LANES_PER_CORE * n };
}

/**
 * The number of lanes for the next interval: when the CPU was idle at least {@linkcode GROW_IDLE}
 * of the time and submissions wait, `lanes × idle` more (at least one, at most as many as wait);
 * one less when it was idle less than {@linkcode SHRINK_IDLE}; else the same. Within
 * {@linkcode laneBounds}, and never more than the memory available holds beside the lanes running
 * now (at least one lane always runs).
 */
export function nextLanes(sample: LaneSample): number {
  const { min, max } = laneBounds(sample.cores);
  const spare = Math.floor((sample.memAvailableBytes - RESERVE_BYTES) / LANE_BYTES);
  const memoryCap = Math.max(1, sample.lanes + spare);
  let want = sample.lanes;
  if (sample.idle >= GROW_IDLE && sample.waiting > 0) {
    want += Math.min(sample.waiting, Math.max(1, Math.floor(sample.lanes * sample.idle)));
  } else if (sample.idle < SHRINK_IDLE) want -= 1;
  want = Math.min(Math.max(want, min), max);
  return Math.max(1, Math.min(want, memoryCap));
}
