/**
 * Splits a class into shards (`--shard I/N`) so that N machines grade it in parallel and
 * `sockgrade merge` joins their results.
 *
 * A submission's shard depends on its id alone: a 32-bit FNV-1a hash of the id (`text/hash.ts`),
 * mixed with MurmurHash3's finaliser, modulo N. So adding or removing a student never moves
 * anyone else, and shards graded from different rosters (a late submission, a re-run of one
 * shard) still never overlap nor leave a gap. The price is that balance is statistical rather
 * than exact: with n students each shard gets about n/N ± √(n/N) (for 200 students and 4 shards,
 * 50 ± 7), and ids like `student01…student99` spread as evenly as random ones.
 *
 * Shard numbers are 1-based, as written on the command line and in `GradeResult.shard`.
 *
 * @example
 * ```ts
 * import { parseShard, selectShard } from "./shard.ts";
 * const { index, count } = parseShard("2/3");
 * const ids = ["alice", "bob", "carol", "dave"].map((id) => ({ id }));
 * const all = [1, 2, 3].flatMap((i) => selectShard(ids, i, count));
 * if (all.length !== ids.length || index !== 2) throw new Error("shards must partition");
 * ```
 * @module
 */

import { fnv1a, mix } from "../text/hash.ts";

import { UsageError } from "../errors/usage_error.ts";

/** A parsed `I/N`: shard `index` (1-based) of `count`. */
export interface Shard {
  /** Which shard, from 1 to `count`. */
  index: number;
  /** How many shards. */
  count: number;
}

/** The most shards accepted. */
export const MAX_SHARDS = 1000;

/**
 * Parses `--shard I/N` (e.g. `2/5`). Throws {@linkcode UsageError} with a one-line reason for
 * anything else (`0/5`, `6/5`, `2of5`, `1/0`).
 */
export function parseShard(text: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!m) {
    throw new UsageError(
      `--shard ${JSON.stringify(text)}: write it as I/N, e.g. 2/5 for the second of five shards.`,
    );
  }
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || count > MAX_SHARDS) {
    throw new UsageError(
      `--shard ${text}: the number of shards must be between 1 and ${MAX_SHARDS}.`,
    );
  }
  if (index < 1 || index > count) {
    throw new UsageError(
      `--shard ${text}: the shard number must be between 1 and ${count} (shards count from 1).`,
    );
  }
  return { index, count };
}

/** The 1-based shard (of `count`) that the submission `id` belongs to. */
export function shardOf(id: string, count: number): number {
  if (!Number.isInteger(count) || count < 1) {
    throw new RangeError(`shard count must be a positive integer, got ${count}`);
  }
  return (mix(fnv1a(id)) % count) + 1;
}

/**
 * The items of shard `index` of `count` (1-based), in their original order. Every item is in
 * exactly one shard; which one depends on `item.id` only (see the module doc).
 */
export function selectShard<T extends { id: string }>(
  items: readonly T[],
  index: number,
  count: number,
): T[] {
  if (!Number.isInteger(index) || index < 1 || index > count) {
    throw new RangeError(`shard index must be between 1 and ${count}, got ${index}`);
  }
  return items.filter((item) => shardOf(item.id, count) === index);
}
