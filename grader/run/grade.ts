/**
 * The grading run: `grade(submissions, spec, options)` decides the isolation mode once, grades
 * submissions `jobs` at a time, and returns a `sockgrade/result@1` {@linkcode GradeResult}.
 *
 * In `netns` mode submissions are graded by workers (`worker_main.ts`, driven through
 * `worker_process.ts`) started inside their own user + network + PID namespace; each submission
 * gets a network namespace of its own, whose `lo` carries the spec's addresses, so every
 * submission may use port 6666 and programs that hard-code the article's addresses work. Each of
 * the `jobs` lanes keeps one worker, which moves into a fresh network namespace after every
 * submission (`sandbox/fresh_netns.ts`); where it cannot, a new worker is started per submission,
 * ahead of time. When a worker ends, its namespaces and every process in them end too. In `none`
 * mode (asked for, or automatic when namespaces cannot be made, with the reason recorded) the
 * worker code runs in this process on host loopback with a free port per submission: each lane
 * has loopback addresses of its own, and the socket interposer (`sandbox/interpose/`, compiled
 * once and cached) maps the spec's addresses and port to them, so programs that hard-code the
 * article's addresses get the same verdicts as in the namespace.
 * Even so, `none` mode grades one submission at a time ({@linkcode laneCount}): the interposer maps
 * addresses but is no boundary, and on a shared loopback one submission's programs could reach
 * another lane's listeners (a build step sending the trigger to every port failed a classmate's
 * server), so `jobs` is used only in `netns` mode.
 *
 * Containment (EXERCISE.md §4a): the run first names its environment (`sandbox/environment.ts`:
 * E1–E4, recorded in the result). Where programs cannot be contained (E2: no bubblewrap; E4: an
 * ordinary user without user namespaces) it refuses with an {@linkcode IsolationError} naming
 * the fix, unless `trusted` says the code is the user's own; the result then says it ran
 * unsandboxed.
 *
 * A worker fault (it crashed, the sandbox failed, it ran past its deadline) is retried once with
 * a new worker; a second fault makes every check of that submission `error`, never the student's.
 *
 * Speed: builds are restored from the build cache (`submission/build_cache.ts`) when the same
 * files were built before (`cache: false` turns that off), and a lane pays a worker's start-up
 * (a Deno process and its modules) once, not per submission; the first lanes' workers start
 * while the run still checks the machine (containment, namespaces, compilers), and the build
 * cache is pruned while the workers end. Without `jobs`, the number of lanes adapts to the
 * machine (`run/lanes.ts`).
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { CHECKS } from "../checks/catalogue.ts";
import {
  type GradeResult,
  type IsolationMode,
  RESULT_SCHEMA,
  type RunEnvironment,
  type SubmissionResult,
} from "../result.ts";
import type { NetPlan } from "../sandbox/net_plan.ts";
import { scoreSubmission } from "../score.ts";
import type { Spec } from "../spec.ts";
import { interposedPlan, ipFamily, loopbackPlan, namespacePlan } from "../sandbox/net_plan.ts";
import { gradeSubmission, type WorkerJob } from "./worker.ts";
import { NamespacedWorker } from "./worker_process.ts";
import { type Interposer, prepareInterposer } from "../sandbox/interpose/mod.ts";
import { namespaceSupport } from "../sandbox/netns.ts";
import { containment } from "../sandbox/process.ts";
import {
  BUBBLEWRAP_FIX,
  detectEnvironment,
  type Environment,
  trustPrograms,
} from "../sandbox/environment.ts";
import { type Toolchain, toolchain } from "../submission/build.ts";
import { DEFAULT_MAX_BYTES, defaultCacheDir, pruneBuildCache } from "../submission/build_cache.ts";
import { LanePool } from "./lane_pool.ts";
import { adaptLanes } from "./adapt.ts";

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
  /**
   * How many submissions at once in `netns` mode, fixed. Default: start at the number of cores
   * and adapt to what the machine has free (`run/lanes.ts`: more lanes while lanes wait and the
   * CPU is idle, fewer under load, one to sixteen per core, within the memory available). `none`
   * mode grades one at a time (see {@linkcode laneCount}).
   */
  jobs?: number;
  /** Called when adaptive lanes change their number (`jobs` not given), with the new number. */
  onLanes?: (lanes: number) => void;
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
  /** The workers' entry module in `netns` mode (default `worker_main.ts`; tests pass faulty ones). */
  workerEntry?: string;
  /**
   * The submissions are code the user trusts (their own; the CLI's `--trusted-code`, and
   * sockgrade's bundled samples): grade them even where their programs cannot be contained
   * (E2, E4), and say in the result that they ran unsandboxed. Default false: such a run is
   * refused with an {@linkcode IsolationError}.
   */
  trusted?: boolean;
}

/**
 * How many submissions are graded at once: `jobs` in `netns` mode (each submission has a network
 * of its own); one in `none` mode, where every submission shares the host's loopback.
 */
