/**
 * Running a student's client for the client checks and the pair check: start it, wait for its
 * exit or the deadline, run it against the grader's capture of the spec's transport
 * (`probeTransport(t).capture` at the server's endpoint: a capture server for streams, a bound
 * socket for datagrams) and settle what it sent, and the evidence and words shared by the client
 * checks.
 *
 * Beside the capture, a decoy of the other IP transport waits on the same port (`tcp` ↔ `udp`):
 * a client of the wrong transport sends nothing the capture sees, and the decoy says what it did
 * send instead (in the private namespace `DialWatch` also sees a TCP client's SYNs). Unix-domain
 * socket files a student's program left at the run's paths are removed before each run, so one
 * run does not make the next one's `bind()` fail.
 *
 * @module
 */

import { escapeBytes, escapeText } from "../../text/bytes.ts";
import type { Exchange } from "../../result.ts";
import { isDatagramTransport, type Transport } from "../../spec.ts";
import { clientArgs, type NetPlan } from "../../sandbox/net_plan.ts";
import type { CapturedConnection, CaptureOverflow } from "../../probes/capture_server.ts";
import { DialWatch } from "../../probes/dial_watch.ts";
import { planTransport, serverEndpoint } from "../../probes/endpoints.ts";
import { ExchangeRecorder } from "../../probes/probe_client.ts";
import type { Capture, CapturedMessage } from "../../probes/transport.ts";
import { probeTransport } from "../../probes/transports/mod.ts";
import { type ExitInfo, type RunningProgram, startProgram } from "../../sandbox/process.ts";
import { usageLine } from "../program_says.ts";
import { describeExit, firstStderrLine } from "../server_program.ts";
import type { CheckContext, ProgramPlan } from "../types.ts";
import { type TransportWords, transportWords } from "./_transport_words.ts";

/** How long connections may take to end once the client has exited (its FINs are in flight). */
const AFTER_EXIT_MS = 250;

/** When one connection ended, relative to the client's life. */
type EndTiming =
  | "closed"
  | "reset"
  | "left open after exit"
  | "open when killed";

/** What one run of a client program showed (also used by the pair check). */
export interface ClientRun {
  /** The command line. */
  argv: string[];
  /** Why it could not be started, if it could not. */
  startError?: string;
  /** How it ended (after the grader's kill, if it had to). */
  exit?: ExitInfo;
  /** Whether it was still running at the deadline. */
  timedOut: boolean;
  /** The program, for its output. */
  program?: RunningProgram;
  /** When the run began. */
  startedAt: number;
  /** When the run was over (client gone, connections settled). */
  endedAt: number;
}

/** What a client of the wrong transport sent, seen by the decoy or on the wire. */
export interface WrongTransport {
  /** The transport it used. */
  used: Transport;
  /** What was seen: "3 datagrams", "1 connection", "a connection attempt (SYN)". */
  seen: string;
}

/** The first run's extra: what the capture saw. */
export interface CaptureRun extends ClientRun {
  /** The spec's transport. */
  transport: Transport;
  /** Streams: the connections, in accept order; datagrams: none. */
  connections: readonly CapturedConnection[];
  /** Streams: how each connection ended relative to the client's exit. */
  endings: EndTiming[];
  /** Streams: whether each connection had ended when the client was gone. */
  closedByClient: boolean[];
  /** Datagrams: each datagram, framed per §6, with its source; streams: none. */
  datagrams: CapturedMessage[];
  /** The exchange for the evidence. */
  exchange: Exchange;
  /**
   * Where the client tried to connect (`address:port`, each once), seen by a
   * {@linkcode DialWatch} in `netns` mode; `[]` when none was seen or it could not watch.
   */
  dialled: string[];
  /** What the client sent past the capture's bounds, if it did. */
  overflow?: CaptureOverflow;
  /** What it sent over the other IP transport instead, if anything. */
  wrongTransport?: WrongTransport;
  /** Unix-domain transports: whether it left its bound socket file behind (removed since). */
  leftSocketFile?: boolean;
}

/** Whether anything the client sent reached the capture (a connection or a datagram). */
export function reachedCapture(run: CaptureRun): boolean {
  return run.connections.length > 0 || run.datagrams.length > 0;
}

/**
 * Removes a socket file a program left at `path` (only a socket: anything else is left as it
 * is); true when there was one.
 */
export async function clearSocketFile(path: string): Promise<boolean> {
  try {
    if (!(await Deno.lstat(path)).isSocket) return false;
    await Deno.remove(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

/** Removes what earlier programs left at the run's server and client paths (Unix transports). */
export async function clearRunSockets(net: NetPlan): Promise<void> {
  if (!net.paths) return;
  await clearSocketFile(net.paths.serverPath);
  await clearSocketFile(net.paths.clientPath);
}

function waitExit(program: RunningProgram, timeoutMs: number): Promise<ExitInfo | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    program.exited,
    new Promise<undefined>((resolve) => timer = setTimeout(() => resolve(undefined), timeoutMs)),
  ]).finally(() => clearTimeout(timer));
}

