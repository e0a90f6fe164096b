/**
 * Normalised scores for places whose scale sockgrade does not set (a CSV imported into an LMS
 * column, Gradescope's total, PrairieLearn's 0..1). A check the grader could not run (`error`)
 * has already left `maxScore` (grader/score.ts), so every form here is "earned out of what could
 * be graded": a grader fault never lowers a grade on any scale.
 *
 * @module
 */

import type { SubmissionResult } from "../result.ts";

/** Rounds to two decimals. */
function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

/** The share of gradable points earned, 0..1; `undefined` when nothing could be graded. */
export function fractionOf(
  submission: Pick<SubmissionResult, "score" | "maxScore">,
): number | undefined {
  if (!(submission.maxScore > 0)) return undefined;
  return Math.min(1, Math.max(0, submission.score / submission.maxScore));
}

/** `score / maxScore * 100` to two decimals; `undefined` when nothing could be graded. */
export function percentOf(
  submission: Pick<SubmissionResult, "score" | "maxScore">,
): number | undefined {
  const fraction = fractionOf(submission);
  return fraction === undefined ? undefined : round2(fraction * 100);
}

/** The full rubric: every check's points, the ones the grader could not run included. */
export function rubricTotal(submission: Pick<SubmissionResult, "checks">): number {
  return round2(submission.checks.reduce((sum, c) => sum + c.maxPoints, 0));
}

/**
 * The score on the full rubric's scale (`fraction × rubric total`, two decimals): what a platform
 * whose total is the whole rubric (Gradescope) should show. 0 when nothing could be graded.
 */
export function scaledToRubric(
  submission: Pick<SubmissionResult, "score" | "maxScore" | "checks">,
  total = rubricTotal(submission),
): number {
  return round2((fractionOf(submission) ?? 0) * total);
}
