/**
 * Starting the student's server for one server check: the command line
 * (`[...argv, clientAddress, port]`, with `stdbuf -oL -eL` or the plan's environment when line
 * buffering is forced), readiness (the server's process tree has a listening socket, read from
 * /proc by `sandbox/ports.ts` so no connection is spent on it), counting response lines as they
 * arrive, and the evidence every check attaches (command, escaped stdout/stderr, exit status,
 * the program's lines as exchange events).
 *
 * Every check starts a fresh {@linkcode ServerRun} and disposes of it (`await using`), which
 * kills the whole process tree.
 *
 * {@linkcode ServerRun.syncOutput} is the barrier negative checks rely on: it writes a marker line
 * into the program's own stdout pipe (reopened through `/proc/<pid>/fd/1`) and waits until the
 * sandbox has read it, so every line the program wrote before has been read too, however slowly
 * the pipe is drained. Marker lines are hidden from every accessor and from the evidence. The
 * marker is written only while the program is quiet (after the barrier on the connection under
 * test), and a line-sized write to a pipe is atomic, so it never splits one of the program's lines
 * unless the program itself writes a line in several pieces at that very moment.
 *
 * @example
 * ```ts
 * import { serverCommand } from "./server_program.ts";
 * const plan = { argv: ["./server"], cwd: "/tmp", env: {}, lineBuffering: "stdbuf" as const };
 * const net = { mode: "none" as const, serverAddress: "127.0.0.1", clientAddress: "127.0.0.1",
 *   strangerAddress: "127.0.0.2", port: 40000 };
 * const command = serverCommand(plan, net, true);
 * if (command.argv.join(" ") !== "./server 127.0.0.1 40000" || !command.lineBuffered) {
 *   throw new Error(command.shown.join(" "));
 * }
 * ```
 * @module
 */

import { escapeBytes, escapeText } from "../bytes.ts";
import type { ExchangeRecorder } from "../probes/probe_client.ts";
import type { Spec } from "../spec.ts";
import { type ExitInfo, type RunningProgram, startProgram } from "../sandbox/process.ts";
import { listeningPorts, waitForListening } from "../sandbox/ports.ts";
import type { NetPlan, ProgramPlan } from "./types.ts";

/** The command and environment that start the server. */
export interface ServerCommand {
  /** The argument vector given to `startProgram`. */
  argv: string[];
  /** The environment. */
  env: Record<string, string>;
  /** Whether `startProgram` runs it under `stdbuf -oL -eL`. */
  lineBuffered: boolean;
  /** The command line as it really runs (with the `stdbuf` prefix when there is one). */
  shown: string[];
}

/**
 * The server's command line: the plan's argv plus `<clientAddress> <port>`. With `forced`, line
 * buffering is forced as the plan says (`stdbuf -oL -eL` through `startProgram`'s
 * `lineBuffered`, or `lineBufferingEnv` added); without it, those variables are removed so the
 * program buffers as it would by itself.
 */
export function serverCommand(plan: ProgramPlan, net: NetPlan, forced: boolean): ServerCommand {
  const argv = [...plan.argv, net.clientAddress, String(net.port)];
  const forcingEnv = plan.lineBufferingEnv ?? {};
  const lineBuffered = forced && plan.lineBuffering === "stdbuf";
  const env = forced
    ? plan.lineBuffering === "env" ? { ...plan.env, ...forcingEnv } : { ...plan.env }
    : Object.fromEntries(Object.entries(plan.env).filter(([key]) => !(key in forcingEnv)));
  return {
    argv,
    env,
    lineBuffered,
    shown: lineBuffered ? ["stdbuf", "-oL", "-eL", ...argv] : argv,
  };
}

/** Where a server was found listening, or why it was not. */
export type Readiness =
  | { state: "listening"; address: string; port: number; afterMs: number }
  | { state: "exited"; exit: ExitInfo; afterMs: number }
  | { state: "timeout"; afterMs: number };

/** Whether an address is a wildcard (every local address). */
export function isWildcard(address: string): boolean {
  return address === "0.0.0.0" || address === "::" || address === "*" || address === "";
}

/** A server started for one check. */
export class ServerRun implements AsyncDisposable {
  /** The running program. */
  readonly program: RunningProgram;
  /** The command line as it runs (with the `stdbuf` prefix when forced that way). */
  readonly argv: string[];
  /** Whether line buffering was forced. */
  readonly forced: boolean;
  readonly #spec: Spec;
  readonly #net: NetPlan;
  #exit: ExitInfo | undefined;
  #outputRecorded = 0;
  #markers = 0;
  #syncBroken = false;

