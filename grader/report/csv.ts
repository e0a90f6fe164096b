/**
 * The gradebook CSV: one row per submission sorted by id, with columns `id`, `score`, `max`,
 * `percent`, then one column per check id (the points earned; empty when a submission has no
 * result for that check or the grader could not run it). `max` leaves out checks the grader could
 * not run, and `percent` is `score / max × 100` (two decimals; empty when nothing could be
 * graded): import `percent` into an LMS column out of 100, so that a grader fault never lowers a
 * grade (a row `80,82` is 97.56%, not 80%). UTF-8, RFC 4180 quoting by csv-stringify (ids such as `Zoë, O'Brien` survive), `\r\n`
 * line ends. Set `bom: true` for spreadsheet programs that need a byte-order mark to read UTF-8.
 *
 * @example
 * ```ts
 * import { formatCsv } from "./csv.ts";
 * import { sampleResult } from "./_sample_result.ts";
 * const csv = formatCsv(sampleResult());
 * if (!csv.startsWith("id,score,max,percent,build.server,")) throw new Error(csv);
 * ```
 * @module
 */

import { stringify } from "csv-stringify/sync";
import { CHECK_IDS } from "../checks_catalogue.ts";
import type { GradeResult } from "../result.ts";
import { percentOf } from "./_score.ts";
import { compareIds, formatPoints } from "./_text.ts";

/** Options for {@linkcode formatCsv}. */
export interface CsvOptions {
  /** Start with a UTF-8 byte-order mark (for Excel). Default false. */
  bom?: boolean;
}

/**
 * The gradebook as CSV text. Check columns are in catalogue order, followed by any other check
 * id found in the results (sorted), so a newer grader's extra checks are kept, not dropped.
 */
export function formatCsv(result: GradeResult, options: CsvOptions = {}): string {
  const known: readonly string[] = CHECK_IDS;
  const extra = [
    ...new Set(
      result.submissions.flatMap((s) => s.checks.map((c) => c.id as string)).filter((id) =>
        !known.includes(id)
      ),
    ),
  ].sort();
  const columns = [...known, ...extra];
  const rows = [...result.submissions]
    .sort((a, b) => compareIds(a.id, b.id))
    .map((s) => {
      const points = new Map<string, number>(
        s.checks.filter((c) => c.status !== "error").map((c) => [c.id, c.points]),
      );
      const percent = percentOf(s);
      return [
        s.id,
        formatPoints(s.score),
        formatPoints(s.maxScore),
        percent === undefined ? "" : formatPoints(percent),
        ...columns.map((id) => {
          const p = points.get(id);
          return p === undefined ? "" : formatPoints(p);
        }),
      ];
    });
  return stringify([["id", "score", "max", "percent", ...columns], ...rows], {
    bom: options.bom ?? false,
    record_delimiter: "windows",
  });
}
