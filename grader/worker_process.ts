/**
 * The grader's side of a grading worker in a private namespace (`worker_main.ts` is the other):
 * it starts the worker inside a fresh user + network + PID namespace, hands it jobs one JSON
 * line at a time and reads one JSON line back per job, `{ result, more }`, where `more` says
 * whether the worker has already moved into a fresh network namespace for another job (see
 * `sandbox/fresh_netns.ts`). A lane of the grading run keeps its worker while it says so, which
 * spares each submission the worker's start-up (a Deno process and its modules, about 0.2 CPU-s).
 *
 * Anything a worker does wrong is a {@linkcode WorkerFault} (the grader's fault, never the
 * student's): it exited, wrote something that is not a reply, or ran past its deadline (then it
 * is killed, and with it its namespace and every process in it).
 *
 * @module
 */

import { readLines } from "./_lines.ts";
import type { SubmissionResult } from "./result.ts";
import { namespaceCommand } from "./sandbox/netns.ts";
import type { WorkerJob } from "./worker.ts";
import { workerArgv } from "./worker_launch.ts";

/** What a worker writes back for each job. */
export interface WorkerReply {
  /** The submission's result. */
  result: SubmissionResult;
  /** Whether the worker takes another job (it is then in a fresh network namespace). */
  more: boolean;
}

/** The worker failed (the grader's fault): retry the job with a new worker, or report `error`. */
export class WorkerFault extends Error {
  override name = "WorkerFault";
}

/** How much of a worker's stderr is kept for the fault's message. */
const STDERR_TAIL = 4096;
/** How long a stopped worker may take to exit by itself before it is killed. */
const STOP_GRACE_MS = 2000;
const encoder = new TextEncoder();

/** A started worker; `stop()` ends it and its namespace. */
export class NamespacedWorker {
  readonly #child: Deno.ChildProcess;
  readonly #stdin: WritableStreamDefaultWriter<Uint8Array>;
  readonly #replies: AsyncGenerator<string>;
  readonly #stderrRead: Promise<void>;
  #stderr = "";
  #more = true;

  /** Starts the worker whose entry module is `entry` (it loads while no job is waiting). */
  constructor(entry: string) {
    const [cmd, ...args] = namespaceCommand(workerArgv(entry));
    const child = new Deno.Command(cmd!, {
      args,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#child = child;
    this.#stdin = child.stdin.getWriter();
    this.#replies = readLines(child.stdout);
    this.#stderrRead = (async () => {
      for await (const text of child.stderr.pipeThrough(new TextDecoderStream())) {
        this.#stderr = (this.#stderr + text).slice(-STDERR_TAIL);
      }
    })().catch(() => {});
  }

  /** Whether the worker takes another job (what its last reply said). */
  get reusable(): boolean {
    return this.#more;
  }

  /**
   * Grades `job` in the worker.
   *
   * @throws {WorkerFault} when the worker did not take the job, exited, wrote something else than
   * a reply, or did not reply within `deadlineMs` (it is then killed).
   */
  async grade(job: WorkerJob, deadlineMs: number): Promise<SubmissionResult> {
    let late = false;
    const timer = setTimeout(() => {
      late = true;
      this.#kill();
    }, deadlineMs);
    try {
      try {
        await this.#stdin.write(encoder.encode(JSON.stringify(job) + "\n"));
      } catch (error) {
        throw new WorkerFault(
          `the grading worker did not take its job (${(error as Error).message})`,
        );
      }
      const next = await this.#replies.next();
      if (next.done) {
        if (late) throw new WorkerFault("the grading worker ran out of time");
        const status = await this.#child.status;
        await this.#stderrRead;
        const err = this.#stderr.trim().split("\n").slice(-3).join(" | ");
        throw new WorkerFault(
          `the grading worker exited with status ${status.code}${err ? `: ${err}` : ""}`,
        );
      }
      let reply: WorkerReply;
      try {
        reply = JSON.parse(next.value) as WorkerReply;
      } catch {
        throw new WorkerFault(
          `the grading worker wrote something that is not a result: ${next.value.slice(0, 200)}`,
        );
      }
      this.#more = reply.more === true;
      return reply.result;
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Ends the worker, its namespace and every process in it; resolves once all is gone. An idle
   * worker exits by itself when its standard input ends; one that has not within
   * {@linkcode STOP_GRACE_MS} is killed.
   */
  async stop(): Promise<void> {
    this.#more = false;
    await this.#stdin.close().catch(() => {});
    const timer = setTimeout(() => this.#kill(), STOP_GRACE_MS);
    await this.#child.status;
    clearTimeout(timer);
    while (!(await this.#replies.next()).done) {
      // drain what the worker wrote before it ended
    }
    await this.#stderrRead;
  }

  #kill(): void {
    try {
      this.#child.kill("SIGKILL");
    } catch {
      // already exited
    }
  }
}
