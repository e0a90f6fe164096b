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
import { formatJson } from "../grader/report/json.ts";
import { formatJunit } from "../grader/report/junit.ts";
import { formatCsv } from "../grader/report/csv.ts";
import { formatGradescope } from "../grader/report/gradescope.ts";
import { formatPrairieLearn } from "../grader/report/prairielearn.ts";
import { renderHtmlReport } from "../grader/report/html.ts";
import { GraderFailure, UsageError } from "./usage_error.ts";
import { checkOutputs, type Output, writeFileAtomic, writeFolderAtomic } from "./output_files.ts";

/** The parsed report flags. */
export interface ReportOptions {
  json?: string;
  junit?: string;
  csv?: string;
  gradescope?: string;
  prairielearn?: string;
  html?: string;
  detail?: boolean;
  quiet?: boolean;
  color?: boolean;
}

/** Adds the report flags to a command. */
export function addReportOptions(command: Command): Command {
  return command
    .option("--json <file>", "write the sockgrade/result@1 JSON to FILE (- for standard output)")
    .option("--junit <file>", "write JUnit XML (one testsuite per submission) to FILE")
    .option("--csv <file>", "write a gradebook CSV (id, score, max, one column per check) to FILE")
    .option("--gradescope <file>", "write Gradescope's results.json (one submission) to FILE")
    .option("--prairielearn <file>", "write PrairieLearn's results.json (one submission) to FILE")
    .option("--html <dir>", "write a static HTML report (class overview, one page per student)")
    .option("--detail", "print every check's message and evidence")
    .option("-q, --quiet", "no progress bar and no table; only the files asked for")
    .option("--no-color", "no colours on the terminal (NO_COLOR is honoured too)");
}

/** Whether to colour standard output. */
function useColor(options: ReportOptions): boolean {
  return options.color !== false && Deno.stdout.isTerminal() &&
    !(Deno.env.get("NO_COLOR") ?? "");
}

/** The report files and folder the options name (`--json -` is standard output, not a file). */
export function reportOutputs(options: ReportOptions): Output[] {
  const outputs: Output[] = [];
  const file = (option: string, path: string | undefined) => {
    if (path !== undefined && path !== "-") outputs.push({ option, path, kind: "file" });
  };
  file("--json", options.json);
  file("--junit", options.junit);
  file("--csv", options.csv);
  file("--gradescope", options.gradescope);
  file("--prairielearn", options.prairielearn);
  if (options.html !== undefined) {
    outputs.push({ option: "--html", path: options.html, kind: "folder" });
  }
  return outputs;
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
 * went to stdout. A report that cannot be written does not stop the others.
 *
 * @throws {GraderFailure} after writing the others, naming each report that could not be written.
 */
export async function writeReports(result: GradeResult, options: ReportOptions): Promise<void> {
  const single = result.submissions.length === 1;
  if ((options.gradescope || options.prairielearn) && !single) {
    throw new UsageError(
      `--gradescope and --prairielearn describe one submission, but ${result.submissions.length} were graded. Grade one submission at a time for them.`,
    );
  }
  const json = formatJson(result);
  const formats: Record<string, (r: GradeResult) => string> = {
    "--json": () => json,
    "--junit": formatJunit,
    "--csv": formatCsv,
    "--gradescope": formatGradescope,
    "--prairielearn": formatPrairieLearn,
  };
  const failures: string[] = [];
  for (const output of reportOutputs(options)) {
    try {
      if (output.kind === "folder") {
        await writeFolderAtomic(output.path, renderHtmlReport(result));
      } else {
        await writeFileAtomic(output.path, formats[output.option]!(result));
      }
    } catch (error) {
      failures.push(`${output.option} ${output.path} (${(error as Error).message})`);
    }
  }
  if (options.json === "-") {
    await Deno.stdout.write(new TextEncoder().encode(json));
  } else if (!options.quiet) {
    const color = useColor(options);
    const width = Deno.stdout.isTerminal() ? Deno.consoleSize().columns : 100;
    const blocks = single && !options.detail ? [formatStudentView(result, { color })] : [
      formatTable(result, { color, width }),
      ...(options.detail ? result.submissions.map((s) => formatDetail(s, { color })) : []),
    ];
    console.log(blocks.join("\n\n"));
  }
  if (failures.length > 0) {
    const written = reportOutputs(options).length - failures.length;
    throw new GraderFailure(
      `could not write ${failures.join("; ")}${
        written > 0 ? `; the other ${written} report(s) were written` : ""
      }. Check the disk and the paths, then run \`merge\` on a JSON result or grade again.`,
    );
  }
}
