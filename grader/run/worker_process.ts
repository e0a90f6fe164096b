/**
 * The grader's side of a grading worker in a private namespace (`worker_main.ts` is the other):
 * it starts the worker inside a fresh user + network + PID namespace, hands it jobs one JSON
 * line at a time on a channel of their own (`worker_channel.ts`: a socket on the worker's
 * descriptor 3, which no program can reach) and reads exactly one JSON line back per job,
 * `{ jobId, secret, result, more }`, where `more` says whether the worker has already moved into
 * a fresh network namespace for another job (see `sandbox/fresh_netns.ts`). A lane of the grading
 * run keeps its worker while it says so, which spares each submission the worker's start-up (a
 * Deno process and its modules, about 0.2 CPU-s).
 *
 * Each job carries a fresh random secret and a job number, and a reply counts only when it
 * carries both and the job's student id: so whatever line reaches the grader, it never becomes
 * anyone's grade unless it is the worker's one reply to that job.
 *
 * Anything a worker does wrong is a {@linkcode WorkerFault} (the grader's fault, never the
 * student's): it exited, wrote something that is not the reply to the job in hand (garbage, a
 * wrong job number or secret, a second reply), or ran past its deadline (then it is killed, and
 * with it its namespace and every process in it). A faulty worker takes no more jobs.
 *
 * @module
 */

import { type ChildProcess, spawn } from "node:child_process";
import { timingSafeEqual } from "node:crypto";
import { type Duplex, Readable } from "node:stream";
import type { SubmissionResult } from "../result.ts";
import { namespaceCommand } from "../sandbox/netns.ts";
import type { WorkerJob } from "./worker.ts";
import { boundedLines, CHANNEL_FD, type JobMessage, type ReplyMessage } from "./worker_channel.ts";
import { type Runtime, workerArgv } from "./worker_launch.ts";

/** The worker failed (the grader's fault): retry the job with a new worker, or report `error`. */
export class WorkerFault extends Error {
  override name = "WorkerFault";
}

/** How much of a worker's stderr is kept for the fault's message. */
const STDERR_TAIL = 4096;
/** How long a stopped worker may take to exit by itself before it is killed. */
const STOP_GRACE_MS = 2000;
/** Job numbers, unique in this process. */
let lastJobId = 0;

/** A job's number and secret, made fresh for each job. */
export interface JobTicket {
  /** The job's number. */
  jobId: number;
  /** 32 random bytes, hex. */
  secret: string;
}

/** A fresh ticket for the next job. */
export function newTicket(): JobTicket {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return {
    jobId: ++lastJobId,
    secret: Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(""),
  };
}

function sameSecret(a: unknown, b: string): boolean {
  if (typeof a !== "string" || a.length !== b.length) return false;
  return timingSafeEqual(new TextEncoder().encode(a), new TextEncoder().encode(b));
}

/**
 * The reply in `line` when it is the reply to the job of `ticket` for student `studentId`.
 *
 * @throws {WorkerFault} when it is anything else: not JSON, another job's number, a wrong secret,
 * another student's result, or no `more` flag.
 */
export function acceptReply(line: string, ticket: JobTicket, studentId: string): ReplyMessage {
  let reply: Partial<ReplyMessage> | null;
  try {
    reply = JSON.parse(line);
  } catch {
    reply = null;
  }
  if (typeof reply !== "object" || reply === null || Array.isArray(reply)) {
    throw new WorkerFault(
      `the grading worker wrote something that is not a result: ${
        JSON.stringify(line.slice(0, 200))
      }`,
    );
  }
  if (reply.jobId !== ticket.jobId || !sameSecret(reply.secret, ticket.secret)) {
    throw new WorkerFault(
      "the grading worker's channel carried a reply that is not the reply to this job (wrong job number or secret)",
    );
  }
  const result = reply.result as Partial<SubmissionResult> | undefined;
  if (
    typeof result !== "object" || result === null || result.id !== studentId ||
    typeof reply.more !== "boolean"
  ) {
    throw new WorkerFault("the grading worker's reply does not hold this submission's result");
  }
  return reply as ReplyMessage;
}

/** What the channel delivered: a line, its end, or a line too long to read. */
type Arrival = { line: string } | { end: true; why?: string };

/** A started worker; `stop()` ends it and its namespace. */
export class NamespacedWorker {
  readonly #child: ChildProcess;
  readonly #channel: Duplex;
  readonly #exited: Promise<{ code: number | null; signal: string | null; error?: string }>;
  readonly #closed: Promise<void>;
  readonly #reading: Promise<void>;
  readonly #arrivals: Arrival[] = [];
  #wake: (() => void) | undefined;
  #inFlight = false;
  #unasked = false;
  #output = "";
  #more = true;

