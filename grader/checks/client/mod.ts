/**
 * The client checks of EXERCISE.md §3: `client.connects`, `client.messages`, `client.exits` and
 * `client.no-server`, in that order.
 *
 * The student's client runs once against the grader's capture of the spec's transport (waiting
 * at the server address and port, or the server path, it is given; see docs/TRANSPORTS.md) and
 * once with no server there. The first run is sequenced by events, not sleeps: the client's exit,
 * then the capture's `sync` (every connection it made is accepted, every datagram it sent is
 * read), then every connection's end (its FIN carries the last bytes). What the bytes mean is
 * decided by the pure `diagnose.ts` (streams) and `diagnose_datagrams.ts` (datagrams).
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

import { sentMessages } from "../diagnose.ts";
import type { CheckContext, CheckOutcome } from "../types.ts";
import { connectsOutcome } from "./connects.ts";
import { messagesOutcome } from "./messages.ts";
import { exitsOutcome } from "./exits.ts";
import { noServerOutcome } from "./no_server.ts";
import { runAgainstCapture } from "./_run.ts";

/** What {@linkcode runClientChecks} tells its caller besides the outcomes. */
export interface ClientObservation {
  /**
   * The messages the client sent to the capture server, framed per the spec (see
   * `diagnose.ts` `sentMessages`); `[]` when it connected to nothing. Unset when the client could
   * not be started or the checks threw. Give it to the pair check as `CheckContext.clientSent`.
   */
  sent?: string[];
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
    // Datagrams: each one is a message (framed per §6); streams: cut into lines.
    observed.sent = run.connections.length === 0
      ? run.datagrams.map((d) => new TextDecoder().decode(d.bytes))
      : sentMessages(
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
