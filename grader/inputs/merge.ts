/**
 * Joins `sockgrade/result@1` files (e.g. the shards of a class graded on several machines) into
 * one result, and reads such files with validation.
 *
 * Merging requires the same spec everywhere (the error names the first differing field) and
 * refuses shards of different counts. A student graded in several results (a regrade, a shard run
 * again) keeps the newest grading: the one whose run began last, and on a tie the one from the
 * later result in the list. Every merged submission records in `run` the run it came from (its
 * start, the file it was read from, its shard), so reports can say so. The isolation
 * mode is kept when all agree; when they differ the merged run is `none` (the weaker guarantee)
 * and every submission keeps its own mode in `isolation`. `startedAt` is the earliest start and
 * `durationMs` the wall time from it to the latest end (about the slowest shard when shards ran
 * in parallel, about their sum when they ran one after another). Submissions are sorted by id;
 * the merged result has no `shard` (see {@linkcode shardCoverage} for what is missing).
 *
 * @example
 * ```ts
 * import { mergeResults } from "./merge.ts";
 * import { DEFAULT_SPEC } from "../spec.ts";
 * import { type GradeResult, RESULT_SCHEMA } from "../result.ts";
 * const part = (id: string): GradeResult => ({
 *   schema: RESULT_SCHEMA,
 *   spec: structuredClone(DEFAULT_SPEC),
 *   isolation: "netns",
 *   startedAt: "2025-01-01T00:00:00Z",
 *   durationMs: 1000,
 *   submissions: [
 *     { id, path: id, language: "c", score: 0, maxScore: 100, durationMs: 1, checks: [] },
 *   ],
 * });
 * const merged = mergeResults([part("bob"), part("alice")]);
 * if (merged.submissions[0]!.id !== "alice") throw new Error("submissions must be sorted");
 * ```
 * @module
 */

import { z } from "zod";
import { UsageError } from "../errors/usage_error.ts";
import {
  type GradeResult,
  gradeResultSchema,
  type IsolationMode,
  RESULT_SCHEMA,
  type RunEnvironment,
  type SubmissionResult,
  type SubmissionRun,
} from "../result.ts";
import { SpecError, specFromValue } from "../spec.ts";
import { whyUnreadable } from "../text/read_error.ts";

/**
 * `sockgrade/result@1` as published (`result.ts`), with the spec left to `specFromValue` (whose
 * errors name the spec's field) and a start time that must be a date.
 */
const gradeResult = gradeResultSchema.extend({
  spec: z.unknown(),
  startedAt: z.string().refine((s) => !Number.isNaN(Date.parse(s)), "must be an ISO date"),
});

/**
 * Reads and validates a result file written by `sockgrade grade --json`. Throws
 * {@linkcode UsageError} with one line naming the file and, for invalid content, the field.
 */
export async function readResultFile(path: string): Promise<GradeResult> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    throw new UsageError(
      `Cannot read the result file ${path}: ${whyUnreadable(error)}. Check the path.`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(
      `${path}: not valid JSON (${
        (error as Error).message
      }). Pass a file written by sockgrade grade --json.`,
    );
  }
  return parseResult(value, path);
}

/** Validates a parsed JSON value as `sockgrade/result@1`; `source` names it in errors. */
export function parseResult(value: unknown, source = "the result"): GradeResult {
  const schema = (value as { schema?: unknown } | null)?.schema;
  if (typeof value !== "object" || value === null || schema !== RESULT_SCHEMA) {
    const found = typeof schema === "string" ? `its schema is "${schema}"` : "it has no schema";
    throw new UsageError(
      `${source}: not a ${RESULT_SCHEMA} file (${found}). Pass a file written by sockgrade grade --json.`,
    );
  }
  const parsed = gradeResult.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length ? `field "${issue.path.join(".")}"` : "the top level";
    throw new UsageError(
      `${source}: ${where}: ${issue.message}. The file is not a valid ${RESULT_SCHEMA} result.`,
    );
  }
  let spec;
  try {
    spec = specFromValue(parsed.data.spec, `${source} (field "spec")`);
  } catch (error) {
    if (error instanceof SpecError) throw new UsageError(error.message);
    throw error;
  }
  return { ...parsed.data, spec };
}

/** A student graded in more than one of the merged results. */
export interface Replacement {
  /** The student id. */
  id: string;
  /** The run whose grade is kept. */
  kept: SubmissionRun;
  /** The run whose grade was dropped. */
  dropped: SubmissionRun;
}

/**
 * Merges results into one (see the module doc). `names` (e.g. file paths, in the same order)
 * label the inputs in error messages and become each submission's `run.file`; `onReplaced` hears
 * of every student whose earlier grade gave way to a newer one. Throws {@linkcode UsageError}
 * when they cannot be merged.
 */
