/**
 * The client checks of EXERCISE.md §3: `client.connects`, `client.messages`, `client.exits` and
 * `client.no-server`, in that order.
 *
 * The student's client runs once against the grader's capture server (listening on the server
 * address and port it is given) and once with nothing listening there. The first run is
 * sequenced by events, not sleeps: the client's exit, then {@linkcode CaptureServer.sync} (every
 * connection it made is accepted), then every connection's end (its FIN carries the last bytes).
 * What the bytes mean is decided by the pure `diagnose.ts`.
 *
 * `client.exits` is `skip` when the client never connected (`client.connects` failed): how a
 * client ends after a failed connect is what `client.no-server` grades, so it is not charged
 * twice. The messages the client sent, framed per the spec, are handed to the caller through a
 * {@linkcode ClientObservation}, for the pair check to count the triggers actually sent.
 *
 * Ordering for the service port: the client's process tree is ended before the capture server
 * closes, so every connection has been closed by the client's side first and the capture server
 * never leaves a TIME_WAIT socket on the port the student's server binds next (see
 * `probes/capture_server.ts`).
 *
 * @module
 */

import { escapeBytes, escapeText } from "../bytes.ts";
import type { Exchange } from "../result.ts";
import { clientArgs } from "../net_plan.ts";
import {
  type CapturedConnection,
  type CaptureOverflow,
  CaptureServer,
  describeOverflow,
} from "../probes/capture_server.ts";
import { DialWatch } from "../probes/dial_watch.ts";
import { ExchangeRecorder, formatAddress } from "../probes/probe_client.ts";
import { type ExitInfo, type RunningProgram, startProgram } from "../sandbox/process.ts";
import { diagnoseMessages, sentMessages } from "./diagnose.ts";
import { hint } from "./hints/mod.ts";
import { usageLine } from "./program_says.ts";
import { describeExit, firstStderrLine } from "./server_program.ts";
import type { CheckContext, CheckOutcome, ProgramPlan } from "./types.ts";

/** What {@linkcode runClientChecks} tells its caller besides the outcomes. */
export interface ClientObservation {
  /**
   * The messages the client sent to the capture server, framed per the spec (see
   * `diagnose.ts` `sentMessages`); `[]` when it connected to nothing. Unset when the client could
   * not be started or the checks threw. Give it to the pair check as `CheckContext.clientSent`.
   */
  sent?: string[];
}

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

