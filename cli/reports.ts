/**
 * Report options shared by `grade` and `merge`: the flags for every output format, and writing
 * them from a finished {@linkcode GradeResult}. The terminal view is a class table, or for a
 * single submission a student's report with the first thing to fix at the top.
 *
 * @module
 */

import type { Command } from "commander";
import type { GradeResult } from "../grader/result.ts";
import { formatDetail, formatStudentView, formatTable } from "../grader/report/table.ts";
import { REPORT_FORMATS, type ReportFormat } from "../grader/report/mod.ts";
import { GraderFailure, UsageError } from "../grader/errors/usage_error.ts";
import { userPath } from "./paths.ts";
import { checkOutputs, type Output, writeFileAtomic, writeFolderAtomic } from "./output_files.ts";

/** The parsed report flags: a path per report format asked for (see `REPORT_FORMATS`). */
export interface ReportOptions {
  [format: string]: unknown;
  detail?: boolean;
  quiet?: boolean;
  color?: boolean;
}

/** The path given for a format, if any. */
export function reportPath(options: ReportOptions, format: ReportFormat): string | undefined {
  const value = options[format.name];
  return typeof value === "string" ? value : undefined;
}

/** The report options with their paths resolved by `userPath` (see `paths.ts`). */
export function resolveReportPaths<T extends ReportOptions>(options: T): T {
  const resolved: ReportOptions = { ...options };
  for (const format of REPORT_FORMATS) {
    const path = reportPath(options, format);
    if (path !== undefined) resolved[format.name] = userPath(path);
  }
  return resolved as T;
}

/** Adds the report flags to a command: one per report format, then the terminal's. */
export function addReportOptions(command: Command): Command {
  for (const format of REPORT_FORMATS) {
    command.option(
      `--${format.name} <${format.output === "folder" ? "dir" : "file"}>`,
      format.description,
    );
  }
  return command
    .option("--detail", "print every check's message and evidence")
    .option("-q, --quiet", "no progress bar and no table; only the files asked for")
    .option("--no-color", "no colours on the terminal (NO_COLOR is honoured too)");
}

/** Whether to colour standard output. */
function useColor(options: ReportOptions): boolean {
  return options.color !== false && Deno.stdout.isTerminal() &&
    !(Deno.env.get("NO_COLOR") ?? "");
}

/** The report files and folders the options name (`-` is standard output, not a file). */
export function reportOutputs(options: ReportOptions): (Output & { format: ReportFormat })[] {
  return REPORT_FORMATS.flatMap((format) => {
    const path = reportPath(options, format);
    if (path === undefined || (format.toStdout && path === "-")) return [];
    return [{ option: `--${format.name}`, path, kind: format.output, format }];
  });
}

/**
 * Checks every report path before anything is graded (see `output_files.ts`).
 *
 * @throws {UsageError} when one cannot be written.
 */
export async function checkReportOptions(options: ReportOptions): Promise<void> {
  await checkOutputs(reportOutputs(options));
}

/**
 * Writes every report asked for, each atomically, then the terminal view unless quiet or JSON
 * went to stdout. A report that cannot be written does not stop the others. `view.regradeCommand`
 * is the command the class table names for regrading the checks the grader could not run.
 *
 * @throws {GraderFailure} after writing the others, naming each report that could not be written.
 */
export async function writeReports(
  result: GradeResult,
  options: ReportOptions,
  view: { regradeCommand?: string } = {},
): Promise<void> {
  const single = result.submissions.length === 1;
  const oneOnly = REPORT_FORMATS.filter((f) => f.oneSubmission && reportPath(options, f));
  if (oneOnly.length > 0 && !single) {
    throw new UsageError(
      `${oneOnly.map((f) => `--${f.name}`).join(" and ")} describe${
        oneOnly.length === 1 ? "s" : ""
      } one submission, but ${result.submissions.length} were graded. Grade one submission at a time for ${
        oneOnly.length === 1 ? "it" : "them"
      }.`,
    );
  }
  const failures: string[] = [];
  const outputs = reportOutputs(options);
  for (const output of outputs) {
    try {
      const rendered = output.format.render(result);
      if (typeof rendered === "string") await writeFileAtomic(output.path, rendered);
      else await writeFolderAtomic(output.path, rendered);
    } catch (error) {
      failures.push(`${output.option} ${output.path} (${(error as Error).message})`);
    }
  }
  const toStdout = REPORT_FORMATS.find((f) => f.toStdout && reportPath(options, f) === "-");
  if (toStdout) {
    await Deno.stdout.write(new TextEncoder().encode(toStdout.render(result) as string));
  } else if (!options.quiet) {
    const color = useColor(options);
    const width = Deno.stdout.isTerminal() ? Deno.consoleSize().columns : 100;
    const blocks = single && !options.detail ? [formatStudentView(result, { color })] : [
      formatTable(result, { color, width, regradeCommand: view.regradeCommand }),
      ...(options.detail ? result.submissions.map((s) => formatDetail(s, { color })) : []),
    ];
    console.log(blocks.join("\n\n"));
  }
  if (failures.length > 0) {
    const written = outputs.length - failures.length;
    throw new GraderFailure(
      `could not write ${failures.join("; ")}${
        written > 0 ? `; the other ${written} report(s) were written` : ""
      }. Check the disk and the paths, then run \`merge\` on a JSON result or grade again.`,
    );
  }
}
