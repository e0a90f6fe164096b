/**
 * Gradescope's `results.json` for one submission (Gradescope runs the autograder once per
 * submission and reads `/autograder/results/results.json`). Fields as Gradescope documents them:
 * top-level `score` (which overrides the sum of the tests), `execution_time`, `output`,
 * `output_format`, `test_output_format`, `tests`; per test `name`, `score`, `max_score`,
 * `status` (`passed`/`failed`), `output` and `visibility` (`visible`, `hidden`,
 * `after_due_date`, `after_published`). Outputs are plain text (`"text"`), never HTML.
 *
 * How points reach Gradescope's scale (its total is set in its own UI, normally the rubric's
 * total of 100):
 * - The top-level `score` is the share of gradable points earned, scaled to the full rubric
 *   (`score / maxScore × rubric total`): a check the grader could not run (`error`) counts as
 *   neither earned nor lost, so a grader fault never lowers the total (65/67 is sent as 97.01,
 *   not 65).
 * - Such a check is sent as a test with no `score`, `max_score` or `status`, and an output that
 *   says the grader could not run it: never as a 0-point failure.
 * - `hidden` checks (never shown to students) carry no points unless `hiddenPoints` is set, as
 *   Gradescope advises (a hidden test's points would show in a total the student cannot
 *   explain); without it, the rubric total and the score leave them out, so set Gradescope's
 *   total to the rubric minus the hidden checks' points.
 *
 * Status rule: `pass` and `warn` pass; `fail` and `skip` fail.
 *
 * @example
 * ```ts
 * import { formatGradescope } from "./gradescope.ts";
 * import { sampleSingle } from "./_sample_result.ts";
 * // alice passes everything; the sample spec hides server.robustness (5 points).
 * const results = JSON.parse(formatGradescope(sampleSingle("alice")));
 * if (results.score !== 95 || results.tests.length !== 15) throw new Error("unexpected");
 * const counted = JSON.parse(formatGradescope(sampleSingle("alice"), { hiddenPoints: true }));
 * if (counted.score !== 100) throw new Error("unexpected");
 * ```
 * @module
 */

import type { CheckResult, GradeResult } from "../result.ts";
import type { Visibility } from "../spec.ts";
import { scaledToRubric } from "./_score.ts";
import { checkText, singleSubmission, studentSummary, titleOf, visibilityOf } from "./_student.ts";
import { formatPoints } from "./_text.ts";

/** One Gradescope test case. */
export interface GradescopeTest {
  /** `<check id>: <title>`. */
  name: string;
  /** Points earned (absent for a check the grader could not run). */
  score?: number;
  /** Points possible (absent for a check the grader could not run). */
  max_score?: number;
  /** Whether the check passed (absent for a check the grader could not run). */
  status?: "passed" | "failed";
  /** Message, hint and evidence, as plain text. */
  output: string;
  /** Who sees it, from the spec. */
  visibility: Visibility;
}

/** Gradescope's results.json. */
export interface GradescopeResults {
  /** The score on the rubric's scale (see the module doc); overrides the tests' sum. */
  score: number;
  /** Grading wall time in seconds. */
  execution_time: number;
  /** Summary for the student (from visible checks only). */
  output: string;
  /** Plain-text rendering for `output`. */
  output_format: "text";
  /** Plain-text rendering for every test's `output`. */
  test_output_format: "text";
  /** One test per check, in catalogue order. */
  tests: GradescopeTest[];
}

/** Options for single-submission formats. */
export interface SingleSubmissionOptions {
  /** Which submission to report when the result holds several (default: the only one). */
  submissionId?: string;
}

/** Options for {@linkcode toGradescope}. */
export interface GradescopeOptions extends SingleSubmissionOptions {
  /** Let `hidden` checks carry their points (default false; see the module doc). */
  hiddenPoints?: boolean;
}

function status(check: CheckResult): "passed" | "failed" {
  return check.status === "pass" || check.status === "warn" ? "passed" : "failed";
}

/** Gradescope's results.json as an object (see the module doc for the mapping). */
export function toGradescope(
  result: GradeResult,
  options: GradescopeOptions = {},
): GradescopeResults {
  const submission = singleSubmission(result, "Gradescope", options.submissionId);
  const pointless = (check: CheckResult) =>
    !options.hiddenPoints && visibilityOf(result.spec, check.id) === "hidden";
  const rubric = submission.checks.filter((c) => !pointless(c));
  const graded = rubric.filter((c) => c.status !== "error");
  const earned = graded.reduce((sum, c) => sum + c.points, 0);
  const possible = graded.reduce((sum, c) => sum + c.maxPoints, 0);
  const total = rubric.reduce((sum, c) => sum + c.maxPoints, 0);
  const faults = rubric.filter((c) => c.status === "error" && c.maxPoints > 0);
  const summary = [studentSummary(result.spec, submission)];
  if (faults.length > 0) {
    summary.push(
      `Your score is out of the ${formatPoints(possible)} points that could be graded, scaled to ${
        formatPoints(total)
      }.`,
    );
  }
  return {
    score: scaledToRubric({ score: earned, maxScore: possible, checks: rubric }, total),
    execution_time: Math.round(submission.durationMs / 1000),
    output: summary.join("\n"),
    output_format: "text",
    test_output_format: "text",
    tests: submission.checks.map((check): GradescopeTest => {
      const name = `${check.id}: ${titleOf(check.id)}`;
      const visibility = visibilityOf(result.spec, check.id);
      const output = checkText(check);
      if (check.status === "error") return { name, output, visibility };
      const noPoints = pointless(check);
      return {
        name,
        score: noPoints ? 0 : check.points,
        max_score: noPoints ? 0 : check.maxPoints,
        status: status(check),
        output,
        visibility,
      };
    }),
  };
}

/** Gradescope's results.json as pretty JSON text. */
export function formatGradescope(result: GradeResult, options: GradescopeOptions = {}): string {
  return JSON.stringify(toGradescope(result, options), null, 2) + "\n";
}
