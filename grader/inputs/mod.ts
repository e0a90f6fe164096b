/**
 * What the CLI needs from the inputs pipeline: expanding arguments into submission folders
 * (`expand.ts`), sharding a class (`shard.ts`), reading and merging result files
 * (`merge.ts`), and regrading what a result could not grade (`regrade.ts`).
 *
 * @example
 * ```ts
 * import { parseShard, selectShard } from "./mod.ts";
 * const { index, count } = parseShard("1/1");
 * if (selectShard([{ id: "alice" }], index, count).length !== 1) throw new Error("unexpected");
 * ```
 * @module
 */

export {
  DEFAULT_MAX_UNPACKED_BYTES,
  type ExpandedInputs,
  expandInputs,
  type ExpandOptions,
  type InputSubmission,
} from "./expand.ts";
export { MAX_SHARDS, parseShard, selectShard, type Shard, shardOf } from "./shard.ts";
export {
  mergeResults,
  parseResult,
  readResultFile,
  type Replacement,
  type ShardCoverage,
  shardCoverage,
} from "./merge.ts";
export { idsWithErrors, mergeRegrade, type RegradeSelection, regradeSelection } from "./regrade.ts";
export { DEFAULT_ZIP_LIMITS, type ZipLimits } from "./unzip.ts";
