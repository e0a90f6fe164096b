/**
 * The error type for mistakes in how sockgrade was called (bad arguments, missing files): the
 * entry point prints its message as one line and exits 2. Anything else that escapes is a bug and
 * is not swallowed.
 *
 * @module
 */

/** A mistake by the user; its message says what happened and what to do. */
export class UsageError extends Error {
  override name = "UsageError";
  /** The process exit status for usage errors (EXERCISE.md §5). */
  readonly exitCode = 2;
}
