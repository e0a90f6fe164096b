/**
 * The grading run: `grade(submissions, spec, options)` decides the isolation mode once, grades
 * submissions `jobs` at a time, and returns a `sockgrade/result@1` {@linkcode GradeResult}.
 *
 * In `netns` mode each submission is graded by a worker (`worker_main.ts`) started inside its own
 * user + network + PID namespace; `lo` there carries the spec's addresses, so every submission may
 * use port 6666 and programs that hard-code the article's addresses work. When the worker ends,
 * the namespace and every process in it end too. In `none` mode (asked for, or automatic when
 * namespaces cannot be made, with the reason recorded) the worker runs in this process on host
 * loopback with a free port per submission.
 *
 * Speed: builds are restored from the build cache (`submission/build_cache.ts`) when the same
 * files were built before (`cache: false` turns that off), and while a worker grades, the next
 * one is already started and loading its modules, so a class pays the worker's start-up once.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { CHECKS } from "./checks_catalogue.ts";
import {
  type GradeResult,
  type IsolationMode,
  RESULT_SCHEMA,
  type SubmissionResult,
} from "./result.ts";
import { scoreSubmission } from "./score.ts";
import type { Spec } from "./spec.ts";
import { loopbackPlan, namespacePlan } from "./net_plan.ts";
import { gradeSubmission, type WorkerJob } from "./worker.ts";
import { namespaceCommand, namespaceSupport } from "./sandbox/netns.ts";
import { containment } from "./sandbox/process.ts";
import { type Toolchain, toolchain } from "./submission/build.ts";
import { DEFAULT_MAX_BYTES, defaultCacheDir, pruneBuildCache } from "./submission/build_cache.ts";

/** A submission to grade: a student id and a folder. */
export interface SubmissionRef {
  /** The student id shown in reports. */
  id: string;
  /** The submission folder. */
  path: string;
}

/** How to grade. */
export interface GradeOptions {
  /** `auto` (default): namespaces when available, else host loopback with the reason recorded. */
  isolation?: "auto" | IsolationMode;
  /** How many submissions at once (default: the number of cores). */
  jobs?: number;
  /** Called as each submission's result is ready (for progress bars). */
  onResult?: (result: SubmissionResult) => void;
  /**
   * Restore builds made before from the same files and compilers (default true; the CLI's
   * `--no-cache` sets false). The cache is read and written by the grader, never by students.
   */
  cache?: boolean;
  /**
   * The build cache's folder (default: `SOCKGRADE_CACHE_DIR`, else
   * `$XDG_CACHE_HOME/sockgrade/builds`, else `~/.cache/sockgrade/builds`).
   */
  cacheDir?: string;
  /** The build cache's size bound: older entries are removed after a run (default 500 MiB). */
  cacheMaxBytes?: number;
}

/** Namespaces were required (`--isolation netns`) but cannot be made here. */
export class IsolationError extends Error {
  override name = "IsolationError";
}

const WORKER_MAIN = fileURLToPath(new URL("./worker_main.ts", import.meta.url));

/** Whether 127.0.0.2 can be bound here (not on macOS without an alias); the reason if not. */
function strangerProblem(): string | undefined {
  try {
    const listener = Deno.listen({ hostname: "127.0.0.2", port: 0 });
    listener.close();
    return undefined;
  } catch (error) {
    return `127.0.0.2 cannot be used on this machine (${
      (error as Error).message
    }), so the address filter cannot be probed; on macOS run \`sudo ifconfig lo0 alias 127.0.0.2\``;
  }
}

/** A generous bound on one worker's whole run, from the spec's per-step timeouts. */
function workerDeadlineMs(spec: Spec): number {
  const t = spec.timeouts;
  return t.buildMs + 12 * t.startMs + 40 * t.responseMs + 6 * t.clientMs + 10_000;
}

/** Every check as `error`: the grader failed, never charged to the student. */
function graderFault(
  ref: SubmissionRef,
  spec: Spec,
  mode: IsolationMode,
  why: string,
  ms: number,
): SubmissionResult {
  const scored = scoreSubmission(
    CHECKS.map((c) => ({
      id: c.id,
      status: "error" as const,
      message: `sockgrade could not grade this submission (${why}); this is not your fault.`,
      evidence: {},
      durationMs: 0,
    })),
    spec,
  );
  return {
    id: ref.id,
    path: ref.path,
    language: "unknown",
    score: scored.score,
    maxScore: scored.maxScore,
    durationMs: ms,
    isolation: mode,
    checks: scored.checks,
  };
}

