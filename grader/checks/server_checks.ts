/**
 * The server checks of EXERCISE.md §3: `server.starts`, `server.trigger`, `server.exact-match`,
 * `server.framing`, `server.address-filter`, `server.robustness`, `server.concurrency` and
 * `server.output`, run in that order by {@linkcode runServerChecks}. The student's server is
 * driven by the grader's probe client (`grader/probes/probe_client.ts`), which binds the allowed
 * client address (or the stranger's) before connecting.
 *
 * ## How each check runs
 *
 * Every check starts a fresh server (`[...argv, clientAddress, port]`, line buffering forced
 * unless the check tests unforced output), waits until its process tree listens, does its work,
 * and kills the tree at the end, so one crash never cascades into the next check.
 *
 * ## Negative checks are sequenced, never slept
 *
 * Each step under test (a near miss, a framing case, the stranger's trigger, a robustness case)
 * runs on its own connection. The probe then half-closes it and waits (at most `responseMs`) for
 * the server's FIN or RST: a server handles a connection's bytes before it sees the end of the
 * stream, so any response they caused is in the stdout pipe by then. Next, `syncOutput()` (see
 * `server_program.ts`) writes a marker into that pipe and waits until the sandbox has read it, so
 * the response count now includes everything the step caused, however slowly the pipe is read.
 * Finally a SENTINEL (the trigger on a fresh allowed connection, its `Receive Query` awaited)
 * proves the server was still able to answer, so silence counts as "no response" and not as
 * "stopped working". Cross-connection orderings (stranger, then allowed) rely on the same FIN.
 *
 * A case that expects responses (the framing cases) also waits (at most `responseMs`) until they
 * have arrived before the marker: a server may handle a message ended by the close only after
 * its own close, so its FIN does not order that line.
 *
 * Residual risks: (1) a server that does not close a connection after the client's FIN costs
 * `responseMs` per step (bounded), and after the first such wait the exact-match check only waits
 * until the server has read the bytes (`/proc/net/tcp` receive queue empty), which orders its
 * response before the marker in practice (printing takes microseconds) but not by causality;
 * (2) when the marker cannot be written (no /proc, or the program closed every copy of its
 * stdout), counts fall back to "responses when the sentinel's arrives, minus the sentinel", where
 * a late stray line can be taken for the sentinel's and the blame shifts to the next step;
 * (3) a response printed more than `responseMs` after its cause is graded as no response.
 *
 * ## Policies
 *
 * - `server.starts` fails when nothing listens within `startMs`, when the server exits first (its
 *   exit status and first stderr line are quoted), or when a connection to where it listens fails
 *   (e.g. it exited right after listening, as a server that daemonizes does): then every other
 *   server check is `skip`. It also fails when the server listens somewhere else than
 *   `serverAddress:port` (another port, or only one other address): the other checks then run
 *   against where it really listens, and each says so.
 * - `server.trigger` establishes how the trigger is answered: with `\n` while the connection stays
 *   open (pass), only after the client closes (`warn`, half the points), or only without `\n`
 *   (`fail`, but the later checks still run, sending the trigger that way). When the trigger is
 *   never answered, the checks that need a sentinel are `skip`.
 * - `server.framing` has four sub-cases; some failing gives `warn` with the share that passed,
 *   all failing gives `fail`.
 * - `server.address-filter` is `skip` (never `fail`) when the stranger address cannot be used:
 *   `net.strangerUnavailable`, or (host loopback mode) the address cannot be bound here.
 * - `server.output`: lines other than the response (in any forced run of this submission) halve
 *   the points; a response that appears only when line buffering is forced halves them again.
 *   A server that floods stdout fails: more than {@linkcode FLOOD_LINES} lines or
 *   {@linkcode FLOOD_BYTES} other than the response within ONE check's run, or more than the
 *   sandbox stores at all. Output is only ever counted and sampled (bounded), never copied whole.
 *   Unforced output is judged against a bound of max(200 ms, 10 × the latency measured by
 *   `server.trigger` with forced buffering), capped at `responseMs`: a flushed response appears
 *   within microseconds of the forced one, a buffered one only when the buffer fills or the
 *   program exits. Programs whose runtime flushes by itself (`lineBuffering: "none"`) skip that
 *   half.
 * - `error` only when the grader itself failed: the probe could not bind its address; the server
 *   could not listen while a TIME_WAIT socket held its port (the probes never leave one, see
 *   `probes/probe_client.ts`, so one found is the grader's problem); or a check that did not pass
 *   rests on stdout the sandbox stopped storing (a flood past its cap: a response may be lost).
 *
 * ## The service port is never left in TIME_WAIT
 *
 * Every check binds the same port again, and many servers do not set `SO_REUSEADDR`. The probe
 * closes first or, when the server closed first, resets (see `probes/probe_client.ts`). A server
 * found by `server.trigger` to close connections on its own (one `recv()` per connection, as in
 * the article) gets its last bytes and then its own close before the probe resets, instead of a
 * FIN that could arrive just after its close ({@linkcode Work.sendLast}).
 *
 * @example
 * ```ts
 * import { nearMisses } from "./server_checks.ts";
 * import { DEFAULT_SPEC } from "../spec.ts";
 * const misses = nearMisses(DEFAULT_SPEC);
 * if (!misses.includes("client query") || misses.includes("Client Query")) throw new Error();
 * ```
 * @module
 */

import { escapeText } from "../bytes.ts";
import { type CheckId, runCheckIds } from "../checks_catalogue.ts";
import {
  connectProbe,
  ExchangeRecorder,
  formatAddress,
  type PeerEnd,
  ProbeConnectError,
  type ProbeConnection,
} from "../probes/probe_client.ts";
import type { CheckStatus, Evidence } from "../result.ts";
import type { ExitInfo } from "../sandbox/process.ts";
import type { Spec } from "../spec.ts";
import {
  describeExit,
  firstStderrLine,
  isWildcard,
  OTHER_SAMPLE,
  type Readiness,
  ServerRun,
} from "./server_program.ts";
import type { CheckContext, CheckOutcome, NetPlan, ProgramPlan } from "./types.ts";

/** The server check ids, in the order {@linkcode runServerChecks} returns them. */
export const SERVER_CHECK_IDS: readonly CheckId[] = runCheckIds("server");

