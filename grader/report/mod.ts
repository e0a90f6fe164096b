/**
 * The report formats sockgrade writes, as one table: each row is a command-line option, what it
 * writes (one file or a folder of files) and how it is made from a finished result. The `grade`
 * and `merge` commands derive their options, the up-front path checks and the writing from this
 * table, so a new format is one module and one row here.
 *
 * @example
 * ```ts
 * import { REPORT_FORMATS } from "./mod.ts";
 * import { sampleResult } from "./_sample_result.ts";
 * const junit = REPORT_FORMATS.find((f) => f.name === "junit")!;
 * const xml = junit.render(sampleResult());
 * if (typeof xml !== "string" || !xml.startsWith("<?xml")) throw new Error("not XML");
 * ```
 * @module
 */

import type { GradeResult } from "../result.ts";
import { formatCsv } from "./csv.ts";
import { formatGradescope } from "./gradescope.ts";
import { renderHtmlReport } from "./html.ts";
import { formatJson } from "./json.ts";
import { formatJunit } from "./junit.ts";
import { formatPrairieLearn } from "./prairielearn.ts";

/** One report format. */
export interface ReportFormat {
  /** The option's name (`--<name> <path>`) and its key in the parsed options. */
  readonly name: string;
  /** What the path names: one file, or a folder of files. */
  readonly output: "file" | "folder";
  /** The option's help line. */
  readonly description: string;
  /** True when the format describes exactly one submission (platform results files). */
  readonly oneSubmission?: boolean;
  /** True when `-` writes it to standard output instead of a file. */
  readonly toStdout?: boolean;
  /** The file's text, or for a folder each file's path inside it and text. */
  render(result: GradeResult): string | Map<string, string>;
}

/** Every report format, in the order of `--help` and of writing. */
export const REPORT_FORMATS: readonly ReportFormat[] = [
  {
    name: "json",
    output: "file",
    description: "write the sockgrade/result@1 JSON to FILE (- for standard output)",
    toStdout: true,
    render: formatJson,
  },
  {
    name: "junit",
    output: "file",
    description: "write JUnit XML (one testsuite per submission) to FILE",
    render: formatJunit,
  },
  {
    name: "csv",
    output: "file",
    description: "write a gradebook CSV (id, score, max, percent, one column per check) to FILE",
    render: (result) => formatCsv(result),
  },
  {
    name: "gradescope",
    output: "file",
    description: "write Gradescope's results.json (one submission) to FILE",
    oneSubmission: true,
    render: (result) => formatGradescope(result),
  },
  {
    name: "prairielearn",
    output: "file",
    description: "write PrairieLearn's results.json (one submission) to FILE",
    oneSubmission: true,
    render: (result) => formatPrairieLearn(result),
  },
  {
    name: "html",
    output: "folder",
    description: "write a static HTML report (class overview, one page per student) to DIR",
    render: renderHtmlReport,
  },
];
