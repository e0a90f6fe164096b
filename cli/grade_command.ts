/**
 * `sockgrade grade [options] <submission…>`: expands the arguments (folders, a class folder, an
 * LMS zip), grades them, and writes the reports. With no argument it grades the bundled samples
 * in `examples/submissions/`.
 *
 * @module
 */

import { Command, Option } from "commander";
import {
  type ExpandedInputs,
  expandInputs,
  parseShard,
  selectShard,
} from "../grader/inputs/mod.ts";
import { grade, IsolationError } from "../grader/run/grade.ts";
import { createProgress } from "../grader/run/progress.ts";
import type { Spec } from "../grader/spec.ts";
import {
  addReportOptions,
  checkReportOptions,
  type ReportOptions,
  resolveReportPaths,
  writeReports,
} from "./reports.ts";
import { userPath } from "./paths.ts";
import { type ReferenceSubmission, referenceSubmission } from "../grader/inputs/reference.ts";
import { GraderFailure, UsageError } from "../grader/errors/usage_error.ts";
import { copySamples } from "./samples.ts";
import { specFromOption } from "./server_command.ts";
import { examples } from "./help.ts";
import { Regrade, regradeCommand } from "./regrade.ts";
import { commandPrefix } from "./invocation.ts";
import {
  addSimilarityOptions,
  checkSimilarityOptions,
  type SimilarityFlags,
  similarityOf,
} from "./similarity_options.ts";

interface GradeFlags extends ReportOptions, SimilarityFlags {
  spec?: string;
  jobs?: number;
  isolation: "auto" | "netns" | "none";
  shard?: string;
  cache: boolean;
  trustedCode?: boolean;
  regradeErrors?: string;
}

/** Parses `--jobs`. */
function parseJobs(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 256) {
    throw new UsageError(`--jobs takes a whole number from 1 to 256, not "${text}".`);
  }
  return n;
}

/** Grades submissions and writes the reports; used by the `grade` command's action. */
export async function runGrade(
  givenPaths: string[],
  givenFlags: GradeFlags,
  prefix = commandPrefix(),
): Promise<void> {
  // `deno task grade .` runs in sockgrade's folder: paths are meant from where it was typed.
  const paths = givenPaths.map(userPath);
  const flags = resolveReportPaths(givenFlags);
  const regrade = flags.regradeErrors ? await Regrade.load(flags.regradeErrors, flags) : undefined;
  const spec: Spec = regrade
    ? regrade.spec(flags.spec ? await specFromOption(flags.spec) : undefined)
    : await specFromOption(flags.spec);
  const shard = flags.shard ? parseShard(flags.shard) : undefined;
  await checkReportOptions(flags);
  await checkSimilarityOptions(flags);
  const samples = paths.length === 0 ? await copySamples() : undefined;
  let inputs: ExpandedInputs | undefined;
  let reference: ReferenceSubmission | undefined;
  try {
    inputs = await expandInputs(samples ? [samples.path] : paths);
    if (samples) {
      for (const s of inputs.submissions) s.source = `examples/submissions/${s.id}`;
      // The reference solution is TypeScript, assembled with `deno info`: the compiled
      // executable grades the samples without it.
      if (Deno.build.standalone) {
        if (!flags.quiet) {
          console.error("note: the reference solution is graded by `deno task grade` only.");
        }
      } else {
        reference = await referenceSubmission(spec);
        inputs.submissions.unshift({
          id: "reference",
          path: reference.path,
          source: "server.ts + client.ts (the reference solution)",
        });
      }
    }
    for (const note of inputs.notes) console.error(`note: ${note}`);
    const sliced = shard
      ? selectShard(inputs.submissions, shard.index, shard.count)
      : inputs.submissions;
    const chosen = regrade ? regrade.select(sliced, flags.quiet === true) : sliced;
    if ((flags.gradescope || flags.prairielearn) && chosen.length !== 1) {
      throw new UsageError(
        `--gradescope and --prairielearn describe one submission, but ${chosen.length} were found. Grade one submission at a time for them.`,
      );
    }
    const progress = createProgress(chosen.length, { quiet: flags.quiet || flags.json === "-" });
    let result;
    try {
      result = await grade(chosen.map(({ id, path }) => ({ id, path })), spec, {
        isolation: flags.isolation,
        jobs: flags.jobs,
        cache: flags.cache,
        // The bundled samples and the reference solution are sockgrade's own code.
        trusted: samples !== undefined || flags.trustedCode === true,
        onResult: (r) => progress.tick({ id: r.id, failed: r.score < r.maxScore }),
      });
    } catch (error) {
      if (error instanceof IsolationError) throw new GraderFailure(error.message);
      throw error;
    } finally {
      progress.stop();
    }
    result.submissions = result.submissions.map((s, i) => ({ ...s, path: chosen[i]!.source }));
    if (shard) result.shard = `${shard.index}/${shard.count}`;
    if (regrade) {
      // The copy report compares a whole class: a regrade keeps the earlier run's.
      const earlier = regrade.earlierSimilarity;
      result = regrade.merge(result);
      if (earlier) result.similarity = earlier;
    } else {
      result.similarity = await similarityOf(chosen, { ...flags, shard: result.shard });
    }
    if (result.isolation === "none" && flags.isolation !== "none" && !flags.quiet) {
      console.error(`note: graded on ${result.isolationReason}.`);
    }
    await writeReports(result, flags, {
      regradeCommand: regradeCommand(prefix, givenPaths, givenFlags),
    });
  } finally {
    await inputs?.cleanup();
    await reference?.cleanup();
    await samples?.cleanup();
  }
}