/**
 * The near misses of the trigger that must print nothing: trigger + " test", trigger + " Quit",
 * lower case, a trailing space, "X" + trigger, and the spec's messages that differ from the
 * trigger (e.g. the article's "Cleint Query"), without duplicates.
 */
export function nearMisses(spec: Pick<Spec, "trigger" | "messages">): string[] {
  const t = spec.trigger;
  const all = [
    `${t} test`,
    ...spec.messages,
    `${t} Quit`,
    t.toLowerCase(),
    `${t} `,
    `X${t}`,
  ];
  return [...new Set(all)].filter((m) => m !== t && !/[\r\n]/.test(m));
}

/** How the trigger gets answered by this server (found by `server.trigger`). */
interface Recipe {
  /** What follows the trigger: `\n`, or nothing (the close ends it). */
  terminator: string;
  /** Whether the server answers only once the client has closed its side. */
  closeAfter: boolean;
}

/** What the checks of one submission share. */
interface Session {
  spec: Spec;
  net: NetPlan;
  plan: ProgramPlan;
  /** Where probes connect. */
  target: { host: string; port: number };
  /** Appended to every later message when the target is not the expected one. */
  targetNote: string;
  /** Whether `server.starts` saw the server listen. */
  listening: boolean;
  recipe?: Recipe;
  /**
   * Whether the server closed a connection on its own after reading the trigger, before the
   * probe's FIN (e.g. one `recv()` per connection): later steps then wait for its close instead
   * of racing it with a FIN (see {@linkcode Work.sendLast}).
   */
  closesOnItsOwn?: boolean;
  forcedLatencyMs?: number;
  /** Stdout other than the response, from every forced run (bounded: counters and a sample). */
  other: OtherTally;
  /** The forced server the last check passed with, still running: the next check reuses it. */
  kept?: KeptServer;
}

/** A server kept running after a check it passed (see "One server while it passes"). */
interface KeptServer {
  run: ServerRun;
  ready: Readiness & { state: "listening" };
  /** The check that started it. */
  startedFor: CheckId;
  /** The checks it has passed so far. */
  passed: CheckId[];
}

/** What the forced runs of one submission printed besides the response. */
interface OtherTally {
  /** Other lines in all runs. */
  lines: number;
  /** The first {@linkcode OTHER_SAMPLE} distinct other lines over all runs. */
  sample: string[];
  /** The most other lines one run printed. */
  maxLines: number;
  /** The first run that flooded stdout (see {@linkcode FLOOD_LINES}), if one did. */
  flood?: { check: CheckId; lines: number; bytes: number; linesLost: boolean };
}

/**
 * A server floods stdout when ONE check's run prints more than this many lines other than the
 * response (sync markers excluded), or {@linkcode FLOOD_BYTES} of them. A check lasts well under
 * a few seconds and sends at most about 1 MiB: a server that prints a line per connection, per
 * message, or even per `recv()` of the 1 MiB robustness case with a 1 KiB buffer stays below
 * (about 1,000 lines), while one that prints in a loop regardless of input goes far beyond.
 */
export const FLOOD_LINES = 5000;
/** See {@linkcode FLOOD_LINES}: 4 MiB, above an echo of everything the checks send. */
export const FLOOD_BYTES = 4 * 1024 * 1024;

/** What a check body decides; the runner adds evidence common to all checks. */
export interface Verdict {
  /** The status. */
  status: CheckStatus;
  /** One line a student can act on. */
  message: string;
  /** How to fix it. */
  hint?: string;
  /** For `warn`: the share of the points earned. */
  fraction?: number;
  /** What the check adds to the common evidence. */
  evidence?: Record<string, unknown>;
}

/** Runs the eight server checks (see the module doc) and returns their outcomes in order. */
export async function runServerChecks(ctx: CheckContext): Promise<CheckOutcome[]> {
  const plan = ctx.server;
  if (!plan) {
    return SERVER_CHECK_IDS.map((id) => skipped(id, "skipped: there is no server program to run"));
  }
  const session: Session = {
    spec: ctx.spec,
    net: ctx.net,
    plan,
    target: { host: ctx.net.serverAddress, port: ctx.net.port },
    targetNote: "",
    listening: false,
    other: { lines: 0, sample: [], maxLines: 0 },
  };
  try {
    const starts = await checkStarts(session);
    if (!session.listening) {
      return [
        starts,
        ...SERVER_CHECK_IDS.slice(1).map((id) => skipped(id, "skipped: the server did not start")),
      ];
    }
    const outcomes = [starts, await runCheck(session, "server.trigger", checkTrigger)];
    const dependent: [CheckId, () => Promise<CheckOutcome>][] = [
      ["server.exact-match", () => runCheck(session, "server.exact-match", checkExactMatch)],
      ["server.framing", () => runCheck(session, "server.framing", checkFraming)],
      ["server.address-filter", () => checkAddressFilter(session)],
      ["server.robustness", () => runCheck(session, "server.robustness", checkRobustness)],
      ["server.concurrency", () => runCheck(session, "server.concurrency", checkConcurrency)],
      ["server.output", () => checkOutput(session)],
    ];
    for (const [id, run] of dependent) {
      outcomes.push(
        session.recipe
          ? await run()
          : skipped(id, "skipped: the server never answered the trigger"),
      );
    }
    return outcomes;
  } finally {
    await session.kept?.run[Symbol.asyncDispose]();
    session.kept = undefined;
  }
}

/** The program's exit if it comes within `ms` (a bounded wait on failure paths only). */
async function exitWithin(run: ServerRun, ms: number): Promise<ExitInfo | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const exit = await Promise.race([
    run.program.exited,
    new Promise<undefined>((resolve) => timer = setTimeout(() => resolve(undefined), ms)),
  ]);
  clearTimeout(timer);
  return exit;
}

/**
 * Adds what one forced run printed besides the response during one check (since `base`, the
 * run's counters when the check began) to the session's tally (bounded; never spreads lists).
 */
