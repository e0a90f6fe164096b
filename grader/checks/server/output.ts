/**
 * `server.output`: stdout holds only response lines, printed without forced line buffering too.
 * It judges what every forced run of the other checks printed besides the response (the session's
 * tally) and runs the trigger once more on a server whose output is not forced line-buffered.
 *
 * ## Policy
 *
 * `server.output`: lines other than the response (in any forced run of this submission) halve
 * the points; a response that appears only when line buffering is forced halves them again.
 * It fails when stdout holds response lines no probe's trigger caused (printed at start-up, by a
 * background loop, after a client left: see `server_program.ts`), and when the server floods
 * stdout: more than {@linkcode FLOOD_LINES} lines or {@linkcode FLOOD_BYTES} other than the
 * response within ONE check's run, with or without newlines. Output is only ever counted and
 * sampled (bounded), never copied whole. It runs even when `server.trigger` was never answered
 * if there is such a finding to charge (without its unforced half, which needs the trigger).
 *
 * The other checks keep a server busy for well under a second, so a server that prints the
 * response on its own now and then (a timer, a background loop) may print nothing while they run:
 * `server.output` first watches a forced server with no probe connected for up to
 * {@linkcode QUIET_MS} (it stops at the first response, so only a server that stays quiet pays
 * the full wait). One that prints on its own at least that often is always caught; a rarer one
 * only when it prints during the other checks.
 * Where the grader can move on to a fresh network namespace like the one the checks ran in
 * (`netns` mode, IP transports: {@linkcode overlapQuietWatch}), the watch only reads the kept
 * server's stdout, so the grader moves on as soon as it begins: the unforced run and then the
 * client checks (`checks/mod.ts`) run in the new namespace, where nothing reaches the watched
 * server and nothing it holds (its port) is in their way, while the watch goes on; its verdict is
 * the same as when it ran alone, and it is still judged here.
 * Unforced output is judged against a bound of max(200 ms, 10 × the latency measured by
 * `server.trigger` with forced buffering), capped at `responseMs`: a flushed response appears
 * within microseconds of the forced one, a buffered one only when the buffer fills or the
 * program exits. Programs whose runtime flushes by itself (`lineBuffering: "none"`) skip that
 * half.
 *
 * @module
 */

import { escapeText } from "../../text/bytes.ts";
import type { CheckStatus } from "../../result.ts";
import { hint } from "../hints/mod.ts";
import type { CheckOutcome } from "../types.ts";
import type { NetPlan } from "../../sandbox/net_plan.ts";
import { runCheck } from "./_run_check.ts";
import type { Work } from "./_work.ts";
import { type Flood, FLOOD_BYTES, FLOOD_LINES, type Session } from "./_session.ts";