/** The `grade` command; `prefix` is how the user runs commands, for the examples in its help. */
export function gradeCommand(prefix = "deno task"): Command {
  return addReportOptions(addSimilarityOptions(
    new Command("grade")
      .summary("grade submissions (with none, the bundled samples)")
      .description(
        "Grade submissions: folders (one per student), a folder of student folders, or an LMS " +
          "zip (Moodle, Canvas). With none, grades the bundled samples and the reference solution.",
      )
      .argument("[submissions...]", "submission folders, class folders or LMS .zip files")
      .option("--spec <file>", "the assignment spec (JSON or JSONC); default: the article's")
      .option(
        "-j, --jobs <n>",
        "submissions graded at once, fixed (default: adapts to the idle CPU and free memory, 1 to 16 per core)",
        parseJobs,
      )
      .addOption(
        new Option("--isolation <mode>", "how programs are networked (see the README)")
          .choices(["auto", "netns", "none"])
          .default("auto"),
      )
      .option("--shard <i/n>", "grade only slice I of N (merge the JSON results with `merge`)")
      .option(
        "--regrade-errors <result.json>",
        "grade again only the submissions that result.json has checks the grader could not run " +
          "for, with its spec, and merge them into it (write it back with --json result.json)",
      )
      .option(
        "--trusted-code",
        "the submissions are code you trust (your own): run them even where sockgrade cannot " +
          "sandbox them (no bubblewrap, no user namespaces); reports say they ran unsandboxed",
      )
      .option(
        "--no-cache",
        "build every submission again instead of restoring an earlier build of the same files " +
          "(cache: $SOCKGRADE_CACHE_DIR, else ~/.cache/sockgrade/builds)",
      ),
  )).addHelpText(
    "after",
    examples(prefix, "grade", [
      ["", "the bundled samples"],
      [".", "your own submission, from its folder"],
      ["class/ --json result.json --csv grades.csv", "a class, with reports"],
      [
        "--regrade-errors result.json --json result.json class/",
        "grade again what the grader could not run",
      ],
    ]),
  ).action(async (paths: string[], flags: GradeFlags) => {
    await runGrade(paths, flags, prefix);
  });
}