function tallyOutput(
  session: Session,
  check: CheckId,
  run: ServerRun,
  base: { lines: number; bytes: number } = { lines: 0, bytes: 0 },
): void {
  const other = run.otherOutput();
  const lines = other.lines - base.lines;
  const bytes = other.bytes - base.bytes;
  const tally = session.other;
  tally.lines += lines;
  for (const line of other.sample) {
    if (tally.sample.length >= OTHER_SAMPLE) break;
    if (!tally.sample.includes(line)) tally.sample.push(line);
  }
  tally.maxLines = Math.max(tally.maxLines, lines);
  const linesLost = run.linesLost;
  if (!tally.flood && (lines > FLOOD_LINES || bytes > FLOOD_BYTES || linesLost)) {
    tally.flood = { check, lines, bytes, linesLost };
  }
}

function skipped(id: CheckId, message: string): CheckOutcome {
  return { id, status: "skip", message, evidence: {}, durationMs: 0 };
}

/** One check's server and exchanges. */
class Work {
  readonly exchanges: ExchangeRecorder[] = [];
  readonly session: Session;
  readonly run: ServerRun;
  readonly ready: Readiness & { state: "listening" };
  /** Set when the server was kept from earlier checks it passed (see {@linkcode KeptServer}). */
  readonly kept?: KeptServer;
  #connections = 0;

  constructor(
    session: Session,
    run: ServerRun,
    ready: Readiness & { state: "listening" },
    kept?: KeptServer,
  ) {
    this.session = session;
    this.run = run;
    this.ready = ready;
    this.kept = kept;
  }

  get spec(): Spec {
    return this.session.spec;
  }

  get responseMs(): number {
    return this.session.spec.timeouts.responseMs;
  }

  /** Starts a new exchange; the server's output so far goes into the previous one. */
  exchange(label: string): ExchangeRecorder {
    this.flush();
    const first = this.exchanges.length === 0;
    const startedAt = this.run.program.startedAt;
    const rec = new ExchangeRecorder(label, first && !this.kept ? startedAt : performance.now());
    const where = formatAddress(this.ready.address, this.ready.port);
    if (first && this.kept) {
      rec.note(
        `the server started for ${this.kept.startedFor} is still running and listening on ${where} (it passed ${
          this.kept.passed.join(", ")
        }): this check uses it`,
      );
    } else if (first) {
      rec.add(
        { actor: "server", kind: "start", data: escapeText(this.run.argv.join(" ")) },
        startedAt,
      );
      rec.note(`listening on ${where}`, "server");
    }
    this.exchanges.push(rec);
    return rec;
  }

  /** Records the server's new output lines into the latest exchange. */
  flush(): void {
    const last = this.exchanges.at(-1);
    if (last) this.run.recordOutput(last);
  }

  /** Opens a probe connection from the allowed client address (or the stranger's). */
  connect(rec: ExchangeRecorder, from: "client" | "stranger" = "client"): Promise<ProbeConnection> {
    const n = ++this.#connections;
    return connectProbe({
      host: this.session.target.host,
      port: this.session.target.port,
      localAddress: from === "client"
        ? this.session.net.clientAddress
        : this.session.net.strangerAddress,
      timeoutMs: this.responseMs,
      recorder: rec,
      connection: from === "client" ? `conn ${n}` : `stranger ${n}`,
    });
  }

  /** The trigger as this server answers it (see `server.trigger`). */
  triggerBytes(): string {
    return this.spec.trigger + (this.session.recipe?.terminator ?? "\n");
  }

  /**
   * Sends the last bytes of a connection and ends our side, without leaving the server's port in
   * TIME_WAIT (see `probes/probe_client.ts`): bytes and FIN back to back; or, for a server that
   * closes connections on its own after reading (found by `server.trigger`, e.g. one `recv()` per
   * connection), the bytes, then its close (at most `responseMs`), then our RST, so our FIN
   * never arrives after its close.
   */
  async sendLast(conn: ProbeConnection, data: string | Uint8Array): Promise<void> {
    if (!this.session.closesOnItsOwn) {
      await conn.sendAndEnd(data, this.responseMs);
      return;
    }
    await conn.send(data, this.responseMs);
    await conn.waitPeerEnd(this.responseMs);
    await conn.end();
  }

  /**
   * Half-closes `conn` and waits (at most `responseMs`) for the server to end it: the barrier
   * that orders whatever the connection caused before what comes next.
   */
  async barrier(conn: ProbeConnection, rec: ExchangeRecorder): Promise<PeerEnd> {
    await conn.end();
    const end = await conn.waitPeerEnd(this.responseMs);
    if (end === "open") {
      rec.add({
        actor: "grader",
        kind: "timeout",
        data:
          `the server did not close the connection within ${this.responseMs} ms after the probe's FIN`,
      });
    }
    return end;
  }

  /**
   * The sentinel: the trigger on a fresh allowed connection; true when it was answered, false
   * when it was not or the connection was refused (throws only for grader faults).
   */
  async sentinel(label = "sentinel: the trigger on a new connection"): Promise<boolean> {
    const rec = this.exchange(label);
    const before = this.run.responseCount();
    let conn: ProbeConnection;
    try {
      conn = await this.connect(rec);
    } catch (error) {
      if (error instanceof ProbeConnectError && error.failure !== "bind") return false;
      throw error;
    }
    await using _ = conn;
    await this.sendLast(conn, this.triggerBytes());
    const answered = await this.run.waitResponses(before + 1, this.responseMs);
    if (!answered) {
      rec.add({
        actor: "grader",
        kind: "timeout",
        data: `no "${escapeText(this.spec.response)}" within ${this.responseMs} ms`,
      });
    }
    this.flush();
    return answered;
  }

  /**
   * Waits until the server's stdout has been read up to now (`ServerRun.syncOutput`); false when
   * that is not possible and counts must rely on sentinels alone.
   */
  settle(): Promise<boolean> {
    return this.run.syncOutput(this.responseMs);
  }

  /**
   * Words for a server that died during the check, or "". Called on failure paths only, it
   * waits a little (at most 200 ms) for an exit that is under way to be reported.
   */
  async deathWords(): Promise<string> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      this.run.program.exited,
      new Promise((resolve) => timer = setTimeout(resolve, 200)),
    ]);
    clearTimeout(timer);
    const exit = this.run.exit;
    if (!exit) return "";
    const err = firstStderrLine(this.run.program);
    return `your server ended (${describeExit(exit)}${err ? `, stderr: "${err}"` : ""})`;
  }
}