/** `server.output` (see the module doc): judges the session's tally, then one unforced run. */
export async function checkOutput(session: Session): Promise<CheckOutcome> {
  const t0 = performance.now();
  const overlap = overlaps.get(session.net);
  let moved = false;
  let quiet: CheckOutcome | undefined;
  let watching: Promise<CheckOutcome> | undefined;
  if (session.recipe) {
    let left: (leaving: { moving: Promise<boolean> }) => void = () => {};
    const leaves = new Promise<{ moving: Promise<boolean> }>((resolve) => left = resolve);
    watching = watchQuiet(session, overlap && ((moving) => left({ moving })));
    // The watch ends first when it never began (its server did not start): nothing moved.
    const leaving = (await Promise.race([leaves, watching.then(() => undefined)]))?.moving;
    // A move that failed half-way (a SandboxError) leaves a namespace without addresses: it goes
    // on up, and the submission is graded again by a new worker.
    moved = leaving ? await leaving : false;
    if (!moved) quiet = await watching;
  }
  const latency = session.forcedLatencyMs ?? session.spec.timeouts.responseMs;
  const boundMs = Math.round(
    Math.min(session.spec.timeouts.responseMs, Math.max(200, 10 * latency)),
  );
  let unforced: CheckOutcome | undefined;
  let buffered = false;
  if (session.plan.lineBuffering !== "none" && session.recipe) {
    unforced = await runCheck(session, "server.output", async (w) => {
      const rec = w.exchange("without forced line buffering: the trigger");
      {
        const before = w.run.responseCount();
        await using conn = await w.connect(rec);
        w.run.allow(1);
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
  }
  if (moved) {
    // The unforced server has ended: the port of the new namespace is the client checks' now.
    overlap?.release();
    quiet = await watching;
  }
  // The watch's tally is in: what follows judges every forced run, the watch's too.
  const { sample, flood, unsolicited, untimed, unterminated } = session.other;
  const extras = sample;
  const rest = session.other.lines - Math.min(5, extras.length);
  const shown: string = extras.slice(0, 5).map((l) => `"${escapeText(l, 80)}"`).join(", ") +
    (rest > 0 ? ` and ${rest} more line${rest === 1 ? "" : "s"}` : "");
  if (unforced) {
    // A flood hides the response from the sandbox's capture: unforced output is then not judged.
    buffered = unforced.status === "warn" && !flood;
  }
  const unforcedFailed = unforced !== undefined && unforced.status !== "pass" &&
    unforced.status !== "warn";
  const evidence = {
    extraLines: extras.map((l) => escapeText(l, 200)),
    otherLineCount: session.other.lines,
    maxOtherLinesInOneCheck: session.other.maxLines,
    ...(flood ? { flood: { ...flood, bounds: { lines: FLOOD_LINES, bytes: FLOOD_BYTES } } } : {}),
    ...(unterminated ? { withoutNewline: unterminated } : {}),
    ...(unsolicited > 0 || untimed > 0
      ? {
        responsesNotCaused: {
          count: unsolicited,
          atStartUp: session.other.atStartUp,
          byCheck: session.other.unsolicitedIn,
          ...(untimed > 0 ? { untimed } : {}),
        },
      }
      : {}),
    ...(unforced
      ? { unforced: { ...unforced.evidence, outcome: unforced.message || unforced.status } }
      : {}),
    ...(session.plan.lineBuffering === "none"
      ? { unforced: "not tested: the runtime flushes by itself" }
      : {}),
    exchanges: [...quiet?.evidence.exchanges ?? [], ...unforced?.evidence.exchanges ?? []],
  };
  const durationMs = () => Math.round(performance.now() - t0);
  const failures: string[] = [];
  const failHints: string[] = [];
  if (flood) {
    failures.push(
      `your server floods stdout: ${
        floodAmount(flood)
      } other than the response during ${flood.check} alone${shown ? `, e.g. ${shown}` : ""}`,
    );
    failHints.push(hint("server.output-flood", session.plan.kind));
  }
  if (unterminated && !flood) {
    const response = `"${escapeText(session.spec.response)}"`;
    failures.push(
      unterminated.glued > 0
        ? `during ${unterminated.check} your server printed ${response} ${unterminated.glued} time${
          unterminated.glued === 1 ? "" : "s"
        } at the end of other output without a newline before it, so it was not a line of its own`
        : `your server printed ${unterminated.bytes} bytes without a newline during ${unterminated.check}, so a response printed after them could not be a line of its own`,
    );
    failHints.push(
      "End every line you print with a newline, and keep stdout for the response: print progress or debug output to stderr.",
    );
  }
  if (unsolicited > 0 || untimed > 0) {
    const response = `"${escapeText(session.spec.response)}"`;
    const where = session.other.unsolicitedIn.slice(0, 4).map((u) => `${u.count} during ${u.check}`)
      .join(", ");
    const startUp = session.other.atStartUp > 0 ? `${session.other.atStartUp} at start-up; ` : "";
    failures.push(
      untimed > 0 && unsolicited === 0
        ? `your server printed ${response} ${untimed} times more than sockgrade can attribute to its probes`
        : `your server printed ${unsolicited} ${response} line${
          unsolicited === 1 ? "" : "s"
        } that no probe's trigger caused (${startUp}${where})`,
    );
    failHints.push(
      `Print ${response} only when a received message equals the trigger: not at start-up, not from a timer or a background loop, not when a client leaves.`,
    );
  }
  if (failures.length > 0) {
    return {
      id: "server.output",
      status: "fail",
      message: failures.join("; "),
      hint: failHints.join(" "),
      evidence,
      durationMs: durationMs(),
    };
  }
  const problems: string[] = [];
  const hints: string[] = [];
  if (session.other.lines > 0) {
    problems.push(`stdout holds other lines than the response: ${shown}`);
    hints.push(hint("server.output-extra-lines", session.plan.kind));
  }
  if (buffered) {
    problems.push("your server's output only appeared because sockgrade forced line buffering");
    hints.push(
      hint("server.output-flush", session.plan.kind, {
        response: escapeText(session.spec.response),
      }),
    );
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
    ...(hints.length ? { hint: hints.join(" ") } : {}),
    ...(fraction !== undefined ? { fraction } : {}),
    evidence,
    durationMs: durationMs(),
  };
}

/** How much a flood printed: lines, or bytes without newlines. */
function floodAmount(flood: Flood): string {
  if (flood.lines > FLOOD_LINES) return `${flood.lines} lines (${flood.bytes} bytes)`;
  return `${flood.bytes} bytes ${
    flood.lines === 0 ? "without newlines" : `in only ${flood.lines} lines (without newlines)`
  }`;
}

/** How long `server.output` watches a server with no probe connected (see the module doc). */
export const QUIET_MS = 300;

/**
 * Watches a forced server (the kept one, else a fresh one) with no probe connected for up to
 * {@linkcode QUIET_MS}: any response it prints is one no probe caused, tallied as the runner
 * tallies every forced run.
 */
function watchQuiet(
  session: Session,
  onWatching?: (moving: Promise<boolean>) => void,
): Promise<CheckOutcome> {
  return runCheck(session, "server.output", async (w: Work) => {
    const rec = w.exchange(`no probe connected for up to ${QUIET_MS} ms`);
    await w.settle();
    const before = w.run.responseCount();
    const watched = w.run.waitResponses(before + 1, QUIET_MS);
    // From here on the watch only reads the server's stdout: the grader may move on.
    const overlap = onWatching && overlaps.get(session.net);
    if (onWatching && overlap) onWatching(overlap.leave());
    const printed = await watched;
    if (printed) {
      rec.note(`the server printed "${escapeText(session.spec.response)}" with no probe connected`);
    }
    return { status: "pass", message: "", evidence: { quietMs: QUIET_MS } };
  });
}

/**
 * How `server.output` lets the grader move on while its quiet watch goes on (see the module doc):
 * `leave()` moves the grader into a fresh network namespace set up like the one the checks ran in
 * so far (resolves false when it could not, having changed nothing; rejects when it failed
 * half-way); `release()` says the new namespace's port is free again (the unforced run is over).
 */
export interface QuietOverlap {
  /** Moves the grader into a fresh namespace like the current one; false when it could not. */
  leave(): Promise<boolean>;
  /** Called once the unforced run is over, only after `leave()` resolved true. */
  release(): void;
}

const overlaps = new WeakMap<NetPlan, QuietOverlap>();

/**
 * Lets the `server.output` check of the submission with plan `net` (the very object the checks
 * get) overlap its quiet watch with what follows, through `overlap`; returns what ends that.
 * Only for IP transports in a private namespace: a Unix socket path lives in the filesystem,
 * which a new network namespace does not separate.
 */
export function overlapQuietWatch(net: NetPlan, overlap: QuietOverlap): () => void {
  overlaps.set(net, overlap);
  return () => overlaps.delete(net);
}
