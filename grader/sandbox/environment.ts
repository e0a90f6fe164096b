/**
 * Which of the environments of EXERCISE.md §4a sockgrade runs in, and what each lacks:
 *
 * - `E1`: user namespaces and bubblewrap: every program gets a private filesystem view, PID
 *   namespace and (by default) a private network namespace per submission.
 * - `E2`: user namespaces without bubblewrap: no filesystem boundary, so untrusted code is refused
 *   (the fix: install bubblewrap).
 * - `E3`: root without nested user namespaces or admin capabilities (a Docker, Kubernetes,
 *   Gradescope or PrairieLearn container): programs run as dedicated unprivileged users
 *   (`users.ts`), with no capabilities and `no_new_privs`.
 * - `E4`: an ordinary user without user namespaces: nothing can separate programs from the
 *   grader's own files, so untrusted code is refused.
 *
 * Detected once per process (a few ms: the probes of `process.ts`, `filesystem.ts`, `netns.ts`
 * and `users.ts` it builds on are cached). The sandbox itself refuses to start a program where
 * it cannot contain it (`_policy.ts`); `trustPrograms()` lifts that for code the user said is
 * trusted (`grade --trusted-code`, the bundled samples).
 *
 * @example
 * ```ts
 * import { detectEnvironment } from "./environment.ts";
 * const env = await detectEnvironment();
 * if (!["E1", "E2", "E3", "E4"].includes(env.id)) throw new Error(env.id);
 * ```
 * @module
 */

import { canUseDedicatedUsers, isRoot } from "./_policy.ts";
import { namespaceSupport } from "./netns.ts";
import { containment } from "./process.ts";
import { dedicatedUsers } from "./users.ts";

export { BUBBLEWRAP_FIX, programsTrusted, trustPrograms } from "./_policy.ts";

/** The environments of EXERCISE.md §4a. */
export type EnvironmentId = "E1" | "E2" | "E3" | "E4";

/** What was found, for the run's report (`GradeResult.environment`). */
export interface Environment {
  /** Which environment this is. */
  id: EnvironmentId;
  /** One sentence: what the environment is and how programs are contained in it. */
  description: string;
  /** What this environment lacks that E1 has (empty in a complete E1). */
  lacks: string[];
  /** Whether untrusted code can be contained here (E1, E3). */
  contains: boolean;
}

let detected: Promise<Environment> | undefined;
/** Detects the environment once per process. */
export function detectEnvironment(): Promise<Environment> {
  detected ??= (async () => {
    const box = containment();
    const namespaces = await namespaceSupport();
    const lacks: string[] = [];
    if (!namespaces.ok) lacks.push(`private network namespaces (${namespaces.reason})`);
    if (!box.pidsCgroup) lacks.push("a writable pids cgroup (processes capped by RLIMIT_NPROC)");
    if (!box.memoryCgroup) lacks.push("a writable memory cgroup (memory capped by RLIMIT_DATA)");
    if (box.filesystem === "private") {
      return {
        id: "E1",
        description:
          "E1: bubblewrap gives every program a private filesystem view, PID namespace and no capabilities",
        lacks,
        contains: true,
      };
    }
    lacks.unshift(`a private filesystem view (${box.filesystemReason})`);
    if (namespaces.ok) {
      return {
        id: "E2",
        description:
          "E2: user namespaces but no bubblewrap, so programs could read and write every file the grader can",
        lacks,
        contains: false,
      };
    }
    const users = dedicatedUsers();
    if (canUseDedicatedUsers(box)) {
      return {
        id: "E3",
        description:
          "E3: a container as root without nested user namespaces; programs run as dedicated unprivileged users with no capabilities and no_new_privs, and every process of that user is killed when its program ends",
        lacks: [...lacks, "a private PID namespace (processes are killed by user instead)"],
        contains: true,
      };
    }
    return {
      id: isRoot() ? "E3" : "E4",
      description: isRoot()
        ? `E3 without the means to switch users (${users.reason}), so programs would run as root and see everything`
        : "E4: an ordinary user without user namespaces, so programs would run as this user and could read and write every file it can",
      lacks: isRoot() ? [...lacks, `dedicated users (${users.reason})`] : lacks,
      contains: false,
    };
  })();
  return detected;
}