  /** Starts the server of `plan` (see {@linkcode serverCommand}). */
  constructor(
    spec: Spec,
    net: NetPlan,
    plan: ProgramPlan,
    options: { forced: boolean; label: string },
  ) {
    const command = serverCommand(plan, net, options.forced);
    this.#spec = spec;
    this.#net = net;
    this.argv = command.shown;
    this.forced = options.forced;
    this.program = startProgram({
      argv: command.argv,
      cwd: plan.cwd,
      env: command.env,
      lineBuffered: command.lineBuffered,
      label: options.label,
    });
    this.program.exited.then((exit) => this.#exit = exit);
  }

  /** The exit, once the program has ended (else undefined). */
  get exit(): ExitInfo | undefined {
    return this.#exit;
  }

  /**
   * Waits until the server listens (its own process tree in `none` mode; any socket of the
   * private namespace in `netns` mode), exits, or `timeoutMs` passes. Prefers the expected port
   * when the tree listens on several.
   */
  async waitReady(timeoutMs: number): Promise<Readiness> {
    const t0 = performance.now();
    const pids = this.#net.mode === "none" ? () => this.program.treePids() : undefined;
    const found = await waitForListening(pids, undefined, timeoutMs, this.program.exited);
    const afterMs = Math.round(performance.now() - t0);
    if (!found) {
      if (this.#exit) return { state: "exited", exit: this.#exit, afterMs };
      return { state: "timeout", afterMs };
    }
    if (found.port !== this.#net.port) {
      const all = await listeningPorts(pids ? { pids } : {});
      const expected = all.find((s) => s.port === this.#net.port);
      if (expected) return { state: "listening", ...expected, afterMs };
    }
    return { state: "listening", address: found.address, port: found.port, afterMs };
  }

  /** How many stdout lines have been read so far (markers included: an index, not a count). */
  get lineCount(): number {
    return this.program.stdoutLines.length;
  }

  /**
   * Waits until every line the program wrote to stdout before this call has been read (see the
   * module doc). False when that cannot be done (the program ended, or /proc is not usable):
   * then callers order by sentinels alone.
   */
  async syncOutput(timeoutMs: number): Promise<boolean> {
    if (this.#syncBroken || this.#exit) return false;
    const marker = `${MARKER}${++this.#markers}\x1e`;
    const from = this.lineCount;
    try {
      using pipe = await Deno.open(`/proc/${this.program.pid}/fd/1`, { write: true });
      await pipe.write(new TextEncoder().encode(`${marker}\n`));
    } catch {
      this.#syncBroken = true;
      return false;
    }
    const line = await this.program.waitForStdoutLine((t) => t === marker, timeoutMs, from);
    return line !== undefined;
  }

  /** Whether a stdout line is the spec's response (a trailing `\r` is tolerated). */
  isResponse(text: string): boolean {
    return text.replace(/\r$/, "") === this.#spec.response;
  }

  /** How many response lines the server has printed so far. */
  responseCount(): number {
    return this.program.stdoutLines.filter((l) => this.isResponse(l.text)).length;
  }

  /** The stdout lines that are not the response (nor sync markers), in order. */
  otherLines(): string[] {
    return this.program.stdoutLines.map((l) => l.text).filter((t) =>
      !this.isResponse(t) && !isMarker(t)
    );
  }

  /**
   * Waits until at least `total` response lines have been printed in all (true), or until
   * `timeoutMs` passes or the server exits (false).
   */
  async waitResponses(total: number, timeoutMs: number): Promise<boolean> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      if (this.responseCount() >= total) return true;
      const left = deadline - performance.now();
      if (left <= 0 || this.#exit) return false;
      const next = await Promise.race([
        this.program.waitForStdoutLine((l) => this.isResponse(l), left, this.lineCount),
        this.program.exited.then(() => undefined),
      ]);
      if (next === undefined && this.responseCount() < total) return false;
    }
  }

  /**
   * Adds the lines the program printed since the last call (and its exit, if it ended) to an
   * exchange as `stdout`/`stderr`/`exit` events, at the times they arrived.
   */
  recordOutput(recorder: ExchangeRecorder): void {
    const lines = this.program.stdoutLines;
    for (; this.#outputRecorded < lines.length; this.#outputRecorded++) {
      const line = lines[this.#outputRecorded]!;
      if (isMarker(line.text)) continue;
      recorder.add(
        { actor: "server", kind: "stdout", data: escapeText(line.text, 512) },
        this.program.startedAt + line.atMs,
      );
    }
    if (this.#exit) recorder.add({ actor: "server", kind: "exit", data: describeExit(this.#exit) });
  }

  /** The evidence fields every server check attaches. */
  evidence(): Record<string, unknown> & { stdout: string; stderr: string } {
    return {
      command: this.argv,
      lineBuffering: this.forced ? "forced" : "as the program does it",
      stdout: escapeBytes(withoutMarkers(this.program.stdout())),
      stderr: escapeBytes(this.program.stderr()),
      ...(this.#exit ? { exit: describeExit(this.#exit) } : {}),
    };
  }

  /** Kills the server's whole process tree. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.program[Symbol.asyncDispose]();
  }
}

const MARKER = "\x1esockgrade-sync-";
const MARKER_BYTES = new TextEncoder().encode(MARKER);

function isMarker(text: string): boolean {
  return text.startsWith(MARKER) && text.endsWith("\x1e") && text.length > MARKER.length;
}

/** The captured bytes without the marker lines {@linkcode ServerRun.syncOutput} wrote. */
function withoutMarkers(bytes: Uint8Array): Uint8Array {
  const out: number[] = [];
  let i = 0;
  while (i < bytes.length) {
    const atLineStart = i === 0 || bytes[i - 1] === 10;
    if (atLineStart && MARKER_BYTES.every((b, k) => bytes[i + k] === b)) {
      const nl = bytes.indexOf(10, i);
      if (nl !== -1) {
        i = nl + 1;
        continue;
      }
    }
    out.push(bytes[i]!);
    i++;
  }
  return new Uint8Array(out);
}

/** Words for an exit: `exit code 3`, `killed by SIGSEGV`. */
export function describeExit(exit: ExitInfo): string {
  if (exit.signal) return `killed by ${exit.signal}${exit.killed ? " (by the grader)" : ""}`;
  return `exit code ${exit.code}`;
}

/** The first line of stderr worth quoting in a message (escaped, cut), if any. */
export function firstStderrLine(program: RunningProgram): string | undefined {
  const line = program.stderrLines.map((l) => l.text.trim()).find((t) => t.length > 0);
  return line === undefined ? undefined : escapeText(line, 160);
}