/** Starts a worker in a fresh namespace; it loads its modules, then waits for its job. */
function startWorker(): Deno.ChildProcess {
  const [cmd, ...args] = namespaceCommand([
    Deno.execPath(),
    "run",
    "-A",
    "--no-prompt",
    WORKER_MAIN,
  ]);
  return new Deno.Command(cmd!, {
    args,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

/** Ends a started worker that got no job (and with it its namespace). */
async function stopWorker(child: Deno.ChildProcess): Promise<void> {
  try {
    child.kill("SIGKILL");
  } catch {
    // already exited
  }
  await child.output().catch(() => {});
}

/**
 * Workers started ahead of their job: while one grades, the next loads its modules (about a
 * fifth of a second a worker that no submission waits for).
 */
class WorkerPool {
  #spares: Deno.ChildProcess[] = [];

  /** A started worker: a spare when there is one, else a new one. */
  take(): Deno.ChildProcess {
    return this.#spares.shift() ?? startWorker();
  }

  /** Starts a spare for a job that is still to come. */
  prepare(): void {
    this.#spares.push(startWorker());
  }

  /** Ends the spares no job took. */
  async close(): Promise<void> {
    await Promise.all(this.#spares.splice(0).map(stopWorker));
  }
}

/** Hands a job to a started worker in its namespace; rejects on a worker fault. */
async function runNamespacedWorker(
  job: WorkerJob,
  child: Deno.ChildProcess,
): Promise<SubmissionResult> {
  const deadline = setTimeout(() => {
    try {
      child.kill("SIGKILL");
    } catch {
      // already exited
    }
  }, workerDeadlineMs(job.spec));
  try {
    try {
      const writer = child.stdin.getWriter();
      await writer.write(new TextEncoder().encode(JSON.stringify(job)));
      await writer.close();
    } catch (error) {
      // The worker ended before it took the job (e.g. it could not load): end it, report why.
      await stopWorker(child);
      throw new Error(`the grading worker did not take its job (${(error as Error).message})`);
    }
    const { code, signal, stdout, stderr } = await child.output();
    const text = new TextDecoder().decode(stdout).trim();
    if (code !== 0 || !text) {
      const err = new TextDecoder().decode(stderr).trim().split("\n").slice(-3).join(" | ");
      throw new Error(
        signal === "SIGKILL"
          ? "the grading worker ran out of time"
          : `the grading worker exited with status ${code}${err ? `: ${err}` : ""}`,
      );
    }
    return JSON.parse(text.split("\n").at(-1)!) as SubmissionResult;
  } finally {
    clearTimeout(deadline);
  }
}

/** Grades one submission in the chosen mode; a worker fault is retried once, then `error`. */
async function gradeOne(
  ref: SubmissionRef,
  spec: Spec,
  mode: IsolationMode,
  strangerUnavailable: string | undefined,
  tools: Toolchain,
  cache: Pick<WorkerJob, "cache" | "cacheDir">,
  worker: Deno.ChildProcess | undefined,
): Promise<SubmissionResult> {
  const started = performance.now();
  let lastError = "";
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      if (mode === "none") {
        const net = loopbackPlan(strangerUnavailable);
        return await gradeSubmission({ ...ref, spec, net, toolchain: tools, ...cache });
      }
      const net = namespacePlan(spec);
      // A retry gets a new worker: the first one may have been the fault.
      const child = attempt === 0 && worker ? worker : startWorker();
      return await runNamespacedWorker({ ...ref, spec, net, toolchain: tools, ...cache }, child);
    } catch (error) {
      lastError = (error as Error).message;
    }
  }
  return graderFault(ref, spec, mode, lastError, Math.round(performance.now() - started));
}

/** The isolation reason, plus a warning when programs would see the whole filesystem. */
function withFilesystem(reason: string): string {
  const box = containment();
  return box.filesystem === "shared"
    ? `${reason}; programs see the whole filesystem, because ${box.filesystemReason}`
    : reason;
}

/** Decides the isolation mode and why. */
export async function chooseIsolation(
  asked: GradeOptions["isolation"] = "auto",
): Promise<{ mode: IsolationMode; reason: string }> {
  if (asked === "none") {
    return { mode: "none", reason: "host loopback, as asked with --isolation none" };
  }
  const support = await namespaceSupport();
  if (support.ok) {
    return { mode: "netns", reason: "a private network namespace per submission" };
  }
  if (asked === "netns") {
    throw new IsolationError(
      `private network namespaces cannot be made here: ${support.reason}. Use --isolation none to grade on host loopback.`,
    );
  }
  return { mode: "none", reason: `host loopback, because ${support.reason}` };
}

/** Grades submissions and returns the run's result; never throws for a student's code. */
export async function grade(
  submissions: readonly SubmissionRef[],
  spec: Spec,
  options: GradeOptions = {},
): Promise<GradeResult> {
  const startedAt = new Date();
  const started = performance.now();
  const { mode, reason } = await chooseIsolation(options.isolation);
  const strangerUnavailable = mode === "none" ? strangerProblem() : undefined;
  const tools = await toolchain();
  const jobs = Math.max(1, options.jobs ?? navigator.hardwareConcurrency ?? 1);
  const useCache = options.cache ?? true;
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const cache = { cache: useCache, cacheDir };
  const results = new Array<SubmissionResult>(submissions.length);
  const pool = new WorkerPool();
  let next = 0;
  const lane = async () => {
    while (next < submissions.length) {
      const index = next++;
      const worker = mode === "netns" ? pool.take() : undefined;
      // Start the worker of a submission still to come while this one is graded.
      if (worker && next < submissions.length) pool.prepare();
      const result = await gradeOne(
        submissions[index]!,
        spec,
        mode,
        strangerUnavailable,
        tools,
        cache,
        worker,
      );
      results[index] = result;
      options.onResult?.(result);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(jobs, submissions.length) }, lane));
  } finally {
    await pool.close();
  }
  if (useCache) {
    await pruneBuildCache(cacheDir, options.cacheMaxBytes ?? DEFAULT_MAX_BYTES).catch(() => {});
  }
  return {
    schema: RESULT_SCHEMA,
    spec,
    isolation: mode,
    isolationReason: withFilesystem(reason),
    startedAt: startedAt.toISOString(),
    durationMs: Math.round(performance.now() - started),
    submissions: results,
  };
}
