/**
 * Regrading the submissions of an earlier result that have checks the grader could not run
 * (status `error`, never charged to the student: a full disk, a crashed worker, a timeout of the
 * machine rather than of the program), and merging the new gradings back into that result.
 *
 * {@linkcode regradeSelection} picks, among the submissions given on the command line, those the
 * earlier result graded with an `error` check; {@linkcode mergeRegrade} merges the fresh run into
 * the earlier result with `mergeResults` (the fresh grading wins), keeping the earlier result's shard
 * so that a regraded shard still merges with the other shards.
 *
 * @example
 * ```ts
 * import { regradeSelection } from "./regrade.ts";
 * import { DEFAULT_SPEC } from "../spec.ts";
 * import { type GradeResult, RESULT_SCHEMA } from "../result.ts";
 * const earlier: GradeResult = {
 *   schema: RESULT_SCHEMA,
 *   spec: structuredClone(DEFAULT_SPEC),
 *   isolation: "netns",
 *   startedAt: "2025-01-01T00:00:00Z",
 *   durationMs: 1,
 *   submissions: [{
 *     id: "bob", path: "bob", language: "c", score: 0, maxScore: 100, durationMs: 1,
 *     checks: [{
 *       id: "build.server", status: "error", points: 0, maxPoints: 10,
 *       message: "the disk was full", evidence: {}, durationMs: 1,
 *     }],
 *   }],
 * };
 * const { chosen } = regradeSelection([{ id: "alice" }, { id: "bob" }], earlier);
 * if (chosen.length !== 1 || chosen[0]!.id !== "bob") throw new Error("only bob is regraded");
 * ```
 * @module
 */

import type { GradeResult } from "../result.ts";
import { mergeResults } from "./merge.ts";

/** What a regrade grades, and what it cannot find. */
export interface RegradeSelection<T> {
  /** The given submissions the earlier result graded with an `error` check, in their order. */
  chosen: T[];
  /** Ids with an `error` check in the earlier result that are not among the given submissions. */
  missing: string[];
}

/** The ids of the submissions that have at least one `error` check, in the result's order. */
export function idsWithErrors(result: GradeResult): string[] {
  return result.submissions.filter((s) => s.checks.some((c) => c.status === "error"))
    .map((s) => s.id);
}

/** Picks the submissions to regrade (see the module doc). */
export function regradeSelection<T extends { id: string }>(
  submissions: readonly T[],
  earlier: GradeResult,
): RegradeSelection<T> {
  const wanted = new Set(idsWithErrors(earlier));
  const chosen = submissions.filter((s) => wanted.has(s.id));
  for (const s of chosen) wanted.delete(s.id);
  return { chosen, missing: [...wanted] };
}

/**
 * The earlier result with the fresh gradings merged in: a regraded student always takes the fresh
 * grading, even if the earlier result's clock ran ahead (it came from another machine);
 * `earlierName` labels the earlier result's run in reports. The earlier result's shard is kept.
 * Throws `UsageError` when the specs differ.
 */
export function mergeRegrade(
  earlier: GradeResult,
  fresh: GradeResult,
  earlierName: string,
): GradeResult {
  const regraded = new Set(fresh.submissions.map((s) => s.id));
  const kept = { ...earlier, submissions: earlier.submissions.filter((s) => !regraded.has(s.id)) };
  const merged = mergeResults([kept, fresh], [earlierName]);
  if (earlier.shard) merged.shard = earlier.shard;
  return merged;
}
