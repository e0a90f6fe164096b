/**
 * Which runs the grades of a merged result came from (`SubmissionResult.run`, written by
 * `merge` and by a regrade), in words the reports share: a run is named by the result file it
 * was read from, else by its start, and its shard when it was one.
 *
 * @module
 */

import type { GradeResult, SubmissionRun } from "../result.ts";
import { compareIds } from "./_text.ts";

/** One run of a merged result and the students whose grade came from it. */
export interface RunGroup {
  /** The run. */
  run: SubmissionRun;
  /** How reports name it, e.g. `shard-1.json (shard 1/4, started 2026-12-05 08:00:00 UTC)`. */
  label: string;
  /** The students graded in it, sorted. */
  ids: string[];
}

/** `2026-12-05T08:00:00.000Z` as `2026-12-05 08:00:00 UTC` (the input unchanged if not a date). */
export function formatStart(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  return new Date(ms).toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
}

/** How reports name a run (see {@linkcode RunGroup.label}). */
export function runLabel(run: SubmissionRun): string {
  const details = [
    ...(run.shard ? [`shard ${run.shard}`] : []),
    `started ${formatStart(run.startedAt)}`,
  ].join(", ");
  return run.file ? `${run.file} (${details})` : `the run ${details}`;
}

/**
 * The runs the submissions came from, oldest first, or an empty list when the result was not
 * merged (no submission records a run).
 */
export function runGroups(result: GradeResult): RunGroup[] {
  const groups = new Map<string, RunGroup>();
  for (const s of result.submissions) {
    if (!s.run) continue;
    const label = runLabel(s.run);
    const group = groups.get(label) ?? { run: s.run, label, ids: [] };
    group.ids.push(s.id);
    groups.set(label, group);
  }
  return [...groups.values()]
    .map((g) => ({ ...g, ids: g.ids.sort(compareIds) }))
    .sort((a, b) => Date.parse(a.run.startedAt) - Date.parse(b.run.startedAt));
}
