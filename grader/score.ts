/**
 * Scoring: turns check outcomes into scored results with the spec's rubric. `pass` earns the
 * check's points, `warn` earns its fraction of them (full by default), `fail` earns its fraction
 * (partial points for the cases that passed, EXERCISE.md §3; none by default), `skip` earns
 * nothing, and `error` (the grader's own fault) is never charged to the student: the check's
 * points leave the maximum instead, so the score is out of what could be graded.
 *
 * @example
 * ```ts
 * import { scoreSubmission } from "./score.ts";
 * import { DEFAULT_SPEC } from "./spec.ts";
 * const scored = scoreSubmission([
 *   { id: "server.trigger", status: "pass", message: "ok", evidence: {}, durationMs: 1 },
 *   { id: "server.output", status: "warn", fraction: 0.5, message: "extra lines", evidence: {}, durationMs: 1 },
 * ], DEFAULT_SPEC);
 * if (scored.score !== 16) throw new Error(String(scored.score));
 * ```
 * @module
 */

import { CHECK_IDS, notApplicable } from "./checks/catalogue.ts";
import type { CheckOutcome } from "./checks/types.ts";
import type { CheckResult, SubmissionResult } from "./result.ts";
import type { Spec } from "./spec.ts";

/** Scored checks plus the totals. */
export interface Scored {
  /** Every check with its points, in catalogue order. */
  checks: CheckResult[];
  /** Points earned. */
  score: number;
  /** Points possible (without checks the grader could not run). */
  maxScore: number;
}

/** Rounds to two decimals so partial credit stays readable. */
function round(n: number): number {
  return Math.round(n * 100) / 100;
}

/** Applies the spec's rubric to check outcomes and sums the score. */
export function scoreSubmission(outcomes: readonly CheckOutcome[], spec: Spec): Scored {
  const order = new Map(CHECK_IDS.map((id, i) => [id, i]));
  const checks = [...outcomes]
    .sort((a, b) => order.get(a.id)! - order.get(b.id)!)
    .map((o): CheckResult => {
      // A check that does not apply to the spec's transport leaves the maximum (EXERCISE.md §6).
      const maxPoints = o.status === "skip" && notApplicable(o.id, spec.transport ?? "tcp")
        ? 0
        : spec.points[o.id];
      const share = o.status === "pass"
        ? 1
        : o.status === "warn"
        ? Math.min(1, Math.max(0, o.fraction ?? 1))
        : o.status === "fail"
        ? Math.min(1, Math.max(0, o.fraction ?? 0))
        : 0;
      const { fraction: _fraction, ...rest } = o;
      return { ...rest, points: round(maxPoints * share), maxPoints };
    });
  const counted = checks.filter((c) => c.status !== "error");
  return {
    checks,
    score: round(counted.reduce((sum, c) => sum + c.points, 0)),
    maxScore: round(counted.reduce((sum, c) => sum + c.maxPoints, 0)),
  };
}

/**
 * Whether a graded submission has full marks: every point of a non-empty rubric, and no check the
 * grader could not run (a score out of less than the whole rubric is not full marks).
 */
export function hasFullMarks(s: Pick<SubmissionResult, "score" | "maxScore" | "checks">): boolean {
  return s.maxScore > 0 && s.score >= s.maxScore && !s.checks.some((k) => k.status === "error");
}
