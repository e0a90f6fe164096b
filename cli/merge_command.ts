/**
 * `sockgrade merge <result.json…>`: joins the JSON results of sharded runs (`grade --shard I/N`)
 * into one result and writes the same reports `grade` writes.
 *
 * @module
 */

import { Command } from "commander";
import { mergeResults, readResultFile, shardCoverage } from "../grader/inputs/mod.ts";
import {
  addReportOptions,
  checkReportOptions,
  type ReportOptions,
  writeReports,
} from "./reports.ts";
import { resolveReportPaths, userPath } from "./paths.ts";
import { examples } from "./help.ts";

/** The `merge` command; `prefix` is how the user runs commands, for the examples in its help. */
export function mergeCommand(prefix = "deno task"): Command {
  return addReportOptions(
    new Command("merge")
      .summary("merge sharded --json results")
      .description("Merge the --json results of sharded grading runs into one result.")
      .argument("<results...>", "sockgrade/result@1 JSON files"),
  ).addHelpText(
    "after",
    examples(prefix, "merge", [["shard-1.json shard-2.json --csv grades.csv", ""]]),
  ).action(async (givenFiles: string[], givenFlags: ReportOptions) => {
    const files = givenFiles.map(userPath);
    const flags = resolveReportPaths(givenFlags);
    await checkReportOptions(flags);
    const results = await Promise.all(files.map(readResultFile));
    const coverage = shardCoverage(results, files);
    if (coverage && coverage.missing.length > 0) {
      console.error(
        `note: shards ${
          coverage.missing.join(", ")
        } of ${coverage.count} are missing; the merged result covers only the others.`,
      );
    }
    await writeReports(mergeResults(results, files), flags);
  });
}
