/**
 * Where command-line paths are meant from. `deno task grade .` runs in sockgrade's own folder
 * whatever folder it was typed in, so paths typed by the user (submissions, `--spec`, report
 * files, merge inputs) are resolved against the folder the task was started from.
 *
 * @module
 */

import { resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The sockgrade checkout, where `deno task` runs whatever folder it was started from. */
const REPO_DIR = fileURLToPath(new URL("..", import.meta.url));

function realPath(path: string): string {
  try {
    return Deno.realPathSync(path);
  } catch {
    return resolve(path);
  }
}

/**
 * Whether a `deno task` started this process: the task runner records the folder it was started
 * from in `INIT_CWD` and runs in sockgrade's own folder. `INIT_CWD` is inherited by every process
 * below a task (and an inner task keeps the outer one's), so it counts only while the working
 * directory is sockgrade's folder.
 */
export function startedByTask(): boolean {
  return initCwd() !== undefined && realPath(Deno.cwd()) === realPath(REPO_DIR);
}

/** `INIT_CWD`, read only where it may be read without a permission prompt. */
function initCwd(): string | undefined {
  const access = Deno.permissions.querySync({ name: "env", variable: "INIT_CWD" });
  return access.state === "granted" ? Deno.env.get("INIT_CWD") : undefined;
}

/**
 * The folder the user typed the command in: `INIT_CWD` under `deno task`, else the working
 * directory (a direct `deno run`, or the compiled executable, keeps the user's folder).
 */
export function invocationDir(): string {
  return startedByTask() ? initCwd()! : Deno.cwd();
}

/** A path from the command line, made absolute when it is meant from another folder. */
export function userPath(path: string): string {
  const base = invocationDir();
  return path === "-" || base === Deno.cwd() ? path : resolve(base, path);
}