/**
 * Runs one check's `body` against a server: the one kept from the checks before when there is
 * one, else a fresh one (started here, awaited until it listens). A server that passes is kept
 * for the next check; one that does not is killed. A check that does not pass on a kept server
 * runs again on a fresh one, and that run's verdict counts: a check is never charged for what an
 * earlier check did to the server (see "One server while it passes" in the module doc).
 */
async function runCheck(
  session: Session,
  id: CheckId,
  body: (work: Work) => Promise<Verdict>,
  forced = true,
): Promise<CheckOutcome> {
  const t0 = performance.now();
  const kept = session.kept;
  session.kept = undefined;
  // An unforced check needs a server of its own (and the port free for it).
  if (kept && !forced) await kept.run[Symbol.asyncDispose]();
  let retried: { status: CheckStatus; message: string } | undefined;
  if (kept && forced) {
    const attempt = await attemptCheck(session, id, body, kept.run, kept);
    if (attempt.verdict.status === "pass") {
      return finishCheck(session, id, attempt, t0, {
        reusedServer: { startedFor: kept.startedFor, passed: [...kept.passed] },
      });
    }
    await kept.run[Symbol.asyncDispose]();
    retried = { status: attempt.verdict.status, message: attempt.verdict.message };
  }
  const run = new ServerRun(session.spec, session.net, session.plan, { forced, label: id });
  try {
    const attempt = await attemptCheck(session, id, body, run);
    return finishCheck(session, id, attempt, t0, retried ? { onKeptServer: retried } : {});
  } finally {
    if (!keeps(session, run)) await run[Symbol.asyncDispose]();
  }
}

/** Whether `run` is the server the session keeps for the next check. */
function keeps(session: Session, run: ServerRun): boolean {
  return session.kept?.run === run;
}

/** What one attempt of a check on one server gave. */
interface Attempt {
  run: ServerRun;
  verdict: Verdict;
  work?: Work;
}

/** Runs `body` once on `run` (waiting until a fresh run listens); never throws for the student. */
async function attemptCheck(
  session: Session,
  id: CheckId,
  body: (work: Work) => Promise<Verdict>,
  run: ServerRun,
  kept?: KeptServer,
): Promise<Attempt> {
  const ready = kept ? kept.ready : await run.waitReady(session.spec.timeouts.startMs);
  if (ready.state !== "listening") {
    const verdict: Verdict = await heldPortVerdict(run) ?? {
      status: "fail",
      message: `your server did not start for this check: ${notReadyWords(session, run, ready)}`,
    };
    if (run.forced) tallyOutput(session, id, run);
    return { run, verdict };
  }
  const base = run.otherOutput();
  const work = new Work(session, run, ready, kept);
  let verdict: Verdict;
  try {
    verdict = await body(work);
  } catch (error) {
    verdict = await faultVerdict(error, work);
  }
  work.flush();
  verdict = unobservable(verdict, run) ?? verdict;
  if (verdict.status === "pass" && run.forced && !run.exit) {
    session.kept = {
      run,
      ready,
      startedFor: kept?.startedFor ?? id,
      passed: [...kept?.passed ?? [], id],
    };
  }
  if (run.forced && (verdict.status === "pass" || !kept)) tallyOutput(session, id, run, base);
  return { run, verdict, work };
}

/** The outcome of a check from its counting attempt, with the evidence common to all checks. */
function finishCheck(
  session: Session,
  id: CheckId,
  { run, verdict, work }: Attempt,
  t0: number,
  extra: Record<string, unknown>,
): CheckOutcome {
  const evidence: Evidence = {
    ...run.evidence(),
    ...extra,
    ...verdict.evidence,
    exchanges: work?.exchanges.map((r) => r.toExchange()) ?? [],
  };
  const note = verdict.status === "skip" || verdict.status === "error" ? "" : session.targetNote;
  return {
    id,
    status: verdict.status,
    message: verdict.message + note,
    ...(verdict.hint ? { hint: verdict.hint } : {}),
    ...(verdict.fraction !== undefined ? { fraction: verdict.fraction } : {}),
    evidence,
    durationMs: Math.round(performance.now() - t0),
  };
}

async function faultVerdict(error: unknown, work: Work): Promise<Verdict> {
  if (error instanceof ProbeConnectError && error.failure !== "bind") {
    const died = await work.deathWords();
    return {
      status: "fail",
      message: died
        ? `${died} during this check`
        : `sockgrade could not connect to your server: ${error.message}`,
      evidence: { error: error.message },
    };
  }
  const what = error instanceof Error ? error.message : String(error);
  return {
    status: "error",
    message: `sockgrade could not run this check (not your fault): ${what}`,
    evidence: { error: what },
  };
}

/**
 * A verdict other than `pass` that rests on output the sandbox did not store (the server flooded
 * stdout past its cap, see `ServerRun.linesLost`) cannot be trusted: a response may be among the
 * lines lost. Then `error` (the flood itself is `server.output`'s business), else undefined.
 */
export function unobservable(verdict: Verdict, run: ServerRun): Verdict | undefined {
  if (verdict.status === "pass" || verdict.status === "skip" || !run.linesLost) return undefined;
  return {
    status: "error",
    message:
      `sockgrade could not run this check (not your fault): your server printed more than sockgrade keeps, so responses may have been lost (see server.output); what it saw: ${verdict.message}`,
    evidence: { ...verdict.evidence, linesLost: true, verdictWithoutFlood: verdict.status },
  };
}

/**
 * When a server did not listen while a TIME_WAIT socket holds its port: an `error` verdict (the
 * grader's fault, see `ServerRun.timeWaitOnPort`), else undefined.
 */
export async function heldPortVerdict(run: ServerRun): Promise<Verdict | undefined> {
  const held = await run.timeWaitOnPort();
  if (held.length === 0) return undefined;
  return {
    status: "error",
    message:
      `sockgrade could not run this check (not your fault): your server could not listen because an earlier connection left the port in TIME_WAIT (${
        held.slice(0, 3).join(", ")
      })`,
    evidence: { timeWait: held },
  };
}

function notReadyWords(session: Session, run: ServerRun, ready: Readiness): string {
  if (ready.state === "exited") {
    const err = firstStderrLine(run.program);
    return `it exited (${describeExit(ready.exit)}) before listening${
      err ? `; stderr: "${err}"` : ""
    }`;
  }
  return `nothing listened on port ${session.net.port} within ${session.spec.timeouts.startMs} ms`;
}

