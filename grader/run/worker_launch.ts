/**
 * How a grading worker is started: the argv that `worker_process.ts` runs inside the worker's
 * namespace. Under `deno` it is `deno run -A --no-prompt <entry>`; in the single executable that
 * `deno compile` makes (`deno task compile`), where no `deno` may be installed, the executable
 * re-executes itself with the hidden command {@linkcode WORKER_COMMAND}, for which `main.ts` calls
 * `runWorker()` of `worker_main.ts`. Either way the worker runs the same code and speaks the same
 * JSON-line protocol.
 *
 * @example
 * ```ts
 * import { workerArgv, WORKER_COMMAND } from "./worker_launch.ts";
 * const deno = workerArgv("/src/grader/run/worker_main.ts", { standalone: false, execPath: "/bin/deno" });
 * if (deno.join(" ") !== "/bin/deno run -A --no-prompt /src/grader/run/worker_main.ts") throw new Error();
 * const exe = workerArgv("/src/grader/run/worker_main.ts", { standalone: true, execPath: "/opt/sockgrade" });
 * if (exe.join(" ") !== `/opt/sockgrade ${WORKER_COMMAND}`) throw new Error();
 * ```
 *
 * @module
 */

/** The hidden command line argument that makes the executable a grading worker. */
export const WORKER_COMMAND = "__sockgrade_worker";

/** Where the grader runs: under `deno`, or as the compiled executable. */
export interface Runtime {
  /** Whether this is the `deno compile` executable (`Deno.build.standalone`). */
  standalone: boolean;
  /** The running executable (`Deno.execPath()`): the deno binary, or the compiled one. */
  execPath: string;
}

/** The runtime this process is. */
export function currentRuntime(): Runtime {
  return { standalone: Deno.build.standalone === true, execPath: Deno.execPath() };
}

/**
 * The argv that starts a worker whose entry module is `entry`. The compiled executable has one
 * worker built in (`worker_main.ts`), so there `entry` is not used.
 */
export function workerArgv(entry: string, runtime: Runtime = currentRuntime()): string[] {
  return runtime.standalone
    ? [runtime.execPath, WORKER_COMMAND]
    : [runtime.execPath, "run", "-A", "--no-prompt", entry];
}
