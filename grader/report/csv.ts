/**
 * The gradebook CSV: one row per submission sorted by id, with columns `id`, `score`, `max`,
 * `percent`, then one column per check id (the points earned; empty when a submission has no
 * result for that check or the grader could not run it). `max` leaves out checks the grader could
 * not run, and `percent` is `score / max × 100` (two decimals; empty when nothing could be
 * graded): import `percent` into an LMS column out of 100, so that a grader fault never lowers a
 * grade (a row `80,82` is 97.56%, not 80%). UTF-8, RFC 4180 quoting by csv-stringify (ids such as `Zoë, O'Brien` survive), `\r\n`
 * line ends. Set `bom: true` for spreadsheet programs that need a byte-order mark to read UTF-8.
 *
 * Cells are never formulas: a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage
 * return gets a leading `'` ({@linkcode neutraliseCell}), so a student id such as
 * `=HYPERLINK(…)` is shown as text by spreadsheet programs, not run. A cell that is a plain
 * decimal number (`-2`, `7.5`) is kept as it is: it cannot be a formula. Points are never
 * negative today, so this only matters for other numbers a future column may hold.
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
import { CHECK_IDS } from "../checks/catalogue.ts";
import type { GradeResult } from "../result.ts";
import { percentOf } from "./_score.ts";
import { compareIds, formatPoints } from "./_text.ts";

/** Characters that make a spreadsheet program read a cell as a formula. */
const FORMULA_START = /^[=+\-@\t\r]/;
const PLAIN_NUMBER = /^-?\d+(\.\d+)?$/;

/**
 * A cell as text a spreadsheet program will not run: `'` before a leading `=`, `+`, `-`, `@`,
 * tab or carriage return, unless the cell is a plain decimal number.
 *
 * @example
 * ```ts
 * import { neutraliseCell } from "./csv.ts";
 * if (neutraliseCell("=1+1") !== "'=1+1" || neutraliseCell("-2") !== "-2") throw new Error();
 * ```
 */
export function neutraliseCell(cell: string): string {
  return FORMULA_START.test(cell) && !PLAIN_NUMBER.test(cell) ? `'${cell}` : cell;
}

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
  const table = [["id", "score", "max", "percent", ...columns], ...rows];
  return stringify(table.map((row) => row.map(neutraliseCell)), {
    bom: options.bom ?? false,
    record_delimiter: "windows",
  });
}