async function checkStarts(session: Session): Promise<CheckOutcome> {
  const { net, spec } = session;
  const t0 = performance.now();
  const run = new ServerRun(spec, net, session.plan, { forced: true, label: "server.starts" });
  try {
    return await startsOutcome(session, run, t0);
  } finally {
    if (!keeps(session, run)) await run[Symbol.asyncDispose]();
  }
}

/** `server.starts` on its server; keeps the server for `server.trigger` when it listens. */
async function startsOutcome(session: Session, run: ServerRun, t0: number): Promise<CheckOutcome> {
  const { net, spec } = session;
  const ready = await run.waitReady(spec.timeouts.startMs);
  const rec = new ExchangeRecorder("start the server", run.program.startedAt);
  rec.add(
    { actor: "server", kind: "start", data: escapeText(run.argv.join(" ")) },
    run.program.startedAt,
  );
  let verdict: Verdict;
  const held = ready.state === "listening" ? undefined : await heldPortVerdict(run);
  if (held) {
    run.recordOutput(rec);
    verdict = held;
  } else if (ready.state !== "listening") {
    run.recordOutput(rec);
    rec.add({
      actor: "grader",
      kind: ready.state === "exited" ? "note" : "timeout",
      data: notReadyWords(session, run, ready),
    });
    verdict = {
      status: "fail",
      message: ready.state === "exited"
        ? `your server ${notReadyWords(session, run, ready).replace(/^it /, "")}`
        : `your server did not listen: ${notReadyWords(session, run, ready)}`,
      hint: ready.state === "exited"
        ? "Run it by hand with the same arguments and read its error; check socket(), bind() and listen() return values."
        : `It must listen on the port given as its second argument (here ${net.port}): bind() then listen().`,
      evidence: { readyAfterMs: ready.afterMs },
    };
  } else {
    const host = isWildcard(ready.address) ? net.serverAddress : ready.address;
    session.target = { host, port: ready.port };
    session.listening = true;
    const where = formatAddress(ready.address, ready.port);
    rec.note(`listening on ${where} after ${ready.afterMs} ms`, "server");
    verdict = {
      status: "pass",
      message: `your server listens on ${where} (ready after ${ready.afterMs} ms)`,
    };
    if (ready.port !== net.port) {
      verdict = {
        status: "fail",
        message:
          `your server listens on port ${ready.port}, not on port ${net.port} given as its second argument`,
        hint: "Read the port from argv[2] (e.g. htons(atoi(argv[2]))) instead of hard-coding it.",
      };
      session.targetNote = ` (sockgrade used port ${ready.port}, where your server really listens)`;
    } else if (host !== net.serverAddress) {
      verdict = {
        status: "fail",
        message:
          `your server listens only on ${ready.address}, not on the server address ${net.serverAddress}`,
        hint:
          "Bind INADDR_ANY (or the server address); the first argument is the allowed CLIENT address, not where to listen.",
      };
      session.targetNote = ` (sockgrade connected to ${where}, where your server really listens)`;
    }
    try {
      await using conn = await connectProbe({
        host,
        port: ready.port,
        localAddress: net.clientAddress,
        timeoutMs: spec.timeouts.responseMs,
        recorder: rec,
        connection: "conn 1",
      });
      await conn.close();
    } catch (error) {
      if (error instanceof ProbeConnectError && error.failure === "bind") {
        verdict = {
          status: "error",
          message: `sockgrade could not run this check (not your fault): ${error.message}`,
        };
      } else {
        // Nothing usable listens: the other checks are skipped, as when nothing listened.
        session.listening = false;
        const exit = run.exit ?? await exitWithin(run, 200);
        verdict = exit
          ? {
            status: "fail",
            message: `your server exited (${
              describeExit(exit)
            }) right after it began listening on ${where}: it must stay up`,
            hint:
              "Stay in the foreground: do not fork() into the background (daemonize) or exit after listen(); loop on accept().",
          }
          : {
            status: "fail",
            message: `your server listens on ${where} but a connection to it failed: ${
              (error as Error).message
            }`,
          };
      }
    }
    run.recordOutput(rec);
    if (session.listening && verdict.status !== "error" && !run.exit) {
      session.kept = { run, ready, startedFor: "server.starts", passed: ["server.starts"] };
    }
  }
  tallyOutput(session, "server.starts", run);
  return {
    id: "server.starts",
    status: verdict.status,
    message: verdict.message,
    ...(verdict.hint ? { hint: verdict.hint } : {}),
    evidence: { ...run.evidence(), ...verdict.evidence, exchanges: [rec.toExchange()] },
    durationMs: Math.round(performance.now() - t0),
  };
}

