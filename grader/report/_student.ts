/**
 * What students may see, shared by the student-facing formats (the student view, Gradescope,
 * PrairieLearn): a check's visibility from the spec, and the first thing to fix.
 *
 * @module
 */

import { type CheckId, CHECKS } from "../checks/catalogue.ts";
import type { CheckResult, GradeResult, SubmissionResult } from "../result.ts";
import type { Spec, Visibility } from "../spec.ts";
import { evidenceLines } from "./_evidence.ts";
import { formatPoints, terminalSafe } from "./_text.ts";

/** A check's visibility in student-facing reports (`visible` unless the spec says otherwise). */
export function visibilityOf(spec: Spec, id: CheckId): Visibility {
  return spec.visibility?.[id] ?? "visible";
}

/** The catalogue title of a check (the id itself for an id the catalogue does not know). */
export function titleOf(id: string): string {
  return CHECKS.find((c) => c.id === id)?.title ?? id;
}

/** The catalogue description of a check, or `""`. */
export function descriptionOf(id: string): string {
  return CHECKS.find((c) => c.id === id)?.description ?? "";
}

/**
 * The check a student should work on first: the first `fail` in catalogue order (the build
 * before the server starting before the trigger, and so on), else the first `warn` that cost
 * points. Skips follow from a fail and errors are the grader's, so neither is ever chosen.
 */
export function firstThingToFix(checks: readonly CheckResult[]): CheckResult | undefined {
  return checks.find((c) => c.status === "fail") ??
    checks.find((c) => c.status === "warn" && c.points < c.maxPoints);
}

/**
 * What a view says when {@linkcode firstThingToFix} finds nothing: "Nothing to fix" only when
 * every check ran; when some were skipped or errored (not run here, for whatever reason), it says
 * so instead, so a student is never told all is well about checks that never ran.
 */
export function nothingToFixLine(checks: readonly CheckResult[]): string {
  const notRun = checks.filter((c) => c.status === "skip" || c.status === "error");
  if (notRun.length === 0) return "Nothing to fix: every check you can see passes.";
  const ids = notRun.map((c) => c.id).join(", ");
  return `No check you can see failed, but ${notRun.length} of them did not run (${ids}): read why in ${
    notRun.length === 1 ? "its message" : "their messages"
  }; this is not yet a verdict on that part of your work.`;
}

/** The checks of a submission a student may see now (visibility `visible`). */
export function shownChecks(spec: Spec, submission: SubmissionResult): CheckResult[] {
  return submission.checks.filter((c) => visibilityOf(spec, c.id) === "visible");
}

/** The sentence that tells a student what is not shown, or `""` when everything is. */
export function notShownSentence(spec: Spec, submission: SubmissionResult): string {
  const hidden = submission.checks.filter((c) => visibilityOf(spec, c.id) === "hidden").length;
  const later = submission.checks.filter((c) => visibilityOf(spec, c.id) === "after_due_date");
  const published = submission.checks.filter((c) => visibilityOf(spec, c.id) === "after_published");
  const parts: string[] = [];
  if (later.length > 0) {
    parts.push(
      `${later.length} check${later.length === 1 ? " is" : "s are"} shown after the due date`,
    );
  }
  if (published.length > 0) {
    parts.push(
      `${published.length} check${
        published.length === 1 ? " is" : "s are"
      } shown when grades are published`,
    );
  }
  if (hidden > 0) parts.push(`${hidden} check${hidden === 1 ? " is" : "s are"} hidden`);
  if (parts.length === 0) return "";
  const points = submission.checks
    .filter((c) => visibilityOf(spec, c.id) !== "visible")
    .reduce((sum, c) => sum + c.maxPoints, 0);
  return `${parts.join(" and ")} (${formatPoints(points)} points in all).`;
}

/** Checks worth points that the grader could not run: while any remain, the grade is unreliable. */
export function unreliableChecks(submission: SubmissionResult): CheckResult[] {
  return submission.checks.filter((c) => c.status === "error" && c.maxPoints > 0);
}

/**
 * The one submission a single-submission format (Gradescope, PrairieLearn) reports: the one
 * named `id`, or the only one. Throws a `RangeError` saying what to do otherwise.
 */
export function singleSubmission(
  result: GradeResult,
  format: string,
  id?: string,
): SubmissionResult {
  if (id !== undefined) {
    const found = result.submissions.find((s) => s.id === id);
    if (!found) {
      throw new RangeError(
        `${format} results: there is no submission "${id}" in this run. Check the submission id.`,
      );
    }
    return found;
  }
  if (result.submissions.length !== 1) {
    throw new RangeError(
      `${format} results describe one submission, but this run has ${result.submissions.length}. Grade a single submission folder for ${format}.`,
    );
  }
  return result.submissions[0]!;
}

/** A check's message and hint (and, for `error`, that it is not charged) as plain text. */
export function checkMessageText(check: CheckResult): string {
  const lines: string[] = [];
  if (check.status === "error") {
    lines.push("The grader itself could not run this check; it does not count against you.");
  }
  lines.push(terminalSafe(check.message));
  if (check.hint) lines.push(`How to fix it: ${terminalSafe(check.hint)}`);
  return lines.join("\n");
}

/** A check's evidence as plain text (`""` when there is none). */
export function checkEvidenceText(check: CheckResult, maxLines = 15): string {
  return evidenceLines(check.evidence, { maxLines }).join("\n");
}

/** A check's message, hint and evidence as the plain text a student reads on a platform. */
export function checkText(check: CheckResult, maxLines = 15): string {
  const evidence = checkEvidenceText(check, maxLines);
  const message = checkMessageText(check);
  return evidence ? `${message}\n\nWhat the grader saw:\n${evidence}` : message;
}

/** A short plain-text summary for the student: the first thing to fix and what is not shown. */
export function studentSummary(spec: Spec, submission: SubmissionResult): string {
  const shown = shownChecks(spec, submission);
  const first = firstThingToFix(shown);
  const lines: string[] = [];
  if (first) {
    lines.push(
      `The first thing to fix: ${first.id} (${titleOf(first.id)}): ${terminalSafe(first.message)}`,
    );
    if (first.hint) lines.push(`How to fix it: ${terminalSafe(first.hint)}`);
  } else {
    lines.push(nothingToFixLine(shown));
  }
  const errors = shown.filter((c) => c.status === "error").length;
  if (errors > 0) {
    lines.push(
      `The grader could not run ${errors} check${
        errors === 1 ? "" : "s"
      }; they do not count against you. If this happens again, tell your teacher.`,
    );
  }
  const notShown = notShownSentence(spec, submission);
  if (notShown) lines.push(notShown);
  return lines.join("\n");
}
