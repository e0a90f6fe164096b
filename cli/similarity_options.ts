/**
 * The `grade` command's copy-detection options (`--similarity-threshold`, `--no-similarity`,
 * `--similarity-base`) and running copy detection on the graded submissions. Copy detection is
 * an alert for the teacher: it adds the result's `similarity` section and never changes a score.
 *
 * @module
 */

import type { Command } from "commander";
import type { SimilarityReport } from "../grader/result.ts";
import { DEFAULT_THRESHOLD, detectCopies } from "../grader/similarity/mod.ts";
import { userPath } from "./paths.ts";
import { UsageError } from "../grader/errors/usage_error.ts";

/** The parsed copy-detection flags. */
export interface SimilarityFlags {
  /** False with `--no-similarity`. */
  similarity: boolean;
  /** `--similarity-threshold`. */
  similarityThreshold?: number;
  /** `--similarity-base`, repeatable, as typed. */
  similarityBase?: string[];
}

/** Parses `--similarity-threshold`: a share from 0 to 1, or a percentage. */
export function parseThreshold(text: string): number {
  const percent = text.endsWith("%");
  const n = Number(percent ? text.slice(0, -1) : text) / (percent ? 100 : 1);
  if (text.trim() === "" || !Number.isFinite(n) || n <= 0 || n > 1) {
    throw new UsageError(
      `--similarity-threshold takes a share above 0 and at most 1 (such as 0.6 or 60%), not "${text}".`,
    );
  }
  return n;
}

/** Adds the copy-detection options to the `grade` command. */
export function addSimilarityOptions(command: Command): Command {
  return command
    .option(
      "--similarity-threshold <share>",
      `list pairs of submissions whose code is at least this alike (default ${DEFAULT_THRESHOLD}; ` +
        "copy detection, see the README: an alert, never a grade)",
      parseThreshold,
    )
    .option(
      "--similarity-base <dir>",
      "starter code you gave the class: like the article's example code, it is reported as " +
        "such and never counts as a copy (repeatable)",
      (dir: string, dirs: string[] = []) => [...dirs, dir],
    )
    .option("--no-similarity", "do not compare the submissions with one another");
}

/** Checks `--similarity-base` before grading starts: each must be a folder. */
export async function checkSimilarityOptions(flags: SimilarityFlags): Promise<void> {
  for (const dir of flags.similarityBase ?? []) {
    const info = await Deno.stat(userPath(dir)).catch(() => undefined);
    if (!info?.isDirectory) {
      throw new UsageError(
        `--similarity-base ${dir} is not a folder. Give the folder that holds the starter code.`,
      );
    }
  }
}

/**
 * Compares the graded submissions (absent with `--no-similarity`, and for a single submission:
 * a student checking their own work sees nothing of it); a shard's comparison says that it covers
 * its slice only. Unless `quiet`, one line on standard error says what it found.
 */
export async function similarityOf(
  submissions: readonly { id: string; path: string }[],
  flags: SimilarityFlags & { quiet?: boolean; shard?: string },
): Promise<SimilarityReport | undefined> {
  if (!flags.similarity || submissions.length < 2) return undefined;
  const report = await detectCopies(submissions, {
    threshold: flags.similarityThreshold,
    baseDirs: (flags.similarityBase ?? []).map(userPath),
  });
  if (flags.shard) {
    report.notes.unshift(
      `Shard ${flags.shard}: only its own submissions were compared with one another. ` +
        "Grade the whole class in one run to compare everyone.",
    );
  }
  if (!flags.quiet && (report.pairs.length > 0 || report.mostlyBase.length > 0)) {
    console.error(
      `note: copy detection: ${report.pairs.length} pair${
        report.pairs.length === 1 ? "" : "s"
      } of submissions at least ${Math.round(report.threshold * 100)} % alike, ` +
        `${report.mostlyBase.length} mostly the article's (or your starter) code; ` +
        "see the JSON or HTML report (an alert to look at, never a grade).",
    );
  }
  return report;
}
