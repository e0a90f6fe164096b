/**
 * Whether the sandbox may start an untrusted program here: only where it can contain it (a
 * private filesystem view, or dedicated users as root in a container), unless the user said the
 * code is trusted. `process.ts` asks {@linkcode untrustedCodeProblem} before every start, so no
 * caller can run student code uncontained by forgetting to check; `environment.ts` re-exports
 * these for the grading run.
 *
 * Only this folder imports it.
 *
 * @module
 */

import { dedicatedUsers } from "./users.ts";

/** The one-line fix for E2, as the refusal and the tests word it. */
export const BUBBLEWRAP_FIX = "install bubblewrap (apt-get install bubblewrap)";

let trusted = false;

/** Whether this process runs as root. */
export function isRoot(): boolean {
  try {
    return Deno.uid() === 0;
  } catch {
    return false;
  }
}

/**
 * Lets programs run where they cannot be contained (E2, E4): for code the user trusts. Process
 * wide; trusted callers only (the `--trusted-code` option, the bundled samples).
 */
export function trustPrograms(): void {
  trusted = true;
}

/** Whether {@linkcode trustPrograms} was called. */
export function programsTrusted(): boolean {
  return trusted;
}

/** What the sandbox found (the fields of `process.ts`'s `ContainmentInfo` this needs). */
export interface Found {
  /** `pid-namespace` or `process-group`. */
  kind: string;
  /** Why not a PID namespace. */
  reason?: string;
  /** `private` when bubblewrap makes the view. */
  filesystem: string;
  /** Why not the view. */
  filesystemReason?: string;
}

/** Whether programs can run as dedicated users: root without namespaces, able to switch users. */
export function canUseDedicatedUsers(box: Found): boolean {
  return box.filesystem !== "private" && box.kind === "process-group" && isRoot() &&
    dedicatedUsers().ok;
}

/**
 * Whether programs run as dedicated users: where they can, unless the code is trusted (then they
 * run as root without capabilities, which can read the grader's Deno cache for sockgrade's own
 * reference solution).
 */
export function usesDedicatedUsers(box: Found): boolean {
  return !trusted && canUseDedicatedUsers(box);
}

/**
 * Why an untrusted program must not start here, or undefined when it may (see the module doc).
 * One sentence that names the fix.
 */
export function untrustedCodeProblem(box: Found): string | undefined {
  if (trusted || box.filesystem === "private" || canUseDedicatedUsers(box)) return undefined;
  if (box.kind === "pid-namespace") {
    return `sockgrade cannot contain untrusted programs here: ${box.filesystemReason}; ${BUBBLEWRAP_FIX}, or pass --trusted-code to run code you trust without a sandbox`;
  }
  if (isRoot()) {
    return `sockgrade cannot contain untrusted programs here: it runs as root without namespaces and cannot switch to a dedicated user (${dedicatedUsers().reason}); pass --trusted-code to run code you trust without a sandbox`;
  }
  return `sockgrade cannot contain untrusted programs here: without user namespaces (${box.reason}) programs would run as this user and could read and write every file it can; enable user namespaces and ${BUBBLEWRAP_FIX}, or pass --trusted-code to run code you trust without a sandbox`;
}