  /**
   * Starts the worker whose entry module is `entry` (it loads while no job is waiting); `runtime`
   * says how (default: as this process runs, see `worker_launch.ts`).
   */
  constructor(entry: string, runtime?: Runtime) {
    const [cmd, ...args] = namespaceCommand(workerArgv(entry, runtime));
    // The channel is the fourth stdio entry (a socket pair): nothing else in the worker's
    // namespace holds it, and the worker keeps it from every program (`worker_channel.ts`).
    const stdio = ["ignore", "pipe", "pipe"] as ("ignore" | "pipe")[];
    stdio[CHANNEL_FD] = "pipe";
    const child = spawn(cmd!, args, { stdio });
    this.#child = child;
    this.#channel = child.stdio[CHANNEL_FD] as Duplex;
    this.#channel.on("error", () => {
      // a worker that exited: its end shows as the channel's end or a failed write
    });
    this.#exited = new Promise((resolve) => {
      child.once("error", (error) => resolve({ code: null, signal: null, error: error.message }));
      child.once("exit", (code, signal) => resolve({ code, signal }));
    });
    this.#closed = new Promise((resolve) => {
      child.once("close", () => resolve());
      child.once("error", () => resolve());
    });
    const keep = (stream: Readable | null) =>
      stream?.on("data", (data: Uint8Array) => {
        this.#output = (this.#output + new TextDecoder().decode(data)).slice(-STDERR_TAIL);
      });
    keep(child.stdout);
    keep(child.stderr);
    this.#reading = this.#read();
  }

  async #read(): Promise<void> {
    const stream = Readable.toWeb(this.#channel) as ReadableStream<Uint8Array>;
    let why: string | undefined;
    try {
      for await (const line of boundedLines(stream)) {
        if (!this.#inFlight) this.#unasked = true;
        this.#arrive({ line });
      }
    } catch (error) {
      why = (error as Error).message;
    }
    this.#arrive(why ? { end: true, why } : { end: true });
  }

  #arrive(arrival: Arrival): void {
    this.#arrivals.push(arrival);
    this.#wake?.();
    this.#wake = undefined;
  }

  async #next(): Promise<Arrival> {
    while (this.#arrivals.length === 0) {
      await new Promise<void>((resolve) => this.#wake = resolve);
    }
    const first = this.#arrivals[0]!;
    // The end stays: every later read sees it too.
    if ("line" in first) this.#arrivals.shift();
    return first;
  }

  /** Whether the worker takes another job: what its last reply said, and it has done no wrong. */
  get reusable(): boolean {
    return this.#more && !this.#unasked;
  }

  /**
   * Grades `job` in the worker: sends it with a fresh ticket and waits for the one reply to it.
   *
   * @throws {WorkerFault} when the worker did not take the job, exited, wrote anything else than
   * the reply to this job (or anything while it had no job), or did not reply within `deadlineMs`
   * (it is then killed). The worker takes no more jobs then.
   */
  async grade(job: WorkerJob, deadlineMs: number): Promise<SubmissionResult> {
    let late = false;
    const timer = setTimeout(() => {
      late = true;
      this.#kill();
    }, deadlineMs);
    try {
      if (this.#unasked) {
        throw new WorkerFault("the grading worker wrote to its channel while it had no job");
      }
      const ticket = newTicket();
      const message: JobMessage = { ...ticket, job };
      this.#inFlight = true;
      await new Promise<void>((resolve, reject) =>
        this.#channel.write(JSON.stringify(message) + "\n", (error) => {
          if (error) {
            reject(new WorkerFault(`the grading worker did not take its job (${error.message})`));
          } else resolve();
        })
      );
      const next = await this.#next();
      this.#inFlight = false;
      if ("end" in next) {
        if (late) throw new WorkerFault("the grading worker ran out of time");
        if (next.why) {
          this.#kill();
          throw new WorkerFault(`the grading worker's reply cannot be read: ${next.why}`);
        }
        const status = await this.#exited;
        await this.#closed;
        const err = this.#output.trim().split("\n").slice(-3).join(" | ");
        const how = status.error
          ? `could not be started (${status.error})`
          : `exited with status ${status.code ?? status.signal}`;
        throw new WorkerFault(`the grading worker ${how}${err ? `: ${err}` : ""}`);
      }
      const reply = acceptReply(next.line, ticket, job.id);
      this.#more = reply.more;
      return reply.result;
    } catch (error) {
      this.#more = false;
      throw error;
    } finally {
      this.#inFlight = false;
      clearTimeout(timer);
    }
  }

  /**
   * Ends the worker, its namespace and every process in it; resolves once all is gone. An idle
   * worker exits by itself when its channel ends; one that has not within
   * {@linkcode STOP_GRACE_MS} is killed.
   */
  async stop(): Promise<void> {
    this.#more = false;
    this.#channel.end();
    const timer = setTimeout(() => this.#kill(), STOP_GRACE_MS);
    await this.#exited;
    clearTimeout(timer);
    this.#channel.destroy();
    await this.#reading;
    await this.#closed;
  }

  #kill(): void {
    try {
      this.#child.kill("SIGKILL");
    } catch {
      // already exited
    }
  }
}
