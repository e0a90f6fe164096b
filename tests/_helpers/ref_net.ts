/**
 * Test helpers for the reference server and client: a line recorder that waits for events with
 * a deadline (never a sleep), loopback connections (optionally bound to 127.0.0.2 or reset
 * mid-line), and subprocesses of the CLI whose stdout and stderr are read as lines.
 *
 * @module
 */

import net from "node:net";

const encoder = new TextEncoder();

/**
 * How long any single awaited event may take before the test fails: a guard against a hang, not
 * a measurement, so generous enough for a loaded CI machine starting many Deno processes at once.
 */
export const DEADLINE_MS = 30_000;

/** Rejects with a message naming `what` if `promise` has not settled within `ms`. */
export async function within<T>(promise: Promise<T>, what: string, ms = DEADLINE_MS): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Collects lines and lets a test wait until one (or a count of them) has arrived. */
export class Recorder {
  /** Every line so far, in order. */
  readonly lines: string[] = [];
  #waiters: (() => void)[] = [];
  #ended = false;

  /** Adds a line (pass `recorder.push` as a sink). */
  push = (line: string): void => {
    this.lines.push(line);
    for (const wake of this.#waiters.splice(0)) wake();
  };

  /** Marks the end of the lines: waits that are still unmet fail at once. */
  end(): void {
    this.#ended = true;
    for (const wake of this.#waiters.splice(0)) wake();
  }

  #next(what: string): Promise<void> {
    if (this.#ended) {
      return Promise.reject(
        new Error(`the output ended without ${what} (got ${JSON.stringify(this.lines)})`),
      );
    }
    return new Promise<void>((wake) => this.#waiters.push(wake));
  }

  /** Resolves with the first line (from index `from` on) that matches, or fails at the deadline. */
  async waitFor(match: RegExp | string, from = 0): Promise<string> {
    const test = (line: string) =>
      typeof match === "string" ? line.includes(match) : match.test(line);
    return await within(
      (async () => {
        while (true) {
          const found = this.lines.slice(from).find(test);
          if (found !== undefined) return found;
          await this.#next(`a line matching ${match}`);
        }
      })(),
      `a line matching ${match} (got ${JSON.stringify(this.lines.slice(from))})`,
    );
  }

  /** Resolves once there are at least `count` lines, or fails at the deadline. */
  async waitForCount(count: number): Promise<void> {
    await within(
      (async () => {
        while (this.lines.length < count) await this.#next(`${count} lines`);
      })(),
      `${count} lines (got ${JSON.stringify(this.lines)})`,
    );
  }
}

/** Turns a string into bytes; bytes pass through. */
export function toBytes(data: string | Uint8Array): Uint8Array {
  return typeof data === "string" ? encoder.encode(data) : data;
}

/**
 * Connects to 127.0.0.1:`port`, writes each chunk as its own write, half-closes, and resolves
 * once the server has closed the connection (so the server has handled every byte).
 */
export async function sendAndFinish(
  port: number,
  chunks: readonly (string | Uint8Array)[],
): Promise<void> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    for (const chunk of chunks) {
      const bytes = toBytes(chunk);
      let offset = 0;
      while (offset < bytes.length) offset += await conn.write(bytes.subarray(offset));
    }
    await conn.closeWrite();
    await within(drain(conn), "the server to close the connection");
  } finally {
    conn.close();
  }
}

/** Reads and drops bytes until the peer closes; a reset counts as closed. */
export async function drain(conn: Deno.Conn): Promise<void> {
  const buffer = new Uint8Array(4096);
  try {
    while ((await conn.read(buffer)) !== null);
  } catch (error) {
    if (!(error instanceof Deno.errors.ConnectionReset)) throw error;
  }
}

/** A `node:net` socket connected from `localAddress`, with an event for the connection's end. */
export interface BoundSocket {
  socket: net.Socket;
  /** Resolves when the socket has closed (by either side, or by a reset). */
  closed: Promise<void>;
}

/** Connects to `host`:`port` from a given local address (e.g. 127.0.0.2). */
export async function connectFrom(
  localAddress: string,
  port: number,
  host = "127.0.0.1",
): Promise<BoundSocket> {
  const socket = net.createConnection({ host, port, localAddress });
  socket.on("data", () => {});
  socket.on("error", () => {});
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  await within(
    new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", reject);
    }),
    `a connection from ${localAddress}`,
  );
  return { socket, closed };
}

/** Writes to a `node:net` socket and resolves once the bytes are handed to the system. */
export function writeNode(socket: net.Socket, data: string | Uint8Array): Promise<void> {
  return new Promise((resolve, reject) =>
    socket.write(toBytes(data), (error) => error ? reject(error) : resolve())
  );
}

/** Reads a byte stream as lines, keeping them all and waking waiters as they arrive. */
export function readLines(stream: ReadableStream<Uint8Array>, into: Recorder): Promise<void> {
  return (async () => {
    let rest = "";
    try {
      for await (const text of stream.pipeThrough(new TextDecoderStream())) {
        const parts = (rest + text).split("\n");
        rest = parts.pop()!;
        for (const part of parts) into.push(part);
      }
      if (rest !== "") into.push(rest);
    } finally {
      into.end();
    }
  })();
}

/** The CLI entry the tests run, as a user does: `main.ts`. */
export const REF_MAIN = new URL("../../main.ts", import.meta.url).pathname;

/** A CLI subprocess whose output is read as lines; dispose it to kill it and wait for it. */
export class CliProcess implements AsyncDisposable {
  /** Stdout lines so far. */
  readonly stdout = new Recorder();
  /** Stderr lines so far. */
  readonly stderr = new Recorder();
  /** Resolves once the process has exited and its output is fully read. */
  readonly done: Promise<Deno.CommandStatus>;
  readonly #child: Deno.ChildProcess;

  /** Starts `deno run -A <entry> …args` with stdin closed. */
  constructor(args: string[], entry = REF_MAIN) {
    this.#child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--quiet", entry, ...args],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const reading = Promise.all([
      readLines(this.#child.stdout, this.stdout),
      readLines(this.#child.stderr, this.stderr),
    ]);
    this.done = reading.then(() => this.#child.status);
  }

  /** Sends a signal if the process is still running. */
  kill(signal: Deno.Signal = "SIGTERM"): void {
    try {
      this.#child.kill(signal);
    } catch (error) {
      if (!(error instanceof TypeError)) throw error;
    }
  }

  /** Waits (with the deadline) for the process to exit. */
  exited(): Promise<Deno.CommandStatus> {
    return within(this.done, "the process to exit");
  }

  /** What it printed, for a failing assertion's message. */
  describe(): string {
    return `stdout:\n${this.stdout.lines.join("\n")}\nstderr:\n${this.stderr.lines.join("\n")}`;
  }

  /** Kills the process if it still runs and waits for it and its output. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.kill("SIGKILL");
    await this.done;
  }
}

/** Starts the server CLI on a free port and waits for its "listening on" line; returns the port. */
export async function startServerCli(args: string[]): Promise<{ proc: CliProcess; port: number }> {
  const proc = new CliProcess(["server", ...args]);
  const line = await proc.stderr.waitFor("listening on").catch(async (error) => {
    await proc[Symbol.asyncDispose]();
    throw error;
  });
  const port = Number(/:(\d+);/.exec(line)?.[1]);
  return { proc, port };
}
