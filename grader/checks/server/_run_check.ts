/**
 * Runs one server check's body and turns its {@linkcode Verdict} into the check's outcome, with
 * the evidence common to all checks ({@linkcode runCheck}), and the verdicts the runner gives
 * itself: a skip ({@linkcode skipped}), a fault of the grader or a lost connection, and a port
 * held in TIME_WAIT ({@linkcode heldPortVerdict}). A check's message also says when responses no
 * probe caused, or output without newlines, showed up during it ({@linkcode outputNotes}):
 * `server.output` is charged for them.
 *
 * ## One server while it passes
 *
 * A check runs against the server kept from the checks before when there is one, else against a
 * fresh one (started, awaited until it listens). A server that passes a check is kept running for
 * the next check; one that does not is killed. A check that does not pass on a kept server runs
 * again on a fresh one, and that run's verdict counts: a check is never charged for what an
 * earlier check did to the server. A check of unforced output needs a server of its own (and the
 * port free for it). `server.starts` keeps its server for `server.trigger` when it listens.
 *
 * @module
 */

import type { CheckId } from "../catalogue.ts";
import { ProbeConnectError } from "../../probes/probe_client.ts";
import type { CheckStatus, Evidence } from "../../result.ts";
import { escapeText } from "../../text/bytes.ts";
import {
  describeExit,
  firstStderrLine,
  type OtherOutput,
  type Readiness,
  ServerRun,
} from "../server_program.ts";
import { usageLine } from "../program_says.ts";
import type { CheckOutcome } from "../types.ts";
import {
  type KeptServer,
  type Session,
  type TallyBase,
  tallyOutput,
  UNTERMINATED_BYTES,
} from "./_session.ts";
import { Work } from "./_work.ts";
import { nothingWords, wrongTransportWords } from "./_transport_words.ts";
import { planTransport } from "../../probes/endpoints.ts";

/** What a check body decides; the runner adds evidence common to all checks. */
export interface Verdict {
  /** The status. */
  status: CheckStatus;
  /** One line a student can act on. */
  message: string;
  /** How to fix it. */
  hint?: string;
  /** For `warn`, or a `fail` with partial points: the share of the points earned. */
  fraction?: number;
  /** What the check adds to the common evidence. */
  evidence?: Record<string, unknown>;
}

/** A `skip` outcome of check `id` with `message`, without evidence. */
export function skipped(id: CheckId, message: string): CheckOutcome {
  return { id, status: "skip", message, evidence: {}, durationMs: 0 };
}

/**
 * Runs one check's `body` against a server: the one kept from the checks before when there is
 * one, else a fresh one (started here, awaited until it listens). A server that passes is kept
 * for the next check; one that does not is killed. A check that does not pass on a kept server
 * runs again on a fresh one, and that run's verdict counts: a check is never charged for what an
 * earlier check did to the server (see "One server while it passes" in the module doc).
 */
export async function runCheck(
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
      // A pass on a server that has exited meanwhile keeps nothing: end what is left of its tree.
      if (!keeps(session, kept.run)) await kept.run[Symbol.asyncDispose]();
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
export function keeps(session: Session, run: ServerRun): boolean {
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
  run.closeWindow();
  work.flush();
  if (verdict.status === "pass" && run.forced && !run.exit) {
    session.kept = {
      run,
      ready,
      startedFor: kept?.startedFor ?? id,
      passed: [...kept?.passed ?? [], id],
    };
  }
  if (run.forced && (verdict.status === "pass" || !kept)) {
    const share = tallyOutput(session, id, run, base);
    const notes = outputNotes(session, id, verdict.status, share, run.otherOutput());
    verdict = { ...verdict, message: verdict.message + notes };
  }
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
 * Words appended to check `id`'s message (or "") for what showed up on stdout during the check
 * (`share`, see `tallyOutput`) that `server.output` is charged for: response lines no probe's
 * trigger caused, and, when the check did not pass, output without a newline (which hides every
 * later response: the line never ends), then recorded in the session's tally.
 */
export function outputNotes(
  session: Session,
  id: CheckId,
  status: CheckStatus,
  share: TallyBase,
  now: OtherOutput,
): string {
  const response = `"${escapeText(session.spec.response)}"`;
  const notes: string[] = [];
  if (share.unsolicited > 0) {
    const n = share.unsolicited;
    notes.push(
      `${n} ${response} line${n === 1 ? "" : "s"} during this check ${
        n === 1 ? "was" : "were"
      } not caused by a probe's trigger${
        share.atStartUp > 0 ? ` (${share.atStartUp} at start-up)` : ""
      }`,
    );
  }
  if (share.untimed > 0) {
    notes.push(`your server printed ${response} more than sockgrade times (${share.untimed} more)`);
  }
  const missed = status !== "pass" && status !== "skip";
  if (missed && share.glued > 0) {
    notes.push(
      `your server printed ${response} ${share.glued} time${
        share.glued === 1 ? "" : "s"
      } at the end of other output, not on a line of its own`,
    );
  }
  if (missed && (share.glued > 0 || now.pendingBytes >= UNTERMINATED_BYTES)) {
    session.other.unterminated ??= { check: id, bytes: now.pendingBytes, glued: share.glued };
  }
  if (missed && now.pendingBytes >= UNTERMINATED_BYTES) {
    notes.push(
      `your server printed ${now.pendingBytes} bytes without a newline, so no later line of its output can be ${response}`,
    );
  }
  return notes.length === 0 ? "" : ` (${notes.join("; ")}: see server.output)`;
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

/** A usage line the server printed on stdout or stderr, if any. */
export function serverUsage(run: ServerRun): string | undefined {
  return usageLine(
    run.program.stdoutLines.map((l) => l.text),
    run.program.stderrLines.map((l) => l.text),
  );
}

/** Words for a server that did not listen: it exited first, or nothing listened in time. */
export function notReadyWords(session: Session, run: ServerRun, ready: Readiness): string {
  if (ready.state === "exited") {
    const usage = serverUsage(run);
    const err = firstStderrLine(run.program);
    return `it exited (${describeExit(ready.exit)}) before listening${
      usage ? `; it printed its usage line "${usage}"` : err ? `; stderr: "${err}"` : ""
    }`;
  }
  const net = session.net;
  const where = { port: net.port, ...(net.paths ? { path: net.paths.serverPath } : {}) };
  if (ready.state === "timeout" && ready.elsewhere) {
    return wrongTransportWords(planTransport(net), ready.elsewhere);
  }
  return `${nothingWords(planTransport(net), where)} within ${session.spec.timeouts.startMs} ms`;
}
