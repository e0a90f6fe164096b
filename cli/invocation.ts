/**
 * How the user ran sockgrade, so that usage lines, examples and "run … --help" hints name the
 * command the way it was typed: `sockgrade grade` for the compiled executable
 * (`Deno.build.standalone`), `deno task grade` when a `deno task` started it (the task runner sets
 * `INIT_CWD` and runs in sockgrade's own folder), else `deno run -A main.ts grade`.
 *
 * @example
 * ```ts
 * import { commandPrefix } from "./invocation.ts";
 * const prefix = commandPrefix({ standalone: false, task: true });
 * if (`${prefix} grade` !== "deno task grade") throw new Error(prefix);
 * ```
 *
 * @module
 */

import { startedByTask } from "./paths.ts";

/** What decides the command's name. */
export interface Invocation {
  /** The compiled executable. */
  standalone: boolean;
  /** Started by `deno task`. */
  task: boolean;
}

/** How this process was started (see the module doc). */
export function currentInvocation(): Invocation {
  return {
    standalone: Deno.build.standalone === true,
    task: startedByTask(),
  };
}

/** What the user typed before the command's name: `sockgrade`, `deno task` or `deno run …`. */
export function commandPrefix(how: Invocation = currentInvocation()): string {
  if (how.standalone) return "sockgrade";
  return how.task ? "deno task" : "deno run -A main.ts";
}
