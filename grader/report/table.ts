/**
 * Terminal reports: the class summary table (one row per submission: id, score, failing
 * checks), the per-submission detail view (`--detail`: every check with its points, message,
 * hint and evidence) and the student view (`deno task grade .`: the first thing to fix on top).
 *
 * Colours are used only when the caller asks (`color: true`); the caller decides, honouring
 * `NO_COLOR` and whether stdout is a terminal. Text from submissions is printed with control
 * characters escaped, so a program's output cannot move the cursor or change colours.
 *
 * @example
 * ```ts
 * import { formatTable } from "./table.ts";
 * import { sampleResult } from "./_sample_result.ts";
 * const table = formatTable(sampleResult(), { color: false });
 * if (!table.includes("100/100")) throw new Error(table);
 * ```
 * @module
 */

import { createColors } from "picocolors";
import type { CheckResult, CheckStatus, GradeResult, SubmissionResult } from "../result.ts";
import { hasFullMarks } from "../score.ts";
import { evidenceLines } from "./_evidence.ts";
import { runGroups, runLabel } from "./_runs.ts";
import {
  firstThingToFix,
  nothingToFixLine,
  notShownSentence,
  shownChecks,
  titleOf,
} from "./_student.ts";
import {
  compareIds,
  formatDuration,
  formatPoints,
  padEnd,
  padStart,
  STATUS_MARK,
  terminalSafe,
  truncate,
  visibleWidth,
} from "./_text.ts";

type Colors = ReturnType<typeof createColors>;

/** Options for {@linkcode formatTable}. */
export interface TableOptions {
  /** Use ANSI colours (the caller honours `NO_COLOR` and checks that stdout is a terminal). */
  color: boolean;
  /** The terminal width in columns (default 100); the failing list is cut to fit. */
  width?: number;
  /**
   * The command that regrades the checks the grader could not run, as the user types it (e.g.
   * `deno task grade --regrade-errors result.json --json result.json class/`); the footer names
   * it when a row has such a check.
   */
  regradeCommand?: string;
}

/** Options for {@linkcode formatDetail} and {@linkcode formatStudentView}. */
export interface DetailOptions {
  /** Use ANSI colours. */
  color: boolean;
  /** The most lines one evidence block may take (default 20 in the detail view, 12 for students). */
  maxLines?: number;
}

const STUDENT_COLUMN_MAX = 32;

function statusColor(c: Colors, status: CheckStatus): (s: string) => string {
  switch (status) {
    case "pass":
      return c.green;
    case "fail":
      return c.red;
    case "warn":
      return c.yellow;
    case "skip":
      return c.dim;
    case "error":
      return c.magenta;
  }
}