async function checkTrigger(w: Work): Promise<Verdict> {
  const { spec, run } = w;
  const trigger = `"${escapeText(spec.trigger)}"`;
  const response = `"${escapeText(spec.response)}"`;
  const from = w.session.net.clientAddress;
  const rec = w.exchange(`${trigger} from ${from}`);
  let latencyMs: number | undefined;
  let closeAfter = false;
  let peerClosedEarly = false;
  const before = run.responseCount();
  {
    await using conn = await w.connect(rec);
    const sentAt = performance.now();
    await conn.send(`${spec.trigger}\n`, w.responseMs);
    if (await run.waitResponses(before + 1, w.responseMs)) {
      latencyMs = performance.now() - sentAt;
      await w.barrier(conn, rec);
    } else {
      peerClosedEarly = conn.peerEnd !== "open";
      rec.note("no response yet: the probe closes its side of the connection");
      await conn.end();
      if (await run.waitResponses(before + 1, w.responseMs)) {
        latencyMs = performance.now() - sentAt;
        closeAfter = true;
      }
    }
    w.session.closesOnItsOwn = conn.serverClosedFirst;
  }
  if (latencyMs !== undefined) {
    w.session.recipe = { terminator: "\n", closeAfter };
    w.session.forcedLatencyMs = latencyMs;
    let forTrigger = run.responseCount() - before;
    if (!await w.settle()) {
      const answered = await w.sentinel("sentinel: the trigger again on a new connection");
      if (answered) forTrigger = run.responseCount() - before - 1;
    } else {
      forTrigger = run.responseCount() - before;
    }
    const evidence = { latencyMs: round(latencyMs), responsesToOneTrigger: forTrigger };
    if (forTrigger > 1) {
      return {
        status: "fail",
        message: `your server printed ${response} ${forTrigger} times for one ${trigger}`,
        hint: "Print the response once per message that equals the trigger.",
        evidence,
      };
    }
    if (closeAfter) {
      return {
        status: "warn",
        fraction: 0.5,
        message: `your server answered ${trigger} only after the client closed the connection`,
        hint:
          "Handle each line as soon as its '\\n' arrives instead of reading until the connection ends.",
        evidence,
      };
    }
    return {
      status: "pass",
      message: `${trigger} from ${from} printed ${response} once, after ${round(latencyMs)} ms`,
      evidence,
    };
  }
  const died = await w.deathWords();
  if (died) return { status: "fail", message: `${died} after receiving ${trigger}` };
  const rec2 = w.exchange(`${trigger} without '\\n', then close`);
  {
    const beforeBare = run.responseCount();
    await using conn = await w.connect(rec2);
    const sentAt = performance.now();
    await w.sendLast(conn, spec.trigger);
    if (await run.waitResponses(beforeBare + 1, w.responseMs)) {
      w.session.recipe = { terminator: "", closeAfter: true };
      w.session.forcedLatencyMs = performance.now() - sentAt;
      return {
        status: "fail",
        message: `your server answers ${trigger} only without a newline: a message ends at '\\n'`,
        hint:
          "Remove the '\\n' (and a '\\r' before it) from the line before comparing it with the trigger.",
      };
    }
  }
  const near = run.otherLines().find((l) => l.toLowerCase().includes(spec.response.toLowerCase()));
  if (near !== undefined) {
    return {
      status: "fail",
      message: `your server printed "${escapeText(near, 120)}", not exactly ${response}`,
      hint: `Print exactly ${response} followed by a newline.`,
    };
  }
  return {
    status: "fail",
    message:
      `no ${response} on stdout within ${spec.timeouts.responseMs} ms after ${trigger} from ${from}` +
      (peerClosedEarly
        ? " (your server closed the connection: is the allowed-address check right?)"
        : ""),
    hint:
      "Compare the received line with the trigger and print the response to stdout, then fflush(stdout).",
  };
}

/** Sends `steps`' bytes on a fresh allowed connection, barriers, then runs a sentinel. */
async function responsesCausedBy(
  w: Work,
  label: string,
  steps: (conn: ProbeConnection, rec: ExchangeRecorder) => Promise<void>,
  options: { from?: "client" | "stranger"; barrier?: "fin" | "consumed"; expect?: number } = {},
): Promise<{ caused: number; sentinelAnswered: boolean; peerEnd: PeerEnd }> {
  const rec = w.exchange(label);
  await w.settle();
  const before = w.run.responseCount();
  let peerEnd: PeerEnd;
  {
    await using conn = await w.connect(rec, options.from);
    await steps(conn, rec);
    if (options.barrier === "consumed") {
      await conn.end();
      await conn.waitConsumed(w.responseMs);
      peerEnd = conn.peerEnd;
    } else {
      peerEnd = await w.barrier(conn, rec);
    }
  }
  // A server may print a message ended by the close only after it closed its side (its FIN is
  // then no barrier for that line): when responses are expected, wait for them first (bounded).
  if (options.expect) await w.run.waitResponses(before + options.expect, w.responseMs);
  const settled = await w.settle();
  const afterCase = w.run.responseCount();
  const sentinelAnswered = await w.sentinel();
  const caused = settled
    ? afterCase - before
    : w.run.responseCount() - before - (sentinelAnswered ? 1 : 0);
  return { caused, sentinelAnswered, peerEnd };
}

async function checkExactMatch(w: Work): Promise<Verdict> {
  const misses = nearMisses(w.spec);
  const triggered: string[] = [];
  const results: { message: string; responses: number }[] = [];
  let barrier: "fin" | "consumed" = "fin";
  for (const miss of misses) {
    const r = await responsesCausedBy(w, `near miss "${escapeText(miss)}"`, async (conn) => {
      await w.sendLast(conn, miss + (w.session.recipe?.terminator ?? "\n"));
    }, { barrier });
    if (r.peerEnd === "open") barrier = "consumed";
    results.push({ message: escapeText(miss), responses: r.caused });
    if (r.caused > 0) triggered.push(miss);
    if (!r.sentinelAnswered) {
      const died = await w.deathWords();
      return {
        status: "fail",
        message: `${died || "your server stopped answering the trigger"} after the near miss "${
          escapeText(miss)
        }"`,
        evidence: { nearMisses: results },
      };
    }
  }
  if (triggered.length === 0) {
    return {
      status: "pass",
      message: `none of the ${misses.length} near misses printed anything`,
      evidence: { nearMisses: results },
    };
  }
  return {
    status: "fail",
    message: `your server answered near misses: ${
      triggered.map((m) => `"${escapeText(m)}"`).join(", ")
    }`,
    hint: exactMatchHint(w.spec.trigger, triggered),
    evidence: { nearMisses: results },
  };
}

function exactMatchHint(trigger: string, triggered: string[]): string {
  const why: string[] = [];
  if (triggered.some((m) => m.startsWith(trigger) && m.trim() !== trigger)) {
    why.push("not only its first characters (strncmp with the trigger's length)");
  }
  if (triggered.some((m) => m.includes(trigger) && !m.startsWith(trigger))) {
    why.push("not a substring (strstr)");
  }
  if (triggered.some((m) => m !== trigger && m.toLowerCase() === trigger.toLowerCase())) {
    why.push("not ignoring case (strcasecmp)");
  }
  if (triggered.some((m) => m !== trigger && m.trim() === trigger)) {
    why.push("without trimming spaces");
  }
  return `Compare the whole line with the trigger (strcmp after removing '\\n'${
    why.length ? `), ${why.join(", ")}` : ")"
  }.`;
}

interface SubCase {
  name: string;
  expected: number;
  steps: (conn: ProbeConnection, rec: ExchangeRecorder) => Promise<void>;
  advice: (got: number) => string;
}

