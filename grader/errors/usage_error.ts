/**
 * The errors the entry point (`main.ts`) prints as one line and turns into an exit status
 * (EXERCISE.md §5): {@linkcode UsageError} for mistakes in how sockgrade was called (bad
 * arguments, missing files, a report path that cannot be written: 2) and
 * {@linkcode GraderFailure} for a run the grader could not complete (1). Anything else that
 * escapes is a bug and is not swallowed.
 *
 * @module
 */

/** A mistake by the user; its message says what happened and what to do. */
export class UsageError extends Error {
  override name = "UsageError";
  /** The process exit status for usage errors (EXERCISE.md §5). */
  readonly exitCode: number = 2;
}

/** The grader could not do what it was asked (not the user's typing, not a bug). */
export class GraderFailure extends Error {
  override name = "GraderFailure";
  /** The process exit status for grader failures (EXERCISE.md §5). */
  readonly exitCode: number = 1;
}
