/**
 * Gradescope's `results.json` for one submission (Gradescope runs the autograder once per
 * submission and reads `/autograder/results/results.json`).
 *
 * Every check becomes a test named `<check id>: <title>` with its points, a `passed`/`failed`
 * status, its message, hint and evidence as text, and the spec's visibility, which Gradescope
 * takes as is: `visible`, `hidden` (never shown to students) and `after_due_date`. The top-level
 * `output` (the first thing to fix) is made from visible checks only, so it never gives away a
 * hidden one; `score` is the submission's whole score. Outputs are plain text
 * (`output_format: "text"`), never HTML.
 *
 * Status rule: `pass` and `warn` pass; `fail` and `skip` fail; `error` (the grader could not run
 * the check) passes when it was not charged (full points) and fails otherwise.
 *
 * @example
 * ```ts
 * import { formatGradescope } from "./gradescope.ts";
 * import { sampleSingle } from "./_sample_result.ts";
 * const results = JSON.parse(formatGradescope(sampleSingle("alice")));
 * if (results.score !== 100 || results.tests.length !== 15) throw new Error("unexpected");
 * ```
 * @module
 */

import type { CheckResult, GradeResult } from "../result.ts";
import type { Visibility } from "../spec.ts";
import { checkText, singleSubmission, studentSummary, titleOf, visibilityOf } from "./_student.ts";

/** One Gradescope test case. */
export interface GradescopeTest {
  /** `<check id>: <title>`. */
  name: string;
  /** Points earned. */
  score: number;
  /** Points possible. */
  max_score: number;
  /** Whether the check passed (see the module's status rule). */
  status: "passed" | "failed";
  /** Message, hint and evidence, as plain text. */
  output: string;
  /** Who sees it, from the spec. */
  visibility: Visibility;
}

/** Gradescope's results.json. */
export interface GradescopeResults {
  /** The submission's score. */
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

function status(check: CheckResult): "passed" | "failed" {
  switch (check.status) {
    case "pass":
    case "warn":
      return "passed";
    case "error":
      return check.points >= check.maxPoints ? "passed" : "failed";
    default:
      return "failed";
  }
}

/** Gradescope's results.json as an object (see the module doc for the mapping). */
export function toGradescope(
  result: GradeResult,
  options: SingleSubmissionOptions = {},
): GradescopeResults {
  const submission = singleSubmission(result, "Gradescope", options.submissionId);
  return {
    score: submission.score,
    execution_time: Math.round(submission.durationMs / 1000),
    output: studentSummary(result.spec, submission),
    output_format: "text",
    test_output_format: "text",
    tests: submission.checks.map((check) => ({
      name: `${check.id}: ${titleOf(check.id)}`,
      score: check.points,
      max_score: check.maxPoints,
      status: status(check),
      output: checkText(check),
      visibility: visibilityOf(result.spec, check.id),
    })),
  };
}

/** Gradescope's results.json as pretty JSON text. */
export function formatGradescope(
  result: GradeResult,
  options: SingleSubmissionOptions = {},
): string {
  return JSON.stringify(toGradescope(result, options), null, 2) + "\n";
}
