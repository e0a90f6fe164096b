/**
 * `sockgrade merge <result.json…>`: joins the JSON results of sharded runs (`grade --shard I/N`)
 * or of a regrade into one result and writes the same reports `grade` writes. A student graded in
 * several results keeps the newest grading; a note on standard error says whose grade moved.
 *
 * @module
 */

import { Command } from "commander";
import {
  mergeResults,
  readResultFile,
  type Replacement,
  shardCoverage,
} from "../grader/inputs/mod.ts";
import {
  addReportOptions,
  checkReportOptions,
  type ReportOptions,
  resolveReportPaths,
  writeReports,
} from "./reports.ts";
import { userPath } from "./paths.ts";
import { examples } from "./help.ts";
import { regradeCommand } from "./regrade.ts";

/** The `merge` command; `prefix` is how the user runs commands, for the examples in its help. */
export function mergeCommand(prefix = "deno task"): Command {
  return addReportOptions(
    new Command("merge")
      .summary("merge sharded --json results")
      .description(
        "Merge the --json results of sharded grading runs into one result. A student found in " +
          "several results keeps the newest grading (by the run's start; on a tie, the later file).",
      )
      .argument("<results...>", "sockgrade/result@1 JSON files"),
  ).addHelpText(
    "after",
    examples(prefix, "merge", [
      ["shard-1.json shard-2.json --csv grades.csv", ""],
      ["result.json regraded.json --json result.json", "newer grades replace older ones"],
    ]),
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
    const replaced: Replacement[] = [];
    const merged = mergeResults(results, givenFiles, (r) => replaced.push(r));
    if (replaced.length > 0 && !flags.quiet) console.error(replacementNote(replaced));
    const json = typeof givenFlags.json === "string" ? givenFlags.json : undefined;
    const regrade = regradeCommand(prefix, [], { json });
    await writeReports(merged, flags, { regradeCommand: regrade && `${regrade} CLASS/` });
  });
}

/** One line saying which students were graded more than once and which grading each kept. */
export function replacementNote(replaced: readonly Replacement[]): string {
  const shown = replaced.slice(0, 5).map((r) =>
    `${r.id} from ${r.kept.file ?? `the run of ${r.kept.startedAt}`}`
  );
  const more = replaced.length > shown.length ? `, and ${replaced.length - shown.length} more` : "";
  const count = replaced.length === 1 ? "1 student was" : `${replaced.length} students were`;
  return `note: ${count} graded more than once; each keeps the newest grading (${
    shown.join(", ")
  }${more}).`;
}