async function checkFraming(w: Work): Promise<Verdict> {
  const t = w.spec.trigger;
  const half = Math.max(1, Math.floor(t.length / 2));
  const cases: SubCase[] = [
    {
      name: "split over two writes",
      expected: 1,
      steps: async (conn, rec) => {
        await conn.send(t.slice(0, half), w.responseMs);
        if (await conn.waitConsumed(w.responseMs) !== true) {
          rec.note("could not confirm the server read the first part on its own");
        }
        await w.sendLast(conn, `${t.slice(half)}\n`);
      },
      advice: () =>
        "your server treats each recv() as one message: a message split over two writes was not recognised — read until '\\n'",
    },
    {
      name: "two messages in one write",
      expected: 2,
      steps: async (conn) => void await w.sendLast(conn, `${t}\n${t}\n`),
      advice: (got) =>
        `two messages in one write printed ${got} response${
          got === 1 ? "" : "s"
        }, not 2 — split what you read at each '\\n'`,
    },
    {
      name: "ended by close, no '\\n'",
      expected: 1,
      steps: async (conn) => void await w.sendLast(conn, t),
      advice: () =>
        "a message ended by closing the connection (no '\\n') was not recognised — when recv() returns 0, handle what is left in your buffer",
    },
    {
      name: "ended by '\\r\\n'",
      expected: 1,
      steps: async (conn) => void await w.sendLast(conn, `${t}\r\n`),
      advice: () => `"${escapeText(t)}\\r\\n" was not recognised — drop a '\\r' before the '\\n'`,
    },
  ];
  const results: { case: string; expected: number; responses: number; ok: boolean }[] = [];
  const failures: string[] = [];
  for (const c of cases) {
    const r = await responsesCausedBy(w, `framing: ${c.name}`, c.steps, { expect: c.expected });
    const ok = r.caused === c.expected;
    results.push({ case: c.name, expected: c.expected, responses: r.caused, ok });
    if (!ok) failures.push(c.advice(r.caused));
    if (!r.sentinelAnswered) {
      const died = await w.deathWords();
      return {
        status: "fail",
        message: `${
          died || "your server stopped answering the trigger"
        } after the framing case "${c.name}"`,
        evidence: { cases: results },
      };
    }
  }
  const passed = results.filter((r) => r.ok).length;
  if (failures.length === 0) {
    return {
      status: "pass",
      message: `all ${cases.length} framing cases were handled right`,
      evidence: { cases: results },
    };
  }
  const more = failures.length > 1
    ? ` (and ${failures.length - 1} more framing case${failures.length > 2 ? "s" : ""} failed)`
    : "";
  return {
    status: passed === 0 ? "fail" : "warn",
    ...(passed === 0 ? {} : { fraction: passed / cases.length }),
    message: failures[0]! + more,
    hint: failures.length > 1 ? failures.slice(1).join("; ") : undefined,
    evidence: { cases: results },
  };
}

function strangerUnusable(net: NetPlan): string | undefined {
  if (net.strangerUnavailable) return net.strangerUnavailable;
  if (net.mode !== "none") return undefined;
  try {
    const listener = Deno.listen({ hostname: net.strangerAddress, port: 0 });
    listener.close();
    return undefined;
  } catch (error) {
    return `the stranger address ${net.strangerAddress} cannot be bound on this machine (${
      (error as Error).message
    })`;
  }
}

async function checkAddressFilter(session: Session): Promise<CheckOutcome> {
  const unusable = strangerUnusable(session.net);
  if (unusable) return skipped("server.address-filter", `skipped: ${unusable}`);
  return await runCheck(session, "server.address-filter", async (w) => {
    const { strangerAddress, clientAddress } = w.session.net;
    const trigger = `"${escapeText(w.spec.trigger)}"`;
    const r = await responsesCausedBy(
      w,
      `${trigger} from ${strangerAddress} (not allowed)`,
      async (conn) => {
        await w.sendLast(conn, w.triggerBytes());
      },
      { from: "stranger" },
    );
    const evidence = { strangerResponses: r.caused, strangerConnectionEnd: r.peerEnd };
    if (r.caused > 0) {
      return {
        status: "fail",
        message:
          `your server answered ${trigger} from ${strangerAddress}, which is not the allowed address ${clientAddress}`,
        hint:
          "Compare the peer address from accept() (inet_ntoa/inet_ntop) with argv[1] and ignore or close other clients.",
        evidence,
      };
    }
    if (!r.sentinelAnswered) {
      return {
        status: "fail",
        message: `${
          await w.deathWords() || "your server no longer answered the allowed address"
        } after a connection from ${strangerAddress}`,
        hint: "Reject a client that is not allowed by closing its connection, then keep accepting.",
        evidence,
      };
    }
    return {
      status: "pass",
      message:
        `${trigger} from ${strangerAddress} printed nothing, and ${clientAddress} was still answered`,
      evidence,
    };
  });
}

async function checkRobustness(w: Work): Promise<Verdict> {
  const binary = new Uint8Array(1024);
  for (let i = 0; i < binary.length; i++) binary[i] = i % 3 === 0 ? 0 : (i * 7) & 0xff;
  const mib = new Uint8Array(1024 * 1024).fill(0x41);
  const cases: {
    name: string;
    advice: string;
    steps: (conn: ProbeConnection, rec: ExchangeRecorder) => Promise<void>;
    reset?: boolean;
  }[] = [
    {
      name: "connect and close",
      advice: "recv() returning 0 means the client left: close that connection and keep accepting",
      steps: async () => {},
    },
    {
      name: "reset mid-line",
      advice: "a recv() error (ECONNRESET) must end that connection only, not the server",
      steps: async (conn, rec) => {
        await conn.send(
          w.spec.trigger.slice(0, Math.ceil(w.spec.trigger.length / 2)),
          w.responseMs,
        );
        if (await conn.waitConsumed(w.responseMs) !== true) {
          rec.note("could not confirm the server read the bytes");
        }
        conn.reset();
      },
      reset: true,
    },
    {
      name: "1 MiB without a newline",
      advice: "read into a fixed-size buffer with a length limit and never write past its end",
      steps: async (conn) => void await w.sendLast(conn, mib),
    },
    {
      name: "binary bytes with NULs",
      advice: "treat received bytes as data: NUL and other bytes must not break your code",
      steps: async (conn) => void await w.sendLast(conn, binary),
    },
  ];
  const done: string[] = [];
  for (const c of cases) {
    const rec = w.exchange(`robustness: ${c.name}`);
    {
      await using conn = await w.connect(rec);
      await c.steps(conn, rec);
      if (!c.reset) await w.barrier(conn, rec);
    }
    const answered = await w.sentinel();
    if (!answered) {
      const died = await w.deathWords();
      return {
        status: "fail",
        message: `${
          died || "your server stopped answering the trigger"
        } after ${c.name}: ${c.advice}`,
        evidence: { passedCases: done, failedCase: c.name },
      };
    }
    done.push(c.name);
  }
  return {
    status: "pass",
    message:
      "after connect-and-close, a reset mid-line, 1 MiB without a newline and binary bytes, your server still answered",
    evidence: { passedCases: done },
  };
}

