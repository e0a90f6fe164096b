/**
 * The static HTML report: `index.html` (class overview: score histogram, per-check pass rates,
 * students linking to their pages) and `students/<safe-name>.html` per student (every check with
 * status, points, message, hint and evidence, and an SVG sequence diagram for every exchange).
 *
 * It works offline: CSS is inline, there are no fonts or external resources, the only script is
 * the class list's sorting and filtering (inline, allowed by its hash), and each page declares a
 * Content-Security-Policy that allows nothing else. Passing checks name their exchanges; a check
 * that went wrong opens its first failing exchange with a sequence diagram. Every piece of text from a
 * submission is escaped (see html/markup.ts). Staff format: nothing is hidden.
 *
 * @example
 * ```ts
 * import { renderHtmlReport } from "./html.ts";
 * import { sampleResult } from "./_sample_result.ts";
 * const files = renderHtmlReport(sampleResult());
 * if (!files.get("index.html")?.includes("<svg")) throw new Error("no histogram");
 * ```
 * @module
 */

import { dirname, join } from "node:path";
import type { GradeResult } from "../result.ts";
import { studentFileNames } from "./html/file_names.ts";
import { indexPage, studentPage } from "./html/pages.ts";

/** The folder (relative to the report folder) that holds the student pages. */
export const STUDENTS_DIR = "students";

/**
 * The report's files as a map from relative path (`index.html`, `students/<name>.html`) to HTML
 * text. Pure: nothing is written.
 */
export function renderHtmlReport(result: GradeResult): Map<string, string> {
  const names = studentFileNames(result.submissions.map((s) => s.id));
  const links = new Map([...names].map(([id, name]) => [id, `${STUDENTS_DIR}/${name}`]));
  const files = new Map<string, string>([["index.html", indexPage(result, links).value]]);
  for (const s of result.submissions) {
    files.set(links.get(s.id)!, studentPage(result, s, "../index.html").value);
  }
  return files;
}

/**
 * Writes the report into `dir` (created if missing; files of an earlier report are
 * overwritten) and returns the paths written, `index.html` first.
 */
export async function writeHtmlReport(result: GradeResult, dir: string): Promise<string[]> {
  const written: string[] = [];
  for (const [relative, text] of renderHtmlReport(result)) {
    const path = join(dir, relative);
    await Deno.mkdir(dirname(path), { recursive: true });
    await Deno.writeTextFile(path, text);
    written.push(path);
  }
  return written;
}