/**
 * Starts a client program and waits for its exit or the deadline, recording its start (and a
 * timeout) in `recorder`. Never throws: a program that cannot start gives `startError`. The
 * caller must then call {@linkcode finishClient}, which kills whatever is left.
 */
export async function runClient(
  plan: ProgramPlan,
  argv: string[],
  timeoutMs: number,
  recorder: ExchangeRecorder,
): Promise<ClientRun> {
  const startedAt = performance.now();
  recorder.add({ actor: "client", kind: "start", data: argv.join(" ") }, startedAt);
  let program: RunningProgram;
  try {
    program = startProgram({ argv, cwd: plan.cwd, env: plan.env, label: "client" });
  } catch (error) {
    const startError = error instanceof Error ? error.message : String(error);
    recorder.note(startError);
    return { argv, startError, timedOut: false, startedAt, endedAt: performance.now() };
  }
  const exit = await waitExit(program, timeoutMs);
  if (!exit) {
    recorder.add({
      actor: "grader",
      kind: "timeout",
      data: `the client was still running after ${timeoutMs} ms`,
    });
  }
  return {
    argv,
    timedOut: exit === undefined,
    program,
    startedAt,
    endedAt: performance.now(),
    ...(exit ? { exit } : {}),
  };
}

/** Kills what is left of a client run and records its output and exit in the exchange. */
export async function finishClient(run: ClientRun, recorder: ExchangeRecorder): Promise<void> {
  const program = run.program;
  if (!program) return;
  run.exit = await program.kill();
  const output = [["stdout", program.stdoutLines], ["stderr", program.stderrLines]] as const;
  for (const [kind, lines] of output) {
    for (const line of lines) {
      recorder.add(
        { actor: "client", kind, data: escapeText(line.text, 512) },
        program.startedAt + line.atMs,
      );
    }
  }
  recorder.add(
    { actor: "client", kind: "exit", data: describeExit(run.exit) },
    program.startedAt + run.exit.durationMs,
  );
  run.endedAt = performance.now();
}

/** The other IP transport, whose decoy catches a client of the wrong one. */
function decoyTransport(transport: Transport): Transport | undefined {
  return transport === "tcp" ? "udp" : transport === "udp" ? "tcp" : undefined;
}

/** Opens the decoy of the other IP transport on the server's endpoint, when it can. */
async function openDecoy(net: NetPlan, transport: Transport): Promise<Capture | undefined> {
  const other = decoyTransport(transport);
  if (!other) return undefined;
  try {
    return await probeTransport(other).capture({ at: serverEndpoint(net) });
  } catch {
    // The port is taken on the other transport here: no decoy, the checks go on without it.
    return undefined;
  }
}

/** What the decoy (or the wire) showed of a client of the wrong transport. */
async function wrongTransportSeen(
  decoy: Capture | undefined,
  transport: Transport,
  dialled: string[],
  target: string,
): Promise<WrongTransport | undefined> {
  const other = decoyTransport(transport);
  if (!other) return undefined;
  if (decoy) {
    await decoy.sync(AFTER_EXIT_MS);
    const connections = decoy.connections().length;
    const datagrams = other === "udp" ? decoy.messages().length : 0;
    if (connections > 0) return { used: other, seen: plural(connections, "connection") };
    if (datagrams > 0) return { used: other, seen: plural(datagrams, "datagram") };
  }
  if (other === "tcp" && dialled.includes(target)) {
    return { used: other, seen: "a connection attempt (SYN)" };
  }
  return undefined;
}

