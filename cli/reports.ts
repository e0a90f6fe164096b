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
import { writeHtmlReport } from "../grader/report/html.ts";
import { UsageError } from "./usage_error.ts";

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

/** Writes a text file, turning a bad path into a one-line usage error. */
async function writeText(path: string, text: string, what: string): Promise<void> {
  try {
    await Deno.writeTextFile(path, text);
  } catch (error) {
    throw new UsageError(
      `Cannot write the ${what} to ${path}: ${(error as Error).message}. Check the path.`,
    );
  }
}

/** Writes every report asked for, then the terminal view unless quiet or JSON went to stdout. */
export async function writeReports(result: GradeResult, options: ReportOptions): Promise<void> {
  const single = result.submissions.length === 1;
  if ((options.gradescope || options.prairielearn) && !single) {
    throw new UsageError(
      `--gradescope and --prairielearn describe one submission, but ${result.submissions.length} were graded. Grade one submission at a time for them.`,
    );
  }
  const json = formatJson(result);
  if (options.json && options.json !== "-") await writeText(options.json, json, "JSON result");
  if (options.junit) await writeText(options.junit, formatJunit(result), "JUnit report");
  if (options.csv) await writeText(options.csv, formatCsv(result), "CSV gradebook");
  if (options.gradescope) {
    await writeText(options.gradescope, formatGradescope(result), "Gradescope results");
  }
  if (options.prairielearn) {
    await writeText(options.prairielearn, formatPrairieLearn(result), "PrairieLearn results");
  }
  if (options.html) {
    try {
      await Deno.mkdir(options.html, { recursive: true });
      await writeHtmlReport(result, options.html);
    } catch (error) {
      throw new UsageError(
        `Cannot write the HTML report to ${options.html}: ${
          (error as Error).message
        }. Check the path.`,
      );
    }
  }
  if (options.json === "-") {
    await Deno.stdout.write(new TextEncoder().encode(json));
    return;
  }
  if (options.quiet) return;
  const color = useColor(options);
  const width = Deno.stdout.isTerminal() ? Deno.consoleSize().columns : 100;
  const blocks = single && !options.detail ? [formatStudentView(result, { color })] : [
    formatTable(result, { color, width }),
    ...(options.detail ? result.submissions.map((s) => formatDetail(s, { color })) : []),
  ];
  console.log(blocks.join("\n\n"));
}