async function checkConcurrency(w: Work): Promise<Verdict> {
  const { run } = w;
  const trigger = `"${escapeText(w.spec.trigger)}"`;
  const rec = w.exchange("an idle connection, then the trigger on a second one");
  await using idle = await w.connect(rec);
  rec.note("connection 1 stays idle: nothing is sent on it", "probe");
  await using active = await w.connect(rec);
  const before = run.responseCount();
  const sentAt = performance.now();
  if (w.session.recipe?.closeAfter) await w.sendLast(active, w.triggerBytes());
  else await active.send(w.triggerBytes(), w.responseMs);
  if (await run.waitResponses(before + 1, w.responseMs)) {
    const latencyMs = round(performance.now() - sentAt);
    return {
      status: "pass",
      message:
        `while another client held an idle connection, ${trigger} was answered after ${latencyMs} ms`,
      evidence: { latencyMs },
    };
  }
  rec.note(`no response within ${w.responseMs} ms: the probe closes the idle connection`);
  await idle.close();
  if (await run.waitResponses(before + 1, w.responseMs)) {
    return {
      status: "fail",
      message:
        `your server serves one client at a time: ${trigger} waited until the idle client left (accept() then recv() blocks on the idle client)`,
      hint:
        "Serve each client on its own: fork() a child per connection, use a thread per connection, or select()/poll() over all sockets.",
    };
  }
  return {
    status: "fail",
    message: `${
      await w.deathWords() || "no response"
    } while another client held an idle connection, nor after it left`,
  };
}

async function checkOutput(session: Session): Promise<CheckOutcome> {
  const t0 = performance.now();
  const { sample, flood } = session.other;
  const extras = sample;
  const rest = session.other.lines - Math.min(5, extras.length);
  const shown = extras.slice(0, 5).map((l) => `"${escapeText(l, 80)}"`).join(", ") +
    (rest > 0 ? ` and ${rest} more line${rest === 1 ? "" : "s"}` : "");
  const latency = session.forcedLatencyMs ?? session.spec.timeouts.responseMs;
  const boundMs = Math.round(
    Math.min(session.spec.timeouts.responseMs, Math.max(200, 10 * latency)),
  );
  let unforced: CheckOutcome | undefined;
  let buffered = false;
  if (session.plan.lineBuffering !== "none") {
    unforced = await runCheck(session, "server.output", async (w) => {
      const rec = w.exchange("without forced line buffering: the trigger");
      {
        const before = w.run.responseCount();
        await using conn = await w.connect(rec);
        await w.sendLast(conn, w.triggerBytes());
        const seen = await w.run.waitResponses(before + 1, boundMs);
        if (!seen) {
          rec.add({
            actor: "grader",
            kind: "timeout",
            data: `no response on stdout within ${boundMs} ms`,
          });
        }
        return {
          status: seen ? "pass" : "warn",
          message: "",
          evidence: { unforcedBoundMs: boundMs },
        };
      }
    }, false);
    // A flood hides the response from the sandbox's capture: unforced output is then not judged.
    buffered = unforced.status === "warn" && !flood;
  }
  const unforcedFailed = unforced !== undefined && unforced.status !== "pass" &&
    unforced.status !== "warn";
  const evidence = {
    extraLines: extras.map((l) => escapeText(l, 200)),
    otherLineCount: session.other.lines,
    maxOtherLinesInOneCheck: session.other.maxLines,
    ...(flood
      ? {
        flood: {
          check: flood.check,
          lines: flood.lines,
          bytes: flood.bytes,
          ...(flood.linesLost ? { linesLost: true } : {}),
          bounds: { lines: FLOOD_LINES, bytes: FLOOD_BYTES },
        },
      }
      : {}),
    ...(unforced
      ? { unforced: { ...unforced.evidence, outcome: unforced.message || unforced.status } }
      : {}),
    ...(session.plan.lineBuffering === "none"
      ? { unforced: "not tested: the runtime flushes by itself" }
      : {}),
    exchanges: unforced?.evidence.exchanges ?? [],
  };
  const durationMs = () => Math.round(performance.now() - t0);
  if (flood) {
    const amount = flood.linesLost
      ? `more output than sockgrade keeps (over ${FLOOD_BYTES / (1024 * 1024)} MiB)`
      : `${flood.lines} lines (${flood.bytes} bytes)`;
    return {
      id: "server.output",
      status: "fail",
      message:
        `your server floods stdout: ${amount} other than the response during ${flood.check} alone, e.g. ${shown}`,
      hint:
        "Do not print in a loop (e.g. on every poll()/select() round); print diagnostics to stderr, once per event, and keep stdout for the response.",
      evidence,
      durationMs: durationMs(),
    };
  }
  const problems: string[] = [];
  const hints: string[] = [];
  if (session.other.lines > 0) {
    problems.push(`stdout holds other lines than the response: ${shown}`);
    hints.push(
      "print diagnostics to stderr (fprintf(stderr, ...)) and keep stdout for the response",
    );
  }
  if (buffered) {
    problems.push("your server's output only appeared because sockgrade forced line buffering");
    hints.push("call fflush(stdout) after printf (or setvbuf(stdout, NULL, _IOLBF, 0) at start)");
  }
  const status: CheckStatus = problems.length === 0 ? "pass" : "warn";
  const fraction = problems.length === 0 ? undefined : 0.5 ** problems.length;
  const message = problems.length === 0
    ? `stdout holds only response lines${
      unforced && !unforcedFailed ? ", printed without forced line buffering too" : ""
    }`
    : problems.join("; ");
  return {
    id: "server.output",
    status,
    message,
    ...(hints.length ? { hint: `${hints.join("; ")}.` } : {}),
    ...(fraction !== undefined ? { fraction } : {}),
    evidence,
    durationMs: durationMs(),
  };
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
