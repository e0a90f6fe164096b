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
 * {@linkcode ServerRun.syncOutput} is the barrier negative checks rely on: the sandbox writes a
 * marker line into the program's own stdout pipe and waits until it has read it, so every line the
 * program wrote before has been read too, however slowly the pipe is drained
 * (`RunningProgram.syncStdout`; markers never show up in lines or evidence).
 *
 * ## A program that floods stdout never blinds the grader
 *
 * A server may print without end (a debug line per `poll()` round). The sandbox keeps the raw
 * bytes to a head and a tail and stores lines up to a cap, but it counts every line and recognises
 * the response in every line, stored or not (`RunningProgram.stdoutCounts`, `stdoutWatched`), and
 * its sync markers past the cap too. So response counts, waits and barriers are exact whatever the
 * volume, and this module never copies or spreads the program's line list: it keeps counters and a
 * bounded sample (the first {@linkcode OTHER_SAMPLE} distinct other lines). The exchange evidence
 * gets every response line (with its time, up to the sandbox's bound) but at most
 * {@linkcode RECORDED_OTHER_LINES} other lines per run.
 *
 * ## Which responses a probe caused
 *
 * The checks open a window when a probe connects to send something, allow in it one response per
 * trigger they send (`allow`), and close it once they have counted what it caused (after the
 * barrier and the sync, see `server/_work.ts`). A response line that arrived outside every window
 * (at start-up, before any probe; printed by a background loop between steps; after a client
 * left), or beyond its window's allowance (a background loop printing while a probe waits), was
 * caused by no probe's trigger: {@linkcode ServerRun.otherOutput} counts these, and
 * `server.output` fails for them. A check that finds the server really answers what a step sent
 * (a near miss, every time it is sent) takes those back (`excuse`) and charges them itself.
 *
 * Whether a step "really" caused a response cannot depend on how long the machine takes: a
 * background loop that prints every 100 ms lands in every window once windows last longer than
 * that (a loaded machine). So before a check charges a step for responses it may not have
 * caused, it asks {@linkcode ServerRun.printsOnItsOwn}: the server is watched with no probe
 * connected for a fixed {@linkcode UNPROMPTED_WATCH_MS}, after the spec's `responseMs` in which
 * late answers to what was sent are not counted (once per run; it stops at the first response). A server that prints the response on its own then is not charged by the check (its
 * steps' counts cannot be told from its own prints); `server.output` charges every such line.
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

import { escapeBytes, escapeText } from "../text/bytes.ts";
import { type ExchangeRecorder, readTcpTable, TCP_TIME_WAIT } from "../probes/probe_client.ts";
import type { Spec } from "../spec.ts";
import { serverArgs } from "../sandbox/net_plan.ts";
import { type ExitInfo, type RunningProgram, startProgram } from "../sandbox/process.ts";
import { serverSocketsOfAnyTransport, type TransportSocket } from "../sandbox/ports.ts";
import {
  leaveStaleSocket,
  probeTransport,
  removeSocketFileSync,
} from "../probes/transports/mod.ts";
import { planTransport, serverEndpoint } from "../probes/endpoints.ts";
import type { Endpoint } from "../probes/transport.ts";
import { errorLine } from "./program_says.ts";
import type { ProgramPlan } from "./types.ts";
import type { NetPlan } from "../sandbox/net_plan.ts";

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
/**
 * How long {@linkcode ServerRun.printsOnItsOwn} watches a server with no probe connected: a
 * fixed time, so the verdict does not depend on the machine's speed.
 */
export const UNPROMPTED_WATCH_MS = 1000;

/** What a server printed on stdout besides the response (sync markers excluded). */
export interface OtherOutput {
  /** How many such lines. */
  lines: number;
  /** Their bytes, newlines included (characters, for non-ASCII text). */
  bytes: number;
  /** The first {@linkcode OTHER_SAMPLE} distinct ones. */
  sample: string[];
  /** Bytes of a line under way with no `\n` yet (a flood without newlines). */
  pendingBytes: number;
  /** Response lines that arrived outside every probe window (see the module doc). */
  unsolicited: number;
  /** Of those, the ones before the run's first probe (at start-up). */
  atStartUp: number;
  /** Response lines printed past the sandbox's bound on timed responses (not attributed). */
  untimed: number;
  /** Lines that end with the response after other text (no newline before it). */
  glued: number;
}

/** A closed probe window: when (ms on the program's clock), and the responses it allows. */
interface ProbeWindow {
  from: number;
  to: number;
  allowance: number;
  seen: number;
}

/**
 * Where a server was found waiting (listening on a stream, bound for datagrams) over the plan's
 * transport, or why it was not: it exited, or nothing of the transport showed up in time
 * (`elsewhere`: what its processes wait on over other transports, e.g. a TCP server graded
 * under a `udp` spec).
 */
export type Readiness =
  | {
    state: "listening";
    /** Where it waits: an address and port, or a Unix-domain socket's path. */
    at: Endpoint;
    /** IP transports: the address (IPv4-mapped addresses in IPv4 form); Unix: the path. */
    address: string;
    /** IP transports: the port; Unix: the plan's port (there is none). */
    port: number;
    afterMs: number;
  }
  | { state: "exited"; exit: ExitInfo; afterMs: number }
  | { state: "timeout"; afterMs: number; elsewhere?: TransportSocket[] };

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
  #responsesRecorded = 0;
  #otherRecorded = 0;
  #scanned = 0;
  readonly #otherSample = new Set<string>();
  /** Closed probe windows (ms on the program's clock) not yet passed by the attribution. */
  readonly #windows: ProbeWindow[] = [];
  #openSince: number | undefined;
  #allowance = 0;
  #firstWindowFrom: number | undefined;
  #attributed = 0;
  #unsolicited = 0;
  #atStartUp = 0;
  #excused = 0;
  #unprompted: Promise<boolean> | undefined;

  /** Starts the server of `plan` (see {@linkcode serverCommand}). */
  constructor(
    spec: Spec,
    net: NetPlan,
    plan: ProgramPlan,
    options: { forced: boolean; label: string; staleSocket?: boolean },
  ) {
    const command = serverCommand(plan, net, options.forced);
    if (net.paths) prepareSocketPath(net.paths.serverPath, options.staleSocket ?? false);
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
      watchLine: spec.response,
      // A server that forks into the background keeps serving: server.starts charges that.
      holdTree: true,
    });
    this.program.exited.then((exit) => this.#exit = exit);
  }

  /** The exit, once the program has ended (else undefined). */
  get exit(): ExitInfo | undefined {
    return this.#exit;
  }

  /** The program's exit if it comes within `ms` (a bounded wait, on failure paths only). */
  async exitWithin(ms: number): Promise<ExitInfo | undefined> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const exit = await Promise.race([
      this.program.exited,
      new Promise<undefined>((resolve) => timer = setTimeout(() => resolve(undefined), ms)),
    ]);
    clearTimeout(timer);
    return exit;
  }

  /**
   * Waits until the server waits on the plan's transport (`probeTransport(…).waitReady`: a
   * listening or bound socket of its own process tree, read from the socket tables), exits, or
   * `timeoutMs` passes. Prefers the expected port or path when the tree waits on several; one
   * elsewhere is returned too (the checks report where). When nothing of the transport shows up,
   * says what the tree waits on over other transports.
   */
  async waitReady(timeoutMs: number): Promise<Readiness> {
    const t0 = performance.now();
    const pids = () => this.program.treePids();
    const found = await probeTransport(planTransport(this.#net)).waitReady({
      at: serverEndpoint(this.#net),
      pids,
      timeoutMs,
      exited: this.program.exited,
    });
    const afterMs = Math.round(performance.now() - t0);
    if (!found) {
      if (this.#exit) return { state: "exited", exit: this.#exit, afterMs };
      const elsewhere = await serverSocketsOfAnyTransport(pids);
      return { state: "timeout", afterMs, ...(elsewhere.length > 0 ? { elsewhere } : {}) };
    }
    if ("path" in found) {
      return { state: "listening", at: found, address: found.path, port: this.#net.port, afterMs };
    }
    const address = ipv4Form(found.address);
    return {
      state: "listening",
      at: { address, port: found.port },
      address,
      port: found.port,
      afterMs,
    };
  }

  /**
   * When the server did not listen: the TIME_WAIT sockets that hold its port right now (as
   * `local → remote`), or `[]` (always for other transports than `tcp`). A TIME_WAIT socket on
   * the port makes `bind()` fail with
   * `EADDRINUSE` for a minute unless both it and the new socket set `SO_REUSEADDR`; the grader
   * takes care never to leave one (see `probes/probe_client.ts`), so one found here is the
   * grader's problem, not the student's, and the caller reports `error`.
   */
  async timeWaitOnPort(): Promise<string[]> {
    if (planTransport(this.#net) !== "tcp") return [];
    const rows = await readTcpTable() ?? [];
    const port = `:${this.#net.port}`;
    return rows.filter((r) => r.state === TCP_TIME_WAIT && r.local.endsWith(port))
      .map((r) => `${r.local} → ${r.remote}`);
  }

  /**
   * Waits until every line the program wrote to stdout before this call has been read (see the
   * module doc). False when that cannot be done (the program ended, /proc is not usable): then
   * callers order by sentinels alone.
   */
  async syncOutput(timeoutMs: number): Promise<boolean> {
    if (this.#exit) return false;
    return await this.program.syncStdout(timeoutMs);
  }

  /** Opens a probe window: responses from now on may have been caused by a probe. */
  openWindow(): void {
    if (this.#openSince !== undefined) return;
    this.#openSince = performance.now() - this.program.startedAt;
    this.#firstWindowFrom ??= this.#openSince;
    this.#allowance = 0;
  }

  /**
   * Allows `n` more responses in the open window (opening one if none is): what the probes sent
   * in it calls for (one per trigger). Responses in a window beyond its allowance, and outside
   * every window, were caused by no probe's trigger.
   */
  allow(n: number): void {
    this.openWindow();
    this.#allowance += n;
  }

  /** Closes the probe window, once what it caused has been counted (see the module doc). */
  closeWindow(): void {
    if (this.#openSince === undefined) return;
    const to = performance.now() - this.program.startedAt;
    this.#windows.push({ from: this.#openSince, to, allowance: this.#allowance, seen: 0 });
    this.#openSince = undefined;
  }

  /**
   * Takes back `n` responses counted as caused by no probe: a check found that the server really
   * answers what a step sent (e.g. a near miss, every time), and charges that itself.
   */
  excuse(n: number): void {
    this.#excused += Math.max(0, n);
  }

  /**
   * Whether the server prints the response on its own: watched once per run, with no probe
   * connected. What was just sent may still be answered within the spec's `responseMs` (a slow
   * child on a loaded machine): responses then are not counted; only one in the
   * {@linkcode UNPROMPTED_WATCH_MS} after is (the watch stops at the first). Callers close their
   * probe connections first. What it prints meanwhile is outside every probe window:
   * `server.output` charges it.
   */
  printsOnItsOwn(): Promise<boolean> {
    this.#unprompted ??= (async () => {
      const graceMs = this.#spec.timeouts.responseMs;
      await this.program.waitForStdout(() => false, graceMs);
      await this.syncOutput(graceMs);
      return await this.waitResponses(this.responseCount() + 1, UNPROMPTED_WATCH_MS);
    })();
    return this.#unprompted;
  }

  /** Whether a stdout line is the spec's response (a trailing `\r` is tolerated). */
  isResponse(text: string): boolean {
    return text.replace(/\r$/, "") === this.#spec.response;
  }

  /** Samples the other lines stored since the last scan (each line once). */
  #scan(): void {
    const lines = this.program.stdoutLines;
    for (; this.#scanned < lines.length && this.#otherSample.size < OTHER_SAMPLE; this.#scanned++) {
      const text = lines[this.#scanned]!.text;
      if (!this.isResponse(text)) this.#otherSample.add(text.slice(0, OTHER_CUT));
    }
  }

  /**
   * Attributes the responses timed since the last call to probe windows, each once; responses
   * in the open window wait until it closes (its allowance is known then).
   */
  #attribute(): void {
    const times = this.program.stdoutWatched;
    for (; this.#attributed < times.length; this.#attributed++) {
      const at = times[this.#attributed]!.atMs;
      if (this.#openSince !== undefined && at >= this.#openSince) return;
      while (this.#windows.length > 0 && this.#windows[0]!.to < at) this.#windows.shift();
      const window = this.#windows[0];
      if (window && window.from <= at && ++window.seen <= window.allowance) continue;
      this.#unsolicited++;
      if (this.#firstWindowFrom === undefined || at < this.#firstWindowFrom) this.#atStartUp++;
    }
  }

  /** How many response lines the server has printed so far (every one, however much it printed). */
  responseCount(): number {
    return this.program.stdoutCounts().watched;
  }

  /**
   * The first {@linkcode OTHER_SAMPLE} distinct stdout lines that are not the response, in order,
   * each cut to {@linkcode OTHER_CUT} characters.
   */
  otherLines(): string[] {
    this.#scan();
    return [...this.#otherSample];
  }

  /** Counters of the stdout lines that are not the response, and of unsolicited responses. */
  otherOutput(): OtherOutput {
    this.#scan();
    this.#attribute();
    const counts = this.program.stdoutCounts();
    return {
      lines: counts.lines - counts.watched,
      bytes: counts.otherBytes,
      sample: [...this.#otherSample],
      pendingBytes: counts.pendingBytes,
      unsolicited: Math.max(0, this.#unsolicited - this.#excused),
      atStartUp: this.#atStartUp,
      untimed: counts.watchedTimesDropped,
      glued: counts.glued,
    };
  }

  /** How many complete stdout lines the sandbox counted but did not store (a flood). */
  get linesNotStored(): number {
    return this.program.stdoutLinesDropped;
  }

  /**
   * Waits until at least `total` response lines have been printed in all (true), or until
   * `timeoutMs` passes or the server exits (false).
   */
  async waitResponses(total: number, timeoutMs: number): Promise<boolean> {
    if (this.responseCount() >= total) return true;
    if (this.#exit) return false;
    return await this.program.waitForStdout(() => this.responseCount() >= total, timeoutMs);
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
      if (this.isResponse(line.text)) {
        this.#responsesRecorded++;
      } else if (this.#otherRecorded++ >= RECORDED_OTHER_LINES) {
        skipped++;
        continue;
      }
      recorder.add(
        { actor: "server", kind: "stdout", data: escapeText(line.text, 512) },
        this.program.startedAt + line.atMs,
      );
    }
    // Past the sandbox's line cap only the responses are known, with their times.
    const times = this.program.stdoutWatched;
    if (this.program.stdoutLinesDropped > 0) {
      for (; this.#responsesRecorded < times.length; this.#responsesRecorded++) {
        recorder.add(
          { actor: "server", kind: "stdout", data: escapeText(this.#spec.response, 512) },
          this.program.startedAt + times[this.#responsesRecorded]!.atMs,
        );
      }
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
      stdout: escapeBytes(this.program.stdout()),
      stderr: escapeBytes(this.program.stderr()),
      ...(this.#exit ? { exit: describeExit(this.#exit) } : {}),
      ...(this.linesNotStored > 0 ? { stdoutLinesNotStored: this.linesNotStored } : {}),
    };
  }

  /** Kills the server's whole process tree. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.program[Symbol.asyncDispose]();
  }
}

/**
 * Before a Unix-domain server starts: removes what an earlier run left at its socket path, and
 * with `stale`, leaves a stale socket file there instead (a socket bound and closed, as a crashed
 * server leaves one), which the server must remove before its `bind()` (EXERCISE.md §6).
 */
function prepareSocketPath(path: string, stale: boolean): void {
  removeSocketFileSync(path);
  if (stale) leaveStaleSocket(path);
}

/** Words for an exit: `exit code 3`, `killed by SIGSEGV`. */
export function describeExit(exit: ExitInfo): string {
  if (exit.memoryExceeded) {
    return `killed by the sandbox's memory cap${
      exit.peakMemoryBytes
        ? ` (it used ${Math.round(exit.peakMemoryBytes / (1024 * 1024))} MiB)`
        : ""
    }`;
  }
  if (exit.signal) return `killed by ${exit.signal}${exit.killed ? " (by the grader)" : ""}`;
  return `exit code ${exit.code}`;
}

/**
 * The line of stderr worth quoting in a message (escaped, cut), if any: the error line of a
 * Python traceback or a Java stack trace, else the first line (see `program_says.ts`).
 */
export function firstStderrLine(program: RunningProgram): string | undefined {
  return errorLine(program.stderrLines.map((l) => l.text));
}