function scoreColor(c: Colors, score: number, max: number): (s: string) => string {
  if (score >= max) return c.green;
  return score >= max / 2 ? c.yellow : c.red;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** What the footer's legend says about each mark a row's list may carry. */
const LIST_MARKS = {
  error: "! = the grader could not run it (not charged)",
  warn: "~ = passed with a remark",
  skip: "- = skipped (a check it needs failed)",
} as const;

/**
 * The checks a row names: every check that cost points or carries a remark, in catalogue order:
 * failures as they are, warnings with `~`, skips with `-`, checks the grader could not run with
 * `!`. A row whose score is below full marks always names at least one check.
 */
function costlyChecks(s: SubmissionResult): CheckResult[] {
  return s.checks.filter((k) =>
    k.status === "fail" || k.status === "warn" || k.status === "error" ||
    (k.status === "skip" && k.points < k.maxPoints)
  );
}

function marked(check: CheckResult): string {
  switch (check.status) {
    case "error":
      return `${check.id}!`;
    case "warn":
      return `${check.id}~`;
    case "skip":
      return `${check.id}-`;
    default:
      return check.id;
  }
}

/** Joins `parts` with ` · `, breaking into lines of at most `width` columns. */
function wrapParts(parts: string[], width: number): string[] {
  const lines: string[] = [];
  for (const part of parts) {
    const last = lines.at(-1);
    if (last !== undefined && visibleWidth(`${last} · ${part}`) <= width) {
      lines[lines.length - 1] = `${last} · ${part}`;
    } else lines.push(truncate(part, width));
  }
  return lines;
}

/** The checks list of one row, cut to `width` columns with `+N more`. */
function failingList(failing: CheckResult[], width: number): string {
  const names = failing.map(marked);
  for (let shown = names.length; shown > 0; shown--) {
    const more = names.length - shown;
    const text = names.slice(0, shown).join(", ") + (more ? `, +${more} more` : "");
    if (visibleWidth(text) <= width) return text;
  }
  return names.length ? truncate(`${names.length} checks: ${names.join(", ")}`, width) : "";
}

/**
 * The class summary: one row per submission sorted by id (id, score/max, the checks that cost
 * points or carry a remark, marked as in `LIST_MARKS`), then a footer of at most 80 columns: the
 * count, mean, median, how many have full marks and how many are below, the isolation mode and a
 * legend of the marks used.
 */
export function formatTable(result: GradeResult, options: TableOptions): string {
  const c = createColors(options.color);
  const width = Math.max(options.width ?? 100, 40);
  const rows = [...result.submissions].sort((a, b) => compareIds(a.id, b.id));
  const ids = rows.map((s) => truncate(terminalSafe(s.id), STUDENT_COLUMN_MAX));
  const scores = rows.map((s) => `${formatPoints(s.score)}/${formatPoints(s.maxScore)}`);
  const idWidth = Math.max(7, ...ids.map(visibleWidth));
  const scoreWidth = Math.max(5, ...scores.map(visibleWidth));
  const failWidth = Math.max(10, width - idWidth - scoreWidth - 4);
  const lines = [
    c.bold(
      `${padEnd("student", idWidth)}  ${padStart("score", scoreWidth)}  checks that cost points`,
    ),
    c.dim(
      `${"─".repeat(idWidth)}  ${"─".repeat(scoreWidth)}  ${"─".repeat(Math.min(failWidth, 40))}`,
    ),
  ];
  const used = new Set<CheckStatus>();
  rows.forEach((s, i) => {
    const failing = costlyChecks(s);
    for (const k of failing) used.add(k.status);
    const list = failingList(failing, failWidth);
    const score = scoreColor(c, s.score, s.maxScore)(padStart(scores[i]!, scoreWidth));
    lines.push(`${padEnd(ids[i]!, idWidth)}  ${score}${list ? `  ${c.red(list)}` : ""}`);
  });
  const footerWidth = Math.min(width, 80);
  lines.push(c.dim("─".repeat(Math.min(footerWidth, idWidth + scoreWidth + 44))));
  const summary = [`${rows.length} submission${rows.length === 1 ? "" : "s"}`];
  if (rows.length > 0) {
    const percents = rows.map((s) => s.maxScore > 0 ? (100 * s.score) / s.maxScore : 0);
    const mean = percents.reduce((a, b) => a + b, 0) / percents.length;
    const full = rows.filter(hasFullMarks).length;
    const ungraded = rows.filter((s) => s.checks.some((k) => k.status === "error")).length;
    summary.push(
      `mean ${formatPoints(mean)}%`,
      `median ${formatPoints(median(percents))}%`,
      `${full} with full marks`,
      `${rows.length - full - ungraded} below full marks`,
    );
    if (ungraded > 0) summary.push(`${ungraded} not fully graded`);
  }
  summary.push(`isolation: ${result.isolation}`);
  if (result.environment) {
    summary.push(
      `environment: ${result.environment.id}${
        result.environment.unsandboxed ? " (ran unsandboxed: trusted code)" : ""
      }`,
    );
  }
  lines.push(...wrapParts(summary, footerWidth));
  if (result.isolationReason) {
    lines.push(c.dim(truncate(`(${terminalSafe(result.isolationReason)})`, footerWidth)));
  }
  const legend = (["error", "warn", "skip"] as const).filter((m) => used.has(m))
    .map((m) => LIST_MARKS[m]);
  if (legend.length > 0) lines.push(...wrapParts(legend, footerWidth).map((l) => c.dim(l)));
  lines.push(...runLines(result, footerWidth).map((l) => c.dim(l)));
  if (used.has("error")) {
    const command = options.regradeCommand
      ? terminalSafe(options.regradeCommand)
      : "grade --regrade-errors RESULT.json --json RESULT.json … (see grade --help)";
    lines.push(
      c.magenta("Checks marked ! left the maximum: see --detail, then regrade only them with:"),
      c.magenta(`  ${command}`),
    );
  }
  return lines.join("\n") + "\n";
}

/**
 * For a merged result, which runs its grades came from: each run with its students (named when
 * up to three fit on the line, else counted), wrapped to `width`.
 */
function runLines(result: GradeResult, width: number): string[] {
  const groups = runGroups(result);
  if (groups.length === 0) return [];
  const parts = groups.map((g) => {
    const named = terminalSafe(`${g.label}: ${g.ids.join(", ")}`);
    if (g.ids.length <= 3 && visibleWidth(named) <= width - 2) return named;
    return terminalSafe(`${g.label}: ${g.ids.length} student${g.ids.length === 1 ? "" : "s"}`);
  });
  const head = `grades from ${groups.length} run${groups.length === 1 ? "" : "s"}:`;
  return [head, ...wrapParts(parts, width - 2).map((l) => `  ${l}`)];
}

function checkLine(c: Colors, check: CheckResult, idWidth: number, withTitle: boolean): string {
  const paint = statusColor(c, check.status);
  const points = `${formatPoints(check.points)}/${formatPoints(check.maxPoints)}`;
  const title = withTitle ? `  ${padEnd(titleOf(check.id), 18)}` : "";
  return `${paint(STATUS_MARK[check.status])} ${padEnd(check.id, idWidth)}${title}  ${
    padStart(points, 5)
  }  ${terminalSafe(check.message)}`;
}

function indent(lines: string[], prefix: string): string[] {
  return lines.map((l) => prefix + l);
}

/**
 * Every check of one submission: status mark, id, points, message, then the hint and the
 * evidence (captured output, fields, exchanges as `→`/`←` lines), cut to `maxLines` per block.
 */
export function formatDetail(submission: SubmissionResult, options: DetailOptions): string {
  const c = createColors(options.color);
  const maxLines = options.maxLines ?? 20;
  const s = submission;
  const score = scoreColor(c, s.score, s.maxScore)(
    `${formatPoints(s.score)}/${formatPoints(s.maxScore)} points`,
  );
  const lines = [
    `${c.bold(terminalSafe(s.id))} — ${score} · ${terminalSafe(s.language)} · ${
      terminalSafe(s.path)
    } · graded in ${formatDuration(s.durationMs)}${
      s.run ? ` · from ${terminalSafe(runLabel(s.run))}` : ""
    }`,
  ];
  for (const note of s.notes ?? []) lines.push(c.yellow(`note: ${terminalSafe(note)}`));
  lines.push("");
  const idWidth = Math.max(...s.checks.map((k) => k.id.length), 10);
  for (const check of s.checks) {
    lines.push(checkLine(c, check, idWidth, false));
    if (check.hint) lines.push(c.cyan(`    hint: ${terminalSafe(check.hint)}`));
    lines.push(...indent(evidenceLines(check.evidence, { maxLines }), "    ").map((l) => c.dim(l)));
  }
  return lines.join("\n") + "\n";
}

function studentSection(
  result: GradeResult,
  s: SubmissionResult,
  c: Colors,
  maxLines: number,
): string[] {
  const shown = shownChecks(result.spec, s);
  const notShown = notShownSentence(result.spec, s);
  const earned = shown.reduce((sum, k) => sum + k.points, 0);
  const possible = shown.reduce((sum, k) => sum + k.maxPoints, 0);
  const scoreText = `${formatPoints(earned)} of ${formatPoints(possible)} points${
    notShown ? " from the checks you can see" : ""
  }`;
  const lines = [c.bold(`sockgrade: ${terminalSafe(s.id)} — ${scoreText}`), ""];
  const first = firstThingToFix(shown);
  if (first) {
    const paint = statusColor(c, first.status);
    lines.push(
      paint(c.bold("THE FIRST THING TO FIX")),
      `  ${first.id} (${titleOf(first.id)}, ${formatPoints(first.points)}/${
        formatPoints(first.maxPoints)
      } points)`,
      `  ${terminalSafe(first.message)}`,
    );
    if (first.hint) lines.push(c.cyan(`  How to fix it: ${terminalSafe(first.hint)}`));
    const evidence = evidenceLines(first.evidence, { maxLines });
    if (evidence.length > 0) lines.push("  What the grader saw:", ...indent(evidence, "    "));
  } else {
    const line = nothingToFixLine(shown);
    const allRan = line.startsWith("Nothing to fix");
    lines.push(allRan ? c.green(c.bold(line)) : c.yellow(c.bold(line)));
  }
  lines.push("", c.bold("All checks you can see"));
  const idWidth = Math.max(...shown.map((k) => k.id.length), 10);
  for (const check of shown) {
    lines.push(`  ${checkLine(c, check, idWidth, true)}`);
    if (check !== first && check.hint && check.status !== "pass") {
      lines.push(c.cyan(`      How to fix it: ${terminalSafe(check.hint)}`));
    }
  }
  const errors = shown.filter((k) => k.status === "error").length;
  if (errors > 0) {
    lines.push(
      "",
      c.magenta(
        `The grader itself could not run ${errors} check${
          errors === 1 ? "" : "s"
        } (marked E); they do not count against you. If this happens again, tell your teacher.`,
      ),
    );
  }
  if (notShown) lines.push("", notShown);
  return lines;
}

/**
 * The student view for self-checking (`deno task grade .`): for each submission, a friendly
 * report with THE FIRST THING TO FIX on top, then every check the student may see with its
 * message and hint. Checks the spec marks `hidden` or `after_due_date` are left out (and
 * counted), and the score shown is the visible checks' score.
 */
export function formatStudentView(result: GradeResult, options: DetailOptions): string {
  const c = createColors(options.color);
  const maxLines = options.maxLines ?? 12;
  const sections = result.submissions.map((s) => studentSection(result, s, c, maxLines));
  const lines = sections.flatMap((section, i) => i === 0 ? section : ["", "", ...section]);
  const env = result.environment;
  lines.push(
    "",
    c.dim(
      `Fix one thing at a time, then run the grader again.${
        env
          ? ` (environment: ${env.id}${env.unsandboxed ? ", ran unsandboxed: trusted code" : ""})`
          : ""
      }`,
    ),
  );
  return lines.join("\n") + "\n";
}