export function laneCount(mode: IsolationMode, jobs: number, submissions: number): number {
  return Math.min(mode === "none" ? 1 : jobs, submissions);
}

/**
 * Namespaces were required (`--isolation netns`) but cannot be made here, or untrusted code
 * cannot be contained here (E2, E4 without `trusted`).
 */
export class IsolationError extends Error {
  override name = "IsolationError";
}

/**
 * The environment for the result, after refusing untrusted code that cannot be contained.
 *
 * @throws {IsolationError} in E2 or E4 (or E3 unable to switch users) without `trusted`.
 */
export async function containmentFor(trusted: boolean): Promise<RunEnvironment> {
  const env: Environment = await detectEnvironment();
  if (!env.contains && !trusted) {
    const fix = env.id === "E2"
      ? BUBBLEWRAP_FIX
      : env.id === "E4"
      ? "grade where user namespaces are enabled (with bubblewrap installed), or as root in a container"
      : "let the container's root switch users (CAP_SETUID, CAP_SETGID, util-linux's setpriv)";
    throw new IsolationError(
      `refusing to run untrusted code: ${env.description}. To grade here, ${fix}; or, for code you trust (your own), pass --trusted-code.`,
    );
  }
  if (trusted) trustPrograms();
  return {
    id: env.id,
    description: env.description,
    lacks: env.lacks,
    unsandboxed: !env.contains,
  };
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

/**
 * One lane of a `netns` run: it keeps its worker while the worker takes jobs, replaces it after a
 * fault, and starts the next one ahead of time when a worker takes only one job.
 */
class Lane {
  readonly #entry: string;
  #worker: NamespacedWorker | undefined;

  constructor(entry: string) {
    this.#entry = entry;
  }

  /** Starts the lane's worker now, so it loads while nothing waits for it. */
  prepare(): void {
    this.#worker ??= new NamespacedWorker(this.#entry);
  }

  /** Grades `job` with the lane's worker; rejects with a `WorkerFault` (the worker is then gone). */
  async grade(job: WorkerJob, deadlineMs: number, more: boolean): Promise<SubmissionResult> {
    this.prepare();
    const worker = this.#worker!;
    try {
      const result = await worker.grade(job, deadlineMs);
      if (!worker.reusable) {
        this.#worker = undefined;
        if (more) this.prepare();
        await worker.stop();
      }
      return result;
    } catch (error) {
      this.#worker = undefined;
      await worker.stop();
      throw error;
    }
  }

  /** Ends the lane's worker. */
  async close(): Promise<void> {
    const worker = this.#worker;
    this.#worker = undefined;
    await worker?.stop();
  }
}

/** How a `none`-mode run networks its programs: the interposer, or why the plain loopback. */
interface LoopbackSetup {
  /** The interposer, when it is ready; else why not. */
  interposer: Interposer;
  /** Why 127.0.0.2 cannot be used here, when there is no interposer and it cannot. */
  strangerUnavailable?: string;
}

/**
 * The plan of a `none`-mode submission graded in lane `lane` (host loopback: `::1` for an IPv6
 * spec without the interposer), over the spec's transport.
 */
function loopbackNet(spec: Spec, setup: LoopbackSetup, lane: number): NetPlan {
  const net = setup.interposer.ok ? interposedPlan(spec, lane, setup.interposer.library) : {
    ...loopbackPlan(setup.strangerUnavailable, ipFamily(spec)),
    interposerUnavailable: setup.interposer.reason,
  };
  return { ...net, transport: spec.transport };
}

/** Grades one submission in the chosen mode; a worker fault is retried once, then `error`. */
async function gradeOne(
  ref: SubmissionRef,
  spec: Spec,
  mode: IsolationMode,
  loopback: LoopbackSetup | undefined,
  laneIndex: number,
  tools: Toolchain,
  cache: Pick<WorkerJob, "cache" | "cacheDir" | "trusted">,
  lane: Lane | undefined,
  more: boolean,
): Promise<SubmissionResult> {
  const started = performance.now();
  let lastError = "";
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      if (mode === "none" || !lane) {
        const net = loopback ? loopbackNet(spec, loopback, laneIndex) : {
          ...loopbackPlan(strangerProblem(), ipFamily(spec)),
          transport: spec.transport,
        };
        return await gradeSubmission({ ...ref, spec, net, toolchain: tools, ...cache });
      }
      // The worker adds the socket paths of Unix-domain transports under a folder of its own.
      const net = { ...namespacePlan(spec), transport: spec.transport };
      // After a fault the lane starts a new worker: the first one may have been the fault.
      const job = { ...ref, spec, net, toolchain: tools, ...cache };
      return await lane.grade(job, workerDeadlineMs(spec), more);
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

/** The interposer for a `none`-mode run (compiled into `cacheDir` on first use), or why not. */
async function loopbackSetup(cacheDir: string): Promise<LoopbackSetup> {
  const interposer = await prepareInterposer(cacheDir);
  if (interposer.ok) return { interposer };
  const problem = strangerProblem();
  return { interposer, ...(problem ? { strangerUnavailable: problem } : {}) };
}

/** The isolation reason, plus what maps the spec's addresses on host loopback (or why nothing). */
function withInterposer(reason: string, setup: LoopbackSetup): string {
  reason = reason.replace(/\.+$/, "");
  return setup.interposer.ok
    ? `${reason}; the spec's addresses and port are mapped to loopback addresses of each lane by sockgrade's socket interposer, which refuses every other address`
    : `${reason}; ${setup.interposer.reason}, so the run checks of submissions whose code names non-loopback addresses are not run (error, not charged)`;
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
  const entry = options.workerEntry ?? WORKER_MAIN;
  const jobs = Math.max(1, options.jobs ?? navigator.hardwareConcurrency ?? 1);
  // The checks of the machine and the first lanes' workers (a Deno process each, loading its
  // modules) start together, before the run even knows it can make namespaces (unless host
  // loopback was asked for): where it cannot, those workers (failed `unshare`s) are closed. No
  // job reaches a worker before the environment is known to contain programs (or they are
  // trusted).
  const ahead = options.isolation === "none"
    ? []
    : Array.from({ length: laneCount("netns", jobs, submissions.length) }, () => {
      const lane = new Lane(entry);
      lane.prepare();
      return lane;
    });
  const containing = containmentFor(options.trusted ?? false);
  const isolating = chooseIsolation(options.isolation);
  const tooling = toolchain();
  const early: Promise<Lane[]> = isolating.then(
    async ({ mode }) => {
      if (mode === "netns") return ahead;
      await Promise.all(ahead.map((lane) => lane.close()));
      return [];
    },
    async () => {
      await Promise.all(ahead.map((lane) => lane.close()));
      return [];
    },
  );
  let environment: RunEnvironment;
  let mode: IsolationMode;
  let reason: string;
  let tools: Toolchain;
  try {
    environment = await containing;
    ({ mode, reason } = await isolating);
    tools = await tooling;
  } catch (error) {
    await Promise.all((await early).map((lane) => lane.close()));
    throw error;
  } finally {
    // Whichever failed first, the others' rejections are handled.
    await Promise.allSettled([containing, isolating, tooling]);
  }
  const spare = await early;
  const useCache = options.cache ?? true;
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const loopback = mode === "none" ? await loopbackSetup(cacheDir) : undefined;
  const cache = { cache: useCache, cacheDir, ...(options.trusted ? { trusted: true } : {}) };
  const results = new Array<SubmissionResult>(submissions.length);
  const lanes = laneCount(mode, jobs, submissions.length);
  // The build cache is pruned while the lanes' workers end, once every result is in.
  const prune = () =>
    useCache
      ? pruneBuildCache(cacheDir, options.cacheMaxBytes ?? DEFAULT_MAX_BYTES).then(
        () => {},
        () => {},
      )
      : Promise.resolve();
  let pruning: Promise<void> | undefined;
  let finished = 0;
  const run = async (laneIndex: number, take: () => number | undefined) => {
    const lane = mode === "netns" ? spare.shift() ?? new Lane(entry) : undefined;
    try {
      lane?.prepare();
      for (let index = take(); index !== undefined; index = take()) {
        const result = await gradeOne(
          submissions[index]!,
          spec,
          mode,
          loopback,
          laneIndex,
          tools,
          cache,
          lane,
          pool.waiting > 0,
        );
        results[index] = result;
        options.onResult?.(result);
        if (++finished === submissions.length) pruning = prune();
      }
    } finally {
      // A lane that stops while submissions wait (fewer lanes were asked for) parks its worker
      // for a lane started later, which spares that lane a worker's start-up; the run closes
      // parked workers at its end.
      if (lane && pool.waiting > 0) spare.push(lane);
      else await lane?.close();
    }
  };
  const pool = new LanePool(submissions.length, lanes, run);
  const adapting = mode === "netns" && options.jobs === undefined
    ? adaptLanes(pool, navigator.hardwareConcurrency ?? 1, options.onLanes)
    : undefined;
  try {
    await pool.done();
  } finally {
    adapting?.stop();
    await Promise.all(spare.splice(0).map((lane) => lane.close()));
    if (loopback?.interposer.ok) await loopback.interposer.close();
  }
  await (pruning ?? prune());
  return {
    schema: RESULT_SCHEMA,
    spec,
    isolation: mode,
    isolationReason: withFilesystem(loopback ? withInterposer(reason, loopback) : reason) +
      (environment.unsandboxed
        ? "; programs ran UNSANDBOXED (trusted code): they could read and write every file the grader can"
        : ""),
    environment,
    startedAt: startedAt.toISOString(),
    durationMs: Math.round(performance.now() - started),
    submissions: results,
  };
}
