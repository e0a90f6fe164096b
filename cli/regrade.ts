/**
 * `grade --regrade-errors <result.json>`: grades again only the submissions that an earlier
 * result graded with checks the grader could not run (`error`), with the earlier result's spec,
 * and merges the new gradings into it (the newest grading of a student wins). Written with
 * `--json` to the same file, the earlier result is replaced atomically:
 *
 * ```
 * deno task grade --regrade-errors result.json --json result.json class/
 * ```
 *
 * Also: {@linkcode regradeCommand}, that command for the run that just ended, which the class
 * table's footer prints when a check could not run.
 *
 * @module
 */

import {
  idsWithErrors,
  mergeRegrade,
  mergeResults,
  readResultFile,
  regradeSelection,
} from "../grader/inputs/mod.ts";
import type { GradeResult } from "../grader/result.ts";
import type { Spec } from "../grader/spec.ts";
import { userPath } from "./paths.ts";
import { UsageError } from "../grader/errors/usage_error.ts";

/** An earlier result to regrade, read and checked before anything is graded. */
export class Regrade {
  private constructor(
    /** The earlier result. */
    readonly earlier: GradeResult,
    /** Its path as the user typed it (it labels its run in the reports). */
    readonly name: string,
  ) {}

  /**
   * Reads the earlier result (`--regrade-errors`). `--shard` is refused: a regrade keeps the
   * earlier result's shard. Without `--json`, a note says the merged result will not be saved.
   *
   * @throws {UsageError} for an unreadable or invalid file, or with `--shard`.
   */
  static async load(
    given: string,
    options: { shard?: string; json?: string; quiet?: boolean },
  ): Promise<Regrade> {
    if (options.shard !== undefined) {
      throw new UsageError(
        `--regrade-errors regrades the submissions of ${given} and keeps its shard: leave out --shard.`,
      );
    }
    const regrade = new Regrade(await readResultFile(userPath(given)), given);
    if (options.json === undefined && !options.quiet) {
      console.error(
        `note: the merged result is only shown; add --json ${given} to save it over the earlier one.`,
      );
    }
    return regrade;
  }

  /**
   * The spec to grade with: the earlier result's, or `given` (from `--spec`) when it is the same.
   *
   * @throws {UsageError} naming the first field where `given` differs.
   */
  spec(given: Spec | undefined): Spec {
    if (given === undefined) return this.earlier.spec;
    mergeResults([this.earlier, { ...this.earlier, spec: given, submissions: [] }], [
      this.name,
      "--spec",
    ]);
    return given;
  }

  /**
   * The submissions to grade again, among those given; notes on standard error name the ones
   * with `error` checks that were not given (their earlier grade is kept).
   */
  select<T extends { id: string }>(submissions: readonly T[], quiet: boolean): T[] {
    const { chosen, missing } = regradeSelection(submissions, this.earlier);
    if (!quiet) {
      if (missing.length > 0) {
        console.error(
          `note: ${missing.join(", ")} had checks the grader could not run in ${this.name} but ${
            missing.length === 1 ? "is" : "are"
          } not among the submissions given; the earlier grade is kept. Pass the same submissions as the first run.`,
        );
      }
      if (idsWithErrors(this.earlier).length === 0) {
        console.error(
          `note: no submission in ${this.name} has a check the grader could not run; nothing to regrade.`,
        );
      } else if (chosen.length > 0) {
        console.error(`note: regrading ${chosen.map((s) => s.id).join(", ")}.`);
      }
    }
    return chosen;
  }

  /** The earlier run's copy report, which a regrade of some students keeps. */
  get earlierSimilarity(): GradeResult["similarity"] {
    return this.earlier.similarity;
  }

  /** The earlier result with `fresh` (the regrade's own result) merged in; unchanged if empty. */
  merge(fresh: GradeResult): GradeResult {
    if (fresh.submissions.length === 0) return this.earlier;
    return mergeRegrade(this.earlier, fresh, this.name);
  }
}

/** Quotes a word for a POSIX shell when it needs it. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * The command that regrades the `error` checks of the run that just ended, as the user would
 * type it (`prefix` is `deno task`, `sockgrade` …, `paths` the submissions as typed); undefined
 * when the run wrote no JSON file to regrade from.
 */
export function regradeCommand(
  prefix: string,
  paths: readonly string[],
  flags: { json?: string; isolation?: string; trustedCode?: boolean },
): string | undefined {
  if (flags.json === undefined || flags.json === "-") return undefined;
  const json = shellWord(flags.json);
  const extra = [
    ...(flags.isolation && flags.isolation !== "auto" ? [`--isolation ${flags.isolation}`] : []),
    ...(flags.trustedCode ? ["--trusted-code"] : []),
  ];
  return [
    prefix,
    "grade",
    "--regrade-errors",
    json,
    "--json",
    json,
    ...extra,
    ...paths.map(shellWord),
  ]
    .join(" ");
}