/** Runs the client against the capture of the spec's transport and settles what it sent. */
export async function runAgainstCapture(ctx: CheckContext, plan: ProgramPlan): Promise<CaptureRun> {
  const { net, spec } = ctx;
  const transport = planTransport(net);
  const at = serverEndpoint(net);
  const target = transportWords(transport, at).target;
  const recorder = new ExchangeRecorder(`client against the grader's capture on ${target}`);
  await clearRunSockets(net);
  let capture: Capture;
  try {
    capture = await probeTransport(transport).capture({ at });
  } catch (error) {
    const what = isDatagramTransport(transport)
      ? "the capture could not bind"
      : "the capture server could not listen on";
    throw new Error(
      `${what} ${target}: ${error instanceof Error ? error.message : error}`,
      { cause: error },
    );
  }
  const decoy = await openDecoy(net, transport);
  // Every connection attempt in the private namespace is the client's while it runs.
  using watch = net.mode === "netns" ? DialWatch.open() : undefined;
  try {
    const argv = [...plan.argv, ...clientArgs(net)];
    const run = await runClient(plan, argv, spec.timeouts.clientMs, recorder);
    if (run.exit) {
      await capture.sync(AFTER_EXIT_MS);
      await capture.waitForAllEnded(AFTER_EXIT_MS);
    }
    const settled = new Set(capture.connections().filter((c) => c.end !== "open"));
    // The client's tree ends first: its kernel closes every socket it still held, so the
    // capture's close below is the passive one (no TIME_WAIT on the service port).
    await finishClient(run, recorder);
    const connections = capture.connections();
    if (run.timedOut || settled.size < connections.length) {
      await capture.sync(AFTER_EXIT_MS);
      await capture.waitForAllEnded(AFTER_EXIT_MS);
    }
    const dialled = watch?.attempts() ?? [];
    const wrongTransport = connections.length === 0 && capture.messages().length === 0
      ? await wrongTransportSeen(decoy, transport, dialled, target)
      : undefined;
    await capture.close();
    capture.record(recorder);
    if (wrongTransport) decoy?.record(recorder);
    const leftSocketFile = net.paths ? await clearSocketFile(net.paths.clientPath) : undefined;
    const closedByClient = connections.map((c) => settled.has(c));
    const endings = connections.map((c): EndTiming =>
      !settled.has(c)
        ? run.timedOut ? "open when killed" : "left open after exit"
        : c.end === "rst"
        ? "reset"
        : "closed"
    );
    const overflow = capture.overflow();
    return {
      ...run,
      transport,
      connections,
      endings,
      closedByClient,
      datagrams: isDatagramTransport(transport) ? capture.messages() : [],
      exchange: recorder.toExchange(),
      dialled,
      ...(overflow ? { overflow } : {}),
      ...(wrongTransport ? { wrongTransport } : {}),
      ...(leftSocketFile !== undefined ? { leftSocketFile } : {}),
    };
  } finally {
    await capture.close();
    await decoy?.close();
  }
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function ms(n: number): number {
  return Math.round(n);
}

/** Evidence shared by the checks of the first run. */
export function runEvidence(
  run: ClientRun,
): Record<string, unknown> & { stdout?: string; stderr?: string } {
  return {
    command: run.argv,
    ...(run.startError ? { startError: run.startError } : {}),
    ...(run.exit ? { exit: describeExit(run.exit), exitAfterMs: ms(run.exit.durationMs) } : {}),
    ...(run.program
      ? {
        stdout: escapeBytes(run.program.stdout()),
        stderr: escapeBytes(run.program.stderr()),
      }
      : {}),
  };
}

/** A usage line the client printed on stdout or stderr, if any. */
export function clientUsage(run: ClientRun): string | undefined {
  const program = run.program;
  if (!program) return undefined;
  return usageLine(
    program.stdoutLines.map((l) => l.text),
    program.stderrLines.map((l) => l.text),
  );
}

/**
 * Where the client dialled instead of `target`, in words ("it dialled 127.0.0.1:1010, where
 * nothing listens"), from the connection attempts the grader saw; "" when it saw none.
 */
export function dialledWords(run: CaptureRun, target: string): string {
  const elsewhere = run.dialled.filter((d) => d !== target);
  if (elsewhere.length === 0) return "";
  const shown = elsewhere.slice(0, 3).join(", ") +
    (elsewhere.length > 3 ? ` and ${elsewhere.length - 3} more` : "");
  return `: it dialled ${shown}, where nothing listens`;
}

/** Why a client whose messages never reached the capture did not, in words. */
export function noConnectionReason(
  run: CaptureRun,
  words: TransportWords,
  timeoutMs: number,
): string {
  const target = words.target;
  const said = run.program ? firstStderrLine(run.program) : undefined;
  const usage = clientUsage(run);
  const dialled = dialledWords(run, target);
  const quoted = usage
    ? `${dialled}; it printed its usage line "${usage}"`
    : `${dialled}${said ? `${dialled ? "; it said" : ":"} "${said}"` : ""}`;
  const exit = run.exit;
  if (run.timedOut) {
    return `your client did not ${words.reach} within ${timeoutMs} ms${dialled}${
      said ? `; it said "${said}"` : ""
    }`;
  }
  if (exit?.signal) {
    return `your client crashed (${exit.signal}) before it ${words.reached}${dialled}`;
  }
  if (exit && exit.code !== 0) {
    return `your client exited with status ${exit.code} without ${words.reaching}${quoted}`;
  }
  return `your client exited without ever ${words.reaching}${quoted}`;
}
