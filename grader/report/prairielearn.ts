/**
 * PrairieLearn's external-grader `results.json` for one submission (PrairieLearn grades each
 * submission in its own container and reads `/grade/results/results.json`).
 *
 * `score` is the fraction earned (0..1). PrairieLearn shows every listed test to the student at
 * once and has no per-test visibility, so checks the spec marks `hidden` or `after_due_date` are
 * left out of `tests` (their points still count in `score`, and `message` says how many are not
 * shown). `output` is the plain-text student view.
 *
 * Grader faults: a check the grader itself could not run (`error`) has left `maxScore`, so
 * `score` is the share of what could be graded and a fault never lowers it; `message` names the
 * checks that were not counted. The entry script (examples/integrations/platform_results.ts)
 * grades again when a check worth points ended in `error`; only when that retry also has one
 * (`retryFailed`), or when nothing could be graded, is the result `gradable: false`:
 * PrairieLearn then records no grade and does not use up the student's attempt.
 *
 * @example
 * ```ts
 * import { formatPrairieLearn } from "./prairielearn.ts";
 * import { sampleSingle } from "./_sample_result.ts";
 * const results = JSON.parse(formatPrairieLearn(sampleSingle("alice")));
 * if (results.score !== 1 || !results.gradable) throw new Error("unexpected");
 * ```
 * @module
 */

import type { GradeResult } from "../result.ts";
import {
  checkEvidenceText,
  checkMessageText,
  descriptionOf,
  shownChecks,
  singleSubmission,
  studentSummary,
  titleOf,
  unreliableChecks,
} from "./_student.ts";
import { terminalSafe } from "./_text.ts";
import type { SingleSubmissionOptions } from "./gradescope.ts";
import { fractionOf } from "./_score.ts";

/** Options for {@linkcode toPrairieLearn}. */
export interface PrairieLearnOptions extends SingleSubmissionOptions {
  /** The grader could not run a scored check on a second attempt either (see the module doc). */
  retryFailed?: boolean;
}
import { formatStudentView } from "./table.ts";

/** One PrairieLearn test. */
export interface PrairieLearnTest {
  /** `<check id>: <title>`. */
  name: string;
  /** What passing means (from the catalogue). */
  description: string;
  /** Points earned. */
  points: number;
  /** Points possible. */
  max_points: number;
  /** The check's message and hint. */
  message: string;
  /** The evidence as text. */
  output: string;
}

/** PrairieLearn's results.json. */
export interface PrairieLearnResults {
  /** False when a grader fault makes the grade unreliable (see the module doc). */
  gradable: boolean;
  /** The fraction of points earned, 0..1. */
  score: number;
  /** The first thing to fix, what is not shown, or why it could not be graded. */
  message: string;
  /** The plain-text student view. */
  output: string;
  /** One test per check the student may see. */
  tests: PrairieLearnTest[];
}

/** PrairieLearn's results.json as an object (see the module doc for the rules). */
export function toPrairieLearn(
  result: GradeResult,
  options: PrairieLearnOptions = {},
): PrairieLearnResults {
  const submission = singleSubmission(result, "PrairieLearn", options.submissionId);
  const faults = unreliableChecks(submission);
  const fraction = fractionOf(submission);
  const gradable = faults.length === 0 || (fraction !== undefined && !options.retryFailed);
  const named = faults.map((c) => `${c.id} (${terminalSafe(c.message).replace(/\.$/, "")})`)
    .join(", ");
  const message = gradable
    ? [
      studentSummary(result.spec, submission),
      ...(faults.length > 0
        ? [`Not counted, because the grader itself could not run them: ${named}.`]
        : []),
    ].join("\n")
    : `This submission could not be graded: the grader itself could not run ${named}. It does not count against you; submit again, and tell your teacher if this happens again.`;
  const single: GradeResult = { ...result, submissions: [submission] };
  return {
    gradable,
    score: fraction ?? 0,
    message,
    output: formatStudentView(single, { color: false }),
    tests: shownChecks(result.spec, submission).map((check) => ({
      name: `${check.id}: ${titleOf(check.id)}`,
      description: descriptionOf(check.id),
      points: check.points,
      max_points: check.maxPoints,
      message: checkMessageText(check),
      output: checkEvidenceText(check),
    })),
  };
}

/** PrairieLearn's results.json as pretty JSON text. */
export function formatPrairieLearn(
  result: GradeResult,
  options: PrairieLearnOptions = {},
): string {
  return JSON.stringify(toPrairieLearn(result, options), null, 2) + "\n";
}
