/**
 * `client.messages`: the client sent exactly the spec's messages, in order, each framed per the
 * spec's transport (EXERCISE.md §6: lines on a stream, one datagram per message); what went wrong
 * is diagnosed by the pure `../diagnose.ts` (streams) and `diagnose_datagrams.ts` (datagrams).
 *
 * @module
 */

import { escapeBytes } from "../../text/bytes.ts";
import { isDatagramTransport } from "../../spec.ts";
import { describeOverflow } from "../../probes/capture_server.ts";
import { diagnoseMessages, type MessagesDiagnosis } from "../diagnose.ts";
import type { CheckContext, CheckOutcome } from "../types.ts";
import { type CaptureRun, ms, plural, reachedCapture } from "./_run.ts";
import { tooLargeWords } from "./_too_large.ts";
import { diagnoseDatagrams } from "./diagnose_datagrams.ts";

/** The diagnosis of what the client sent over the run's transport. */
function diagnose(ctx: CheckContext, run: CaptureRun): MessagesDiagnosis {
  const kind = ctx.client?.kind;
  if (run.connections.length === 0) {
    const stderr = run.program?.stderrLines.map((l) => l.text) ?? [];
    return diagnoseDatagrams(
      run.datagrams.map((d) => d.bytes),
      ctx.spec.messages,
      kind,
      tooLargeWords(run.transport, stderr),
    );
  }
  return diagnoseMessages(
    run.connections.map((c, i) => ({ bytes: c.bytes(), closed: run.closedByClient[i]! })),
    ctx.spec.messages,
    kind,
  );
}

export function messagesOutcome(ctx: CheckContext, run: CaptureRun): CheckOutcome {
  const started = performance.now();
  if (!reachedCapture(run)) {
    return {
      id: "client.messages",
      status: "skip",
      message: run.startError
        ? "skipped: the client could not be started (see client.connects)"
        : isDatagramTransport(run.transport)
        ? "skipped: no datagram of the client arrived (see client.connects)"
        : "skipped: the client never connected (see client.connects)",
      evidence: { exchanges: [run.exchange] },
      durationMs: 0,
    };
  }
  if (run.overflow) {
    const { limits: _, ...sent } = run.overflow;
    const datagrams = run.connections.length === 0;
    return {
      id: "client.messages",
      status: "fail",
      message: datagrams
        ? `your client sent ${
          plural(run.overflow.receivedBytes, "byte")
        } in more than ${run.datagrams.length} datagrams, more than the grader reads for this check`
        : describeOverflow(run.overflow),
      hint:
        "Send each of the spec's messages once, then close the socket: the client sends a few short lines, never a stream of data or many connections.",
      evidence: { overflow: sent, exchanges: [run.exchange] },
      durationMs: 0,
    };
  }
  const d = diagnose(ctx, run);
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
      ...(run.connections.length > 0
        ? {
          bytes: run.connections.map((c) => ({
            connection: c.label,
            size: c.size,
            data: escapeBytes(c.bytes()),
          })),
        }
        : {
          datagrams: run.datagrams.map((d) => ({
            from: d.from,
            size: d.bytes.length,
            data: escapeBytes(d.bytes),
          })),
        }),
      exchanges: [run.exchange],
    },
    durationMs: ms(performance.now() - started),
  };
}