/** The first run's extra: what the capture server saw. */
interface CaptureRun extends ClientRun {
  /** The connections, in accept order. */
  connections: readonly CapturedConnection[];
  /** How each connection ended relative to the client's exit. */
  endings: EndTiming[];
  /** Whether each connection had ended when the client was gone (before the grader closed it). */
  closedByClient: boolean[];
  /** The exchange for the evidence. */
  exchange: Exchange;
  /**
   * Where the client tried to connect (`address:port`, each once), seen by a
   * {@linkcode DialWatch} in `netns` mode; `[]` when none was seen or it could not watch.
   */
  dialled: string[];
  /** What the client sent past the capture server's bounds, if it did. */
  overflow?: CaptureOverflow;
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

/** Runs the client against the capture server and settles every connection. */
async function runAgainstCapture(ctx: CheckContext, plan: ProgramPlan): Promise<CaptureRun> {
  const { net, spec } = ctx;
  const target = formatAddress(net.serverAddress, net.port);
  const recorder = new ExchangeRecorder(`client against the grader's capture server on ${target}`);
  let capture: CaptureServer;
  try {
    capture = CaptureServer.listen({ hostname: net.serverAddress, port: net.port });
  } catch (error) {
    throw new Error(
      `the capture server could not listen on ${target}: ${
        error instanceof Error ? error.message : error
      }`,
      { cause: error },
    );
  }
  // Every connection attempt in the private namespace is the client's while it runs.
  using watch = net.mode === "netns" ? DialWatch.open() : undefined;
  try {
    const argv = [...plan.argv, ...clientArgs(net)];
    const run = await runClient(plan, argv, spec.timeouts.clientMs, recorder);
    if (run.exit) {
      await capture.sync(AFTER_EXIT_MS);
      await capture.waitForAllEnded(AFTER_EXIT_MS);
    }
    const settled = new Set(capture.connections.filter((c) => c.end !== "open"));
    // The client's tree ends first: its kernel closes every socket it still held, so the
    // capture server's close below is the passive one (no TIME_WAIT on the service port).
    await finishClient(run, recorder);
    if (run.timedOut || settled.size < capture.connections.length) {
      await capture.sync(AFTER_EXIT_MS);
      await capture.waitForAllEnded(AFTER_EXIT_MS);
    }
    await capture.close();
    capture.record(recorder);
    const dialled = watch?.attempts() ?? [];
    const closedByClient = capture.connections.map((c) => settled.has(c));
    const endings = capture.connections.map((c): EndTiming =>
      !settled.has(c)
        ? run.timedOut ? "open when killed" : "left open after exit"
        : c.end === "rst"
        ? "reset"
        : "closed"
    );
    const overflow = capture.overflow;
    return {
      ...run,
      connections: capture.connections,
      endings,
      closedByClient,
      exchange: recorder.toExchange(),
      dialled,
      ...(overflow ? { overflow } : {}),
    };
  } finally {
    await capture.close();
  }
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function ms(n: number): number {
  return Math.round(n);
}

/** Evidence shared by the checks of the first run. */
function runEvidence(
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
function dialledWords(run: CaptureRun, target: string): string {
  const elsewhere = run.dialled.filter((d) => d !== target);
  if (elsewhere.length === 0) return "";
  const shown = elsewhere.slice(0, 3).join(", ") +
    (elsewhere.length > 3 ? ` and ${elsewhere.length - 3} more` : "");
  return `: it dialled ${shown}, where nothing listens`;
}

/** Why a client that never connected did not, in words. */
function noConnectionReason(run: CaptureRun, target: string, timeoutMs: number): string {
  const said = run.program ? firstStderrLine(run.program) : undefined;
  const usage = clientUsage(run);
  const dialled = dialledWords(run, target);
  const quoted = usage
    ? `${dialled}; it printed its usage line "${usage}"`
    : `${dialled}${said ? `${dialled ? "; it said" : ":"} "${said}"` : ""}`;
  const exit = run.exit;
  if (run.timedOut) {
    return `your client did not connect to ${target} within ${timeoutMs} ms${dialled}${
      said ? `; it said "${said}"` : ""
    }`;
  }
  if (exit?.signal) {
    return `your client crashed (${exit.signal}) before it connected to ${target}${dialled}`;
  }
  if (exit && exit.code !== 0) {
    return `your client exited with status ${exit.code} without connecting to ${target}${quoted}`;
  }
  return `your client exited without ever connecting to ${target}${quoted}`;
}

function connectsOutcome(ctx: CheckContext, run: CaptureRun): CheckOutcome {
  const target = formatAddress(ctx.net.serverAddress, ctx.net.port);
  const evidence = {
    ...runEvidence(run),
    ...(run.dialled.length ? { dialled: run.dialled } : {}),
    exchanges: [run.exchange],
  };
  if (run.startError) {
    return {
      id: "client.connects",
      status: "fail",
      message: `your client could not be started: ${run.startError}`,
      hint: hint("client.start-failed", ctx.client?.kind),
      evidence,
      durationMs: ms(run.endedAt - run.startedAt),
    };
  }
  const first = run.connections[0];
  if (!first) {
    return {
      id: "client.connects",
      status: "fail",
      message: noConnectionReason(run, target, ctx.spec.timeouts.clientMs),
      hint: hint(clientUsage(run) ? "client.usage" : "client.connect-args", ctx.client?.kind),
      evidence,
      durationMs: ms(run.endedAt - run.startedAt),
    };
  }
  const peers = [...new Set(run.connections.map((c) => c.remoteAddress))];
  const unexpected = ctx.net.mode === "netns" && peers.some((p) => p !== ctx.net.clientAddress);
  return {
    id: "client.connects",
    status: "pass",
    message: `connected to ${target} (${
      plural(run.connections.length, "connection")
    }, first after ${ms(first.acceptedAt - run.startedAt)} ms)`,
    evidence: {
      ...evidence,
      connections: run.connections.map((c) => ({ label: c.label, from: c.from, to: c.to })),
      ...(unexpected
        ? { note: `connections came from ${peers.join(", ")}, not ${ctx.net.clientAddress}` }
        : {}),
    },
    durationMs: ms(first.acceptedAt - run.startedAt),
  };
}

function messagesOutcome(ctx: CheckContext, run: CaptureRun): CheckOutcome {
  const started = performance.now();
  if (run.connections.length === 0) {
    return {
      id: "client.messages",
      status: "skip",
      message: run.startError
        ? "skipped: the client could not be started (see client.connects)"
        : "skipped: the client never connected (see client.connects)",
      evidence: { exchanges: [run.exchange] },
      durationMs: 0,
    };
  }
  if (run.overflow) {
    const { limits: _, ...sent } = run.overflow;
    return {
      id: "client.messages",
      status: "fail",
      message: describeOverflow(run.overflow),
      hint:
        "Send each of the spec's messages once, then close the socket: the client sends a few short lines, never a stream of data or many connections.",
      evidence: { overflow: sent, exchanges: [run.exchange] },
      durationMs: 0,
    };
  }
  const d = diagnoseMessages(
    run.connections.map((c, i) => ({ bytes: c.bytes(), closed: run.closedByClient[i]! })),
    ctx.spec.messages,
    ctx.client?.kind,
  );
  return {
    id: "client.messages",
    status: d.status,
    message: d.message,
    ...(d.hint ? { hint: d.hint } : {}),
    ...(d.fraction !== undefined ? { fraction: d.fraction } : {}),
    evidence: {
      diagnosis: d.kind,
      expected: d.details.expected,
      received: d.details.received,
      layout: d.details.layout,
      ...(d.details.notes.length ? { notes: d.details.notes } : {}),
      ...(d.details.problems.length > 1 ? { problems: d.details.problems } : {}),
      bytes: run.connections.map((c) => ({
        connection: c.label,
        size: c.size,
        data: escapeBytes(c.bytes()),
      })),
      exchanges: [run.exchange],
    },
    durationMs: ms(performance.now() - started),
  };
}

function exitsOutcome(ctx: CheckContext, run: CaptureRun): CheckOutcome {
  const durationMs = ms(run.endedAt - run.startedAt);
  const evidence = {
    ...runEvidence(run),
    connections: run.connections.map((c, i) => ({ connection: c.label, end: run.endings[i] })),
    exchanges: [run.exchange],
  };
  const base = { id: "client.exits" as const, evidence, durationMs };
  const kind = ctx.client?.kind;
  const exit = run.exit;
  if (run.startError || !exit) {
    return { ...base, status: "skip", message: "skipped: the client could not be started" };
  }
  if (run.connections.length === 0) {
    return {
      ...base,
      status: "skip",
      message:
        "skipped: the client never connected (see client.connects); how it ends without a server is graded by client.no-server",
    };
  }
  const said = run.program ? firstStderrLine(run.program) : undefined;
  if (run.timedOut) {
    const open = run.endings.filter((e) => e === "open when killed").length;
    return {
      ...base,
      status: "fail",
      message: `your client did not exit within ${ctx.spec.timeouts.clientMs} ms and was killed${
        open > 0 ? `; ${plural(open, "connection")} still open` : ""
      }`,
      hint: hint("client.hangs-after-sending", kind),
    };
  }
  if (exit.signal) {
    return {
      ...base,
      status: "fail",
      message: `your client crashed with ${exit.signal}`,
      hint: hint(
        exit.signal === "SIGSEGV"
          ? "client.crash-segv"
          : exit.signal === "SIGPIPE"
          ? "client.crash-sigpipe"
          : "client.crash-other",
        kind,
      ),
    };
  }
  if (exit.code !== 0) {
    return {
      ...base,
      status: "fail",
      message: `your client exited with status ${exit.code}, expected 0${
        said ? `: "${said}"` : ""
      }`,
      hint: hint("client.exit-status", kind),
    };
  }
  const left = run.endings.filter((e) => e === "left open after exit").length;
  if (left > 0) {
    return {
      ...base,
      status: "fail",
      message: `your client exited with status 0 but ${
        plural(left, "connection")
      } stayed open after it (a process it started kept the socket)`,
      hint: hint("client.left-open", kind),
    };
  }
  const resets = run.endings.filter((e) => e === "reset").length;
  const when = `in ${ms(exit.durationMs)} ms`;
  if (resets > 0) {
    return {
      ...base,
      status: "warn",
      fraction: 1,
      message: `your client exited with status 0 ${when}, but reset ${
        plural(resets, "connection")
      } (RST) instead of closing it`,
      hint: hint("client.reset", kind),
    };
  }
  const closing = run.connections.length === 0
    ? "without connecting"
    : run.connections.length === 1
    ? "and its connection was closed (FIN)"
    : `and its ${run.connections.length} connections were closed (FIN)`;
  return { ...base, status: "pass", message: `exited with status 0 ${when} ${closing}` };
}

async function noServerOutcome(ctx: CheckContext, plan: ProgramPlan): Promise<CheckOutcome> {
  const { net, spec } = ctx;
  const target = formatAddress(net.serverAddress, net.port);
  const recorder = new ExchangeRecorder(`client with nothing listening on ${target}`);
  const argv = [...plan.argv, ...clientArgs(net)];
  const run = await runClient(plan, argv, spec.timeouts.clientMs, recorder);
  await finishClient(run, recorder);
  const evidence = { ...runEvidence(run), exchanges: [recorder.toExchange()] };
  const base = {
    id: "client.no-server" as const,
    evidence,
    durationMs: ms(run.endedAt - run.startedAt),
  };
  const exit = run.exit;
  if (run.startError || !exit || !run.program) {
    return { ...base, status: "skip", message: "skipped: the client could not be started" };
  }
  const said = firstStderrLine(run.program);
  const printed = run.program.stdoutLines.some((l) => l.text.trim() !== "");
  const usage = clientUsage(run);
  const kind = plan.kind;
  if (run.timedOut) {
    return {
      ...base,
      status: "fail",
      message:
        `your client waited forever when no server was listening (killed after ${spec.timeouts.clientMs} ms)`,
      hint: hint("client.no-server-retries", kind),
    };
  }
  if (exit.signal) {
    return {
      ...base,
      status: "fail",
      message: `your client crashed with ${exit.signal} when no server was listening`,
      hint: hint("client.no-server-crash", kind),
    };
  }
  if (usage) {
    // It never tried: how it handles a failed connect is unknown, whatever its status.
    return {
      ...base,
      status: "fail",
      message:
        `your client printed its usage line "${usage}" and exited with status ${exit.code} instead of trying to connect`,
      hint: hint("client.usage", kind),
    };
  }
  if (exit.code === 0) {
    return said
      ? {
        ...base,
        status: "fail",
        fraction: 0.5,
        message:
          `your client printed "${said}" but exited with status 0 when no server was listening (the error message is right, the status is not)`,
        hint: hint("client.no-server-exit-zero", kind),
      }
      : {
        ...base,
        status: "fail",
        message:
          "your client exited with status 0 and no error message when no server was listening",
        hint: hint("client.no-server-error", kind),
      };
  }
  if (!said) {
    return {
      ...base,
      status: "fail",
      fraction: 0.5,
      message: printed
        ? `your client exited with status ${exit.code} (right) but printed its error on stdout, not stderr`
        : `your client exited with status ${exit.code} (right) but printed no error message on stderr`,
      hint: hint(printed ? "client.error-on-stdout" : "client.no-server-error", kind),
    };
  }
  return {
    ...base,
    status: "pass",
    message: `exited with status ${exit.code} in ${ms(exit.durationMs)} ms and said "${said}"`,
  };
}

/**
 * Runs the client checks for the submission's client: `client.connects`, `client.messages`,
 * `client.exits`, `client.no-server`, in that order. Needs `ctx.client`; a client that cannot be
 * started fails `client.connects` and skips the rest. Throws only for the grader's own faults
 * (e.g. the capture server cannot listen). When `observed` is given, its `sent` is set to the
 * messages the client sent (see {@linkcode ClientObservation}).
 */
export async function runClientChecks(
  ctx: CheckContext,
  observed?: ClientObservation,
): Promise<CheckOutcome[]> {
  const plan = ctx.client;
  if (!plan) throw new TypeError("runClientChecks() needs the client's plan (ctx.client).");
  const run = await runAgainstCapture(ctx, plan);
  if (observed && !run.startError) {
    observed.sent = sentMessages(
      run.connections.map((c, i) => ({ bytes: c.bytes(), closed: run.closedByClient[i]! })),
    );
  }
  const outcomes = [connectsOutcome(ctx, run), messagesOutcome(ctx, run), exitsOutcome(ctx, run)];
  if (run.startError) {
    outcomes.push({
      id: "client.no-server",
      status: "skip",
      message: "skipped: the client could not be started (see client.connects)",
      evidence: {},
      durationMs: 0,
    });
  } else {
    outcomes.push(await noServerOutcome(ctx, plan));
  }
  return outcomes;
}
