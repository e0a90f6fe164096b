/**
 * Starting the student's server for one server check: the command line
 * (`[...argv, clientAddress, port]`, with `stdbuf -oL -eL` or the plan's environment when line
 * buffering is forced), readiness (the server's process tree has a listening socket, read from
 * /proc by `sandbox/ports.ts` so no connection is spent on it), counting response lines as they
 * arrive, and the evidence every check attaches (command, escaped stdout/stderr, exit status,
 * the program's lines as exchange events).
 *
 * A {@linkcode ServerRun} serves one check, or several in a row while it passes them (see
 * `server_checks.ts`); disposing of it kills the whole process tree. Callers that keep it across
 * checks count responses relative to where each check began.
 *
 * {@linkcode ServerRun.syncOutput} is the barrier negative checks rely on: it writes a marker line
 * into the program's own stdout pipe (reopened through `/proc/<pid>/fd/1`) and waits until the
 * sandbox has read it, so every line the program wrote before has been read too, however slowly
 * the pipe is drained. Marker lines are hidden from every accessor and from the evidence. The
 * marker is written only while the program is quiet (after the barrier on the connection under
 * test), and a line-sized write to a pipe is atomic, so it never splits one of the program's lines
 * unless the program itself writes a line in several pieces at that very moment (a program that
 * prints all the time, in pieces: then the marker ends up inside the program's line, and is
 * recognised and cut out there: the text before it and the next line are joined back).
 *
 * ## Bounded bookkeeping of a program that floods stdout
 *
 * A server may print without end (a debug line per `poll()` round). The sandbox keeps the raw
 * bytes to a head and a tail and stops storing lines after a total cap; this module never copies
 * or spreads the program's line list: it scans the new lines once, incrementally, and keeps only
 * counters (response lines, other lines and their bytes) and a bounded sample (the first
 * {@linkcode OTHER_SAMPLE} distinct other lines). The exchange evidence gets every response line
 * but at most {@linkcode RECORDED_OTHER_LINES} other lines per run. When the sandbox has stopped
 * storing lines ({@linkcode ServerRun.linesLost}: the sandbox counts the lines it did not store,
 * `RunningProgram.stdoutLinesDropped`), responses and sync markers printed after that point are
 * not seen, so callers treat the rest of the run as unobservable.
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
import { type ExchangeRecorder, readTcpTable, TCP_TIME_WAIT } from "../probes/probe_client.ts";
import type { Spec } from "../spec.ts";
import { serverArgs } from "../net_plan.ts";
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
  const argv = [...plan.argv, ...serverArgs(net)];
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

/**
 * An IPv4-mapped IPv6 address (`::ffff:a.b.c.d`, what a Java server or one under the socket
 * interposer listens on) in its IPv4 form, which IPv4 clients reach; other addresses as they are.
 */
function ipv4Form(address: string): string {
  return address.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i, "$1");
}

/** The sandbox's capture per stream for a server (raw head + tail; see `sandbox/process.ts`). */
const CAPTURE_BYTES = 1024 * 1024;
/** How many distinct other stdout lines {@linkcode ServerRun.otherLines} keeps. */
export const OTHER_SAMPLE = 50;
/** How long a kept other line may be, in characters. */
const OTHER_CUT = 500;
/** How many other stdout lines one run adds to the exchanges. */
export const RECORDED_OTHER_LINES = 100;

