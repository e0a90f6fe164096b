/**
 * The channel between the grader and a grading worker, and what travels on it: one
 * {@linkcode JobMessage} per job from the grader, exactly one {@linkcode ReplyMessage} back, each
 * one JSON document per line.
 *
 * Every job carries a fresh random secret and a job number; the reply must carry both, so a line
 * that did not come from the worker's own reply to that job (a forged reply, a second one, one for
 * another job) is never taken for a result (`worker_process.ts` checks). The secret travels only
 * on this channel, never in an environment or on a command line.
 *
 * The channel is a socket on the worker's file descriptor {@linkcode CHANNEL_FD}, not its standard
 * streams, and no program can reach it: {@linkcode openWorkerChannel} marks every inherited
 * descriptor close-on-exec, so no program the worker starts inherits the socket; a socket cannot
 * be reopened through `/proc/<pid>/fd` by anyone. Taking it otherwise (`pidfd_getfd`, ptrace)
 * needs ptrace access to the worker, which a program without capabilities never has: the worker
 * holds capabilities it lacks, and the worker makes itself non-dumpable (`PR_SET_DUMPABLE` 0)
 * besides, so that holds even where the worker runs without them. A worker that cannot do both
 * refuses to run.
 *
 * The `unshare` wrapper that starts the worker holds the socket too, outside the worker's PID
 * namespace: a program sees it only if it can replace the `/proc` of that namespace, which takes
 * `CAP_SYS_ADMIN` (programs hold no capabilities, see `sandbox/`), and even then it could only
 * take the descriptor where ptrace between unrelated processes is allowed (Yama scope 0).
 *
 * @module
 */

import net from "node:net";
import { Readable } from "node:stream";
import { concatBytes } from "../text/bytes.ts";
import type { SubmissionResult } from "../result.ts";
import type { WorkerJob } from "./worker.ts";

/** The worker's descriptor for its channel with the grader (the fourth stdio entry). */
export const CHANNEL_FD = 3;
/** The longest line either side accepts (a result with all its evidence is far smaller). */
export const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

/** What the grader sends for each job. */
export interface JobMessage {
  /** The job's number, unique in the grading run. */
  jobId: number;
  /** A fresh random secret for this job: the reply must carry it. */
  secret: string;
  /** What to grade. */
  job: WorkerJob;
}

/** What a worker writes back for each job. */
export interface ReplyMessage {
  /** The job's number, as sent. */
  jobId: number;
  /** The job's secret, as sent. */
  secret: string;
  /** The submission's result. */
  result: SubmissionResult;
  /** Whether the worker takes another job (it is then in a fresh network namespace). */
  more: boolean;
}

/** `fcntl` and `prctl` from `<fcntl.h>` and `<sys/prctl.h>`. */
const F_SETFD = 2;
const FD_CLOEXEC = 1;
const PR_GET_DUMPABLE = 3;
const PR_SET_DUMPABLE = 4;
const LIBC_NAMES = ["libc.so.6", "libc.musl-x86_64.so.1", "libc.musl-aarch64.so.1"];
const LIBC_SYMBOLS = {
  fcntl: { parameters: ["i32", "i32", "i32"], result: "i32" },
  prctl: { parameters: ["i32", "u64", "u64", "u64", "u64"], result: "i32" },
} as const;

function openLibc(): Deno.DynamicLibrary<typeof LIBC_SYMBOLS> {
  const problems: string[] = [];
  for (const name of LIBC_NAMES) {
    try {
      return Deno.dlopen(name, LIBC_SYMBOLS);
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  throw new Error(`the C library cannot be loaded through FFI (${problems.join("; ")})`);
}

/**
 * Keeps the channel out of every program's reach: every descriptor from {@linkcode CHANNEL_FD} up
 * becomes close-on-exec and the process non-dumpable.
 *
 * @throws {Error} when either cannot be done (the worker must not grade then).
 */
export function guardWorker(): void {
  const libc = openLibc();
  try {
    for (const entry of Deno.readDirSync("/proc/self/fd")) {
      const fd = Number(entry.name);
      if (fd < CHANNEL_FD) continue;
      // The descriptor that listed the folder is gone by now: EBADF is fine for it.
      if (libc.symbols.fcntl(fd, F_SETFD, FD_CLOEXEC) !== 0 && fd === CHANNEL_FD) {
        throw new Error("the channel's descriptor cannot be made close-on-exec");
      }
    }
    if (
      libc.symbols.prctl(PR_SET_DUMPABLE, 0n, 0n, 0n, 0n) !== 0 ||
      libc.symbols.prctl(PR_GET_DUMPABLE, 0n, 0n, 0n, 0n) !== 0
    ) {
      throw new Error("the worker cannot make itself non-dumpable");
    }
  } finally {
    libc.close();
  }
}

/** The worker's end of the channel. */
export interface WorkerChannel {
  /** The lines the grader sends, until it closes the channel. */
  lines: AsyncGenerator<string>;
  /** Sends one line (a `\n` is added). */
  send(line: string): Promise<void>;
  /** Ends the worker's side. */
  close(): Promise<void>;
}

/**
 * Opens the worker's end of the channel on {@linkcode CHANNEL_FD} and guards it (see
 * {@linkcode guardWorker}).
 *
 * @throws {Error} when the channel is missing or cannot be guarded.
 */
export function openWorkerChannel(): WorkerChannel {
  const socket = new net.Socket({ fd: CHANNEL_FD, readable: true, writable: true });
  guardWorker();
  return {
    lines: boundedLines(Readable.toWeb(socket) as ReadableStream<Uint8Array>),
    send: (line) =>
      new Promise((resolve, reject) =>
        socket.write(line + "\n", (error) => error ? reject(error) : resolve())
      ),
    close: () =>
      new Promise((resolve) => socket.destroyed ? resolve() : socket.end(() => resolve())),
  };
}

/** A message longer than {@linkcode MAX_MESSAGE_BYTES}. */
export class MessageTooLong extends Error {
  override name = "MessageTooLong";
}

/**
 * The `\n`-ended lines of `stream` (a last line without one too), each at most `maxBytes` long.
 *
 * @throws {MessageTooLong} when a line is longer.
 */
export async function* boundedLines(
  stream: ReadableStream<Uint8Array>,
  maxBytes = MAX_MESSAGE_BYTES,
): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let parts: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of stream) {
    let start = 0;
    let end: number;
    while ((end = chunk.indexOf(10, start)) >= 0) {
      if (size + end - start > maxBytes) {
        throw new MessageTooLong(`a line exceeds ${maxBytes} bytes`);
      }
      parts.push(chunk.subarray(start, end));
      yield decoder.decode(concatBytes(parts));
      parts = [];
      size = 0;
      start = end + 1;
    }
    if (start < chunk.length) {
      size += chunk.length - start;
      if (size > maxBytes) throw new MessageTooLong(`a line exceeds ${maxBytes} bytes`);
      parts.push(chunk.slice(start));
    }
  }
  if (parts.length > 0) yield decoder.decode(concatBytes(parts));
}
