/**
 * Text helpers shared by the report writers: terminal column widths (wide CJK and emoji count
 * two columns, combining marks none), padding and truncation by visible width, points and
 * durations, the id sort order, and making untrusted text safe for a terminal.
 *
 * @module
 */

import { escapeControls } from "../text/bytes.ts";
import type { CheckStatus } from "../result.ts";

const segmenter = new Intl.Segmenter("en", { granularity: "grapheme" });
// deno-lint-ignore no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g;

/** Code point ranges that a terminal shows two columns wide (East Asian Wide and Fullwidth). */
const WIDE: ReadonlyArray<readonly [number, number]> = [
  [0x1100, 0x115f],
  [0x231a, 0x231b],
  [0x2329, 0x232a],
  [0x2e80, 0x303e],
  [0x3041, 0x33ff],
  [0x3400, 0x4dbf],
  [0x4e00, 0x9fff],
  [0xa000, 0xa4cf],
  [0xa960, 0xa97f],
  [0xac00, 0xd7a3],
  [0xf900, 0xfaff],
  [0xfe10, 0xfe19],
  [0xfe30, 0xfe6f],
  [0xff00, 0xff60],
  [0xffe0, 0xffe6],
  [0x1f300, 0x1f64f],
  [0x1f900, 0x1f9ff],
  [0x20000, 0x3fffd],
];

function isWide(codePoint: number): boolean {
  return WIDE.some(([lo, hi]) => codePoint >= lo && codePoint <= hi);
}

function graphemeWidth(grapheme: string): number {
  const codePoint = grapheme.codePointAt(0)!;
  if (codePoint < 0x20 || (codePoint >= 0x7f && codePoint < 0xa0)) return 0;
  if (/^\p{M}+$/u.test(grapheme) || /^[\u200b-\u200f\u2060\ufeff]$/.test(grapheme)) return 0;
  if (
    /\p{Extended_Pictographic}/u.test(grapheme) && /\ufe0f|\p{Emoji_Presentation}/u.test(grapheme)
  ) {
    return 2;
  }
  return isWide(codePoint) ? 2 : 1;
}

/** Removes ANSI colour codes. */
export function stripAnsi(text: string): string {
  return text.replace(ANSI, "");
}

/** The number of terminal columns `text` takes (colour codes take none). */
export function visibleWidth(text: string): number {
  let width = 0;
  for (const { segment } of segmenter.segment(stripAnsi(text))) width += graphemeWidth(segment);
  return width;
}

/** Cuts plain `text` to at most `width` columns, ending with `…` when something was cut. */
export function truncate(text: string, width: number): string {
  if (visibleWidth(text) <= width) return text;
  let out = "";
  let used = 0;
  for (const { segment } of segmenter.segment(text)) {
    const w = graphemeWidth(segment);
    if (used + w > width - 1) break;
    out += segment;
    used += w;
  }
  return `${out}…`;
}

/** Pads `text` with spaces on the right to `width` columns. */
export function padEnd(text: string, width: number): string {
  return text + " ".repeat(Math.max(0, width - visibleWidth(text)));
}

/** Pads `text` with spaces on the left to `width` columns. */
export function padStart(text: string, width: number): string {
  return " ".repeat(Math.max(0, width - visibleWidth(text))) + text;
}

/** Points as people write them: `15`, `2.5`, `0.33`. */
export function formatPoints(points: number): string {
  return String(Math.round(points * 100) / 100);
}

/** A duration: `850 ms`, `1.8 s`, `2 min 5 s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${Math.round(ms / 100) / 10} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms - minutes * 60_000) / 1000)} s`;
}

const collator = new Intl.Collator("en", { numeric: true, sensitivity: "variant" });

/** The order of students in every report: natural, locale-independent (`s2` before `s10`). */
export function compareIds(a: string, b: string): number {
  return collator.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);
}

/**
 * Makes untrusted text safe to print on a terminal: control characters (which could move the
 * cursor or change colours) become `\xNN` escapes, `\n` `\r` `\t` become `\n` `\r` `\t`, and
 * bidirectional formatting characters (U+202E and the like, which make text read otherwise than
 * it is) become `\uNNNN` (see `bytes.ts` `escapeControls`).
 */
export function terminalSafe(text: string): string {
  return escapeControls(text);
}

/** One-character status marks for terminals and plain text. */
export const STATUS_MARK: Readonly<Record<CheckStatus, string>> = {
  pass: "✓",
  fail: "✗",
  warn: "!",
  skip: "-",
  error: "E",
};

/** Status words for people. */
export const STATUS_WORD: Readonly<Record<CheckStatus, string>> = {
  pass: "passed",
  fail: "failed",
  warn: "passed with a remark",
  skip: "skipped",
  error: "grader error",
};