/** What a server printed on stdout besides the response (sync markers excluded). */
export interface OtherOutput {
  /** How many such lines. */
  lines: number;
  /** Their bytes, newlines included (characters, for non-ASCII text). */
  bytes: number;
  /** The first {@linkcode OTHER_SAMPLE} distinct ones. */
  sample: string[];
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
  #otherRecorded = 0;
  #markers = 0;
  #syncBroken = false;
  #scanned = 0;
  #responses = 0;
  #others = 0;
  #otherBytes = 0;
  readonly #otherSample = new Set<string>();
  #carry: string | undefined;

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
      captureBytes: CAPTURE_BYTES,
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
      if (expected) {
        return {
          state: "listening",
          address: ipv4Form(expected.address),
          port: expected.port,
          afterMs,
        };
      }
    }
    return { state: "listening", address: ipv4Form(found.address), port: found.port, afterMs };
  }

  /**
   * When the server did not listen: the TIME_WAIT sockets that hold its port right now (as
   * `local → remote`), or `[]`. A TIME_WAIT socket on the port makes `bind()` fail with
   * `EADDRINUSE` for a minute unless both it and the new socket set `SO_REUSEADDR`; the grader
   * takes care never to leave one (see `probes/probe_client.ts`), so one found here is the
   * grader's problem, not the student's, and the caller reports `error`.
   */
  async timeWaitOnPort(): Promise<string[]> {
    const rows = await readTcpTable() ?? [];
    const port = `:${this.#net.port}`;
    return rows.filter((r) => r.state === TCP_TIME_WAIT && r.local.endsWith(port))
      .map((r) => `${r.local} → ${r.remote}`);
  }

  /** How many stdout lines have been read so far (markers included: an index, not a count). */
  get lineCount(): number {
    return this.program.stdoutLines.length;
  }

  /**
   * Waits until every line the program wrote to stdout before this call has been read (see the
   * module doc). False when that cannot be done (the program ended, /proc is not usable, or the
   * sandbox no longer stores lines): then callers order by sentinels alone.
   */
  async syncOutput(timeoutMs: number): Promise<boolean> {
    if (this.#syncBroken || this.#exit || this.linesLost) return false;
    const marker = `${MARKER}${++this.#markers}\x1e`;
    const from = this.lineCount;
    try {
      using pipe = await Deno.open(`/proc/${this.program.pid}/fd/1`, { write: true });
      await pipe.write(new TextEncoder().encode(`${marker}\n`));
    } catch {
      this.#syncBroken = true;
      return false;
    }
    const line = await this.program.waitForStdoutLine((t) => t.includes(marker), timeoutMs, from);
    return line !== undefined;
  }

  /** Whether a stdout line is the spec's response (a trailing `\r` is tolerated). */
  isResponse(text: string): boolean {
    return text.replace(/\r$/, "") === this.#spec.response;
  }

  /** Scans the lines that arrived since the last scan into the counters (each line once). */
  #scan(): void {
    const lines = this.program.stdoutLines;
    for (; this.#scanned < lines.length; this.#scanned++) {
      let text = lines[this.#scanned]!.text;
      if (text.includes(MARKER)) {
        const rest = withoutMarkerText(text);
        // A marker that cut one of the program's lines: its rest is the next line.
        if (rest !== "" && text.endsWith(MARKER_END)) {
          this.#carry = (this.#carry ?? "") + rest;
          continue;
        }
        if (rest === "" && this.#carry === undefined) continue;
        text = rest;
      }
      if (this.#carry !== undefined) {
        text = this.#carry + text;
        this.#carry = undefined;
      }
      if (this.isResponse(text)) {
        this.#responses++;
        continue;
      }
      this.#others++;
      this.#otherBytes += text.length + 1;
      if (this.#otherSample.size < OTHER_SAMPLE) this.#otherSample.add(text.slice(0, OTHER_CUT));
    }
  }

  /** How many response lines the server has printed so far. */
  responseCount(): number {
    this.#scan();
    return this.#responses;
  }

  /**
   * The first {@linkcode OTHER_SAMPLE} distinct stdout lines that are not the response (nor sync
   * markers), in order, each cut to {@linkcode OTHER_CUT} characters.
   */
  otherLines(): string[] {
    this.#scan();
    return [...this.#otherSample];
  }

  /** Counters of the stdout lines that are not the response (nor sync markers). */
  otherOutput(): OtherOutput {
    this.#scan();
    return { lines: this.#others, bytes: this.#otherBytes, sample: [...this.#otherSample] };
  }

  /**
   * Whether the sandbox has stopped storing this program's stdout lines (its total cap was
   * reached): lines printed after that, responses and sync markers included, are not seen.
   * Exact: the sandbox's own count of the complete lines it did not store.
   */
  get linesLost(): boolean {
    return this.program.stdoutLinesDropped > 0;
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
        this.program.waitForStdoutLine(() => this.responseCount() >= total, left, this.lineCount),
        this.program.exited.then(() => undefined),
      ]);
      if (next === undefined && this.responseCount() < total) return false;
    }
  }

  /**
   * Adds the lines the program printed since the last call (and its exit, if it ended) to an
   * exchange as `stdout`/`stderr`/`exit` events, at the times they arrived: every response line,
   * but at most {@linkcode RECORDED_OTHER_LINES} other lines per run (then one note).
   */
  recordOutput(recorder: ExchangeRecorder): void {
    const lines = this.program.stdoutLines;
    let skipped = 0;
    for (; this.#outputRecorded < lines.length; this.#outputRecorded++) {
      const line = lines[this.#outputRecorded]!;
      const text = line.text.includes(MARKER) ? withoutMarkerText(line.text) : line.text;
      if (text === "" && line.text !== "") continue;
      if (!this.isResponse(text) && this.#otherRecorded++ >= RECORDED_OTHER_LINES) {
        skipped++;
        continue;
      }
      recorder.add(
        { actor: "server", kind: "stdout", data: escapeText(text, 512) },
        this.program.startedAt + line.atMs,
      );
    }
    if (skipped > 0) {
      recorder.note(
        `${skipped} more stdout line${
          skipped === 1 ? "" : "s"
        } not shown (only the first ${RECORDED_OTHER_LINES} other than the response are)`,
        "server",
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
const MARKER_END = "\x1e";
const MARKER_BYTES = new TextEncoder().encode(MARKER);
const MARKER_PATTERN = new RegExp(`${MARKER}\\d+${MARKER_END}`, "g");

/** A line without the sync markers in it. */
function withoutMarkerText(text: string): string {
  return text.replace(MARKER_PATTERN, "");
}

/**
 * The captured bytes without the markers {@linkcode ServerRun.syncOutput} wrote: each marker and
 * the `\n` after it, wherever it landed (at a line start, or inside a line the program wrote in
 * pieces).
 */
function withoutMarkers(bytes: Uint8Array): Uint8Array {
  const pieces: Uint8Array[] = [];
  let kept = 0;
  let from = 0;
  let i = bytes.indexOf(MARKER_BYTES[0]!);
  while (i !== -1 && i < bytes.length) {
    const nl = startsWithMarker(bytes, i) ? bytes.indexOf(10, i) : -1;
    if (nl !== -1) {
      pieces.push(bytes.subarray(from, i));
      kept += i - from;
      from = nl + 1;
      i = bytes.indexOf(MARKER_BYTES[0]!, from);
    } else {
      i = bytes.indexOf(MARKER_BYTES[0]!, i + 1);
    }
  }
  pieces.push(bytes.subarray(from));
  kept += bytes.length - from;
  const out = new Uint8Array(kept);
  let at = 0;
  for (const piece of pieces) {
    out.set(piece, at);
    at += piece.length;
  }
  return out;
}

function startsWithMarker(bytes: Uint8Array, at: number): boolean {
  if (at + MARKER_BYTES.length > bytes.length) return false;
  for (let k = 0; k < MARKER_BYTES.length; k++) if (bytes[at + k] !== MARKER_BYTES[k]) return false;
  return true;
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
