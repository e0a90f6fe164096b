/**
 * The sandbox's own failures, kept apart from what a student's program does: a grader fault is
 * reported as `error` (never charged to the student) and worth one retry.
 *
 * @example
 * ```ts
 * import { SandboxError } from "./errors.ts";
 * const error = new SandboxError("bwrap: Can't mount tmpfs on /newroot/tmp: No space left on device");
 * if (!(error instanceof Error) || error.name !== "SandboxError") throw new Error("wrong class");
 * ```
 * @module
 */

/**
 * The sandbox could not start or contain a program for a reason that is not the program's: a
 * namespace, cgroup or mount could not be made, the wrapper (`unshare`, `bwrap`, `/bin/sh`) is
 * missing or could not be spawned. Callers map it to the `error` status and may retry once.
 */
export class SandboxError extends Error {
  override name = "SandboxError";
}
