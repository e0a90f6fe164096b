/**
 * `server.output`: stdout holds only response lines, printed without forced line buffering too.
 * It judges what every forced run of the other checks printed besides the response (the session's
 * tally) and runs the trigger once more on a server whose output is not forced line-buffered.
 *
 * ## Policy
 *
 * `server.output`: lines other than the response (in any forced run of this submission) halve
 * the points; a response that appears only when line buffering is forced halves them again.
 * A server that floods stdout fails: more than {@linkcode FLOOD_LINES} lines or
 * {@linkcode FLOOD_BYTES} other than the response within ONE check's run, or more than the
 * sandbox stores at all. Output is only ever counted and sampled (bounded), never copied whole.
 * Unforced output is judged against a bound of max(200 ms, 10 × the latency measured by
 * `server.trigger` with forced buffering), capped at `responseMs`: a flushed response appears
 * within microseconds of the forced one, a buffered one only when the buffer fills or the
 * program exits. Programs whose runtime flushes by itself (`lineBuffering: "none"`) skip that
 * half.
 *
 * @module
 */

import { escapeText } from "../../bytes.ts";
import type { CheckStatus } from "../../result.ts";
import { hint } from "../hints/mod.ts";
import type { CheckOutcome } from "../types.ts";
import { runCheck } from "./_run_check.ts";
import { FLOOD_BYTES, FLOOD_LINES, type Session } from "./_session.ts";

/** `server.output` (see the module doc): judges the session's tally, then one unforced run. */
export async function checkOutput(session: Session): Promise<CheckOutcome> {
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
      hint: hint("server.output-flood", session.plan.kind),
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