export function mergeResults(
  results: readonly GradeResult[],
  names: readonly string[] = [],
  onReplaced?: (replacement: Replacement) => void,
): GradeResult {
  const name = (i: number) => names[i] ?? `result ${i + 1}`;
  const first = results[0];
  if (!first) throw new UsageError("Nothing to merge: pass at least one result file.");
  results.forEach((r, i) => {
    if (r.schema !== RESULT_SCHEMA) {
      throw new UsageError(`${name(i)}: not a ${RESULT_SCHEMA} result.`);
    }
    const diff = firstDifference(first.spec, r.spec, "spec");
    if (diff) {
      throw new UsageError(
        `${name(i)} was graded with a different spec than ${name(0)}: ${diff.path} is ${
          show(diff.b)
        } there but ${show(diff.a)} in ${name(0)}. Merge only results of the same assignment.`,
      );
    }
  });
  shardCoverage(results, names);

  const newest = new Map<string, SubmissionResult>();
  results.forEach((r, i) => {
    for (const s of r.submissions) {
      const graded: SubmissionResult = {
        ...s,
        isolation: s.isolation ?? r.isolation,
        run: s.run ?? runOf(r, names[i]),
      };
      const before = newest.get(s.id);
      if (before && runStart(before) > runStart(graded)) {
        onReplaced?.({ id: s.id, kept: before.run!, dropped: graded.run! });
        continue;
      }
      if (before) onReplaced?.({ id: s.id, kept: graded.run!, dropped: before.run! });
      newest.set(s.id, graded);
    }
  });
  const submissions = [...newest.values()].sort((a, b) => a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

  const modes = new Set<IsolationMode>(results.map((r) => r.isolation));
  const reasons = [...new Set(results.flatMap((r) => r.isolationReason ?? []))];
  let isolation: IsolationMode = first.isolation;
  let isolationReason = reasons.length ? reasons.join("; ") : undefined;
  if (modes.size > 1) {
    isolation = "none";
    isolationReason = "the merged results used different modes: " +
      results.map((r, i) =>
        `${r.isolation} in ${name(i)}${r.isolationReason ? ` (${r.isolationReason})` : ""}`
      ).join(", ");
  }

  const starts = results.map((r) => Date.parse(r.startedAt));
  const start = Math.min(...starts);
  const end = Math.max(...results.map((r, i) => starts[i]! + r.durationMs));
  const merged: GradeResult = {
    schema: RESULT_SCHEMA,
    spec: structuredClone(first.spec),
    isolation,
    startedAt: new Date(start).toISOString(),
    durationMs: end - start,
    submissions,
  };
  if (isolationReason) merged.isolationReason = isolationReason;
  const environment = mergedEnvironment(results, name);
  if (environment) merged.environment = environment;
  return merged;
}

/** The run `result` records, read from `file`. */
function runOf(result: GradeResult, file: string | undefined): SubmissionRun {
  const run: SubmissionRun = { startedAt: result.startedAt };
  if (file !== undefined) run.file = file;
  if (result.shard) run.shard = result.shard;
  return run;
}

/** When the run that graded `s` began, in milliseconds since the epoch. */
function runStart(s: SubmissionResult): number {
  return Date.parse(s.run!.startedAt);
}

/**
 * The merged run's environment: the shared one when every result names the same, else the first
 * that ran unsandboxed (or the first named), described as a mix so no report claims more
 * containment than every part had.
 */
function mergedEnvironment(
  results: readonly GradeResult[],
  name: (i: number) => string,
): RunEnvironment | undefined {
  const named = results.flatMap((r, i) => r.environment ? [{ env: r.environment, i }] : []);
  const first = named[0];
  if (!first) return undefined;
  if (named.every(({ env }) => JSON.stringify(env) === JSON.stringify(first.env))) {
    return structuredClone(first.env);
  }
  const weakest = named.find(({ env }) => env.unsandboxed) ?? first;
  return {
    ...structuredClone(weakest.env),
    description: "the merged results ran in different environments: " +
      named.map(({ env, i }) => `${env.id} in ${name(i)}`).join(", "),
    unsandboxed: named.some(({ env }) => env.unsandboxed),
  };
}

/** Which shards a set of results covers. */
export interface ShardCoverage {
  /** The shard count `N` they share. */
  count: number;
  /** Shard numbers (1-based) that none of the results is. */
  missing: number[];
}

/**
 * For results that are shards (`shard: "I/N"`), which shards are missing; `null` when none of
 * them is a shard. A shard present twice (run again) and whole runs beside shards (a regrade of
 * some students) are fine: `mergeResults` keeps each student's newest grading. Throws
 * {@linkcode UsageError} for shards of different counts.
 */
export function shardCoverage(
  results: readonly GradeResult[],
  names: readonly string[] = [],
): ShardCoverage | null {
  const name = (i: number) => names[i] ?? `result ${i + 1}`;
  const sharded = results.map((r, i) => ({ i, shard: r.shard })).filter((x) => x.shard);
  if (sharded.length === 0) return null;
  const seen = new Set<number>();
  let count = 0;
  for (const { i, shard } of sharded) {
    const [index, n] = shard!.split("/").map(Number) as [number, number];
    if (count && n !== count) {
      throw new UsageError(
        `${name(i)} is shard ${shard} but ${name(sharded[0]!.i)} is shard ${
          sharded[0]!.shard
        }. Merge shards of the same count.`,
      );
    }
    count = n;
    seen.add(index);
  }
  const missing = Array.from({ length: count }, (_, k) => k + 1).filter((k) => !seen.has(k));
  return { count, missing };
}

/** The first path at which two JSON-like values differ, or `null`. */
function firstDifference(
  a: unknown,
  b: unknown,
  path: string,
): { path: string; a: unknown; b: unknown } | null {
  if (Object.is(a, b)) return null;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) {
    return { path, a, b };
  }
  if (Array.isArray(a) !== Array.isArray(b)) return { path, a, b };
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      const d = firstDifference(a[i], b[i], `${path}[${i}]`);
      if (d) return d;
    }
    return null;
  }
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(ra), ...Object.keys(rb)])].sort();
  for (const key of keys) {
    const d = firstDifference(ra[key], rb[key], `${path}.${key}`);
    if (d) return d;
  }
  return null;
}

function show(value: unknown): string {
  const text = value === undefined ? "unset" : JSON.stringify(value);
  return text.length > 60 ? text.slice(0, 57) + "…" : text;
}
