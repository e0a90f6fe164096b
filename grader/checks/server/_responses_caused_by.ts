/**
 * {@linkcode responsesCausedBy}: one step under test of a negative check (`server.exact-match`,
 * `server.framing`, `server.address-filter`) on its own connection, ordered by a barrier and
 * followed by a sentinel, and the number of responses it caused (see "Negative checks are
 * sequenced, never slept" in `../server_checks.ts`).
 *
 * A server that prints responses no probe caused (a background loop, see `server_program.ts`)
 * can print one inside a step's window by chance. Such lines only ever add to a count, so when
 * a step caused more than it should, the step is repeated (at most {@linkcode REPEATS} times in
 * all) and the smallest count stands: a server that really answers the step does so every time,
 * a stray line does not land in every window. Windows outlast a fast background loop's period
 * on a loaded machine, so before charging, the server is watched with no probe connected
 * (`ServerRun.printsOnItsOwn`, a fixed time): one that prints the response on its own is not
 * charged by the check (`background` is set; `server.output` charges those lines). Otherwise what
 * the step really caused is taken back from the responses no probe caused (`ServerRun.excuse`):
 * the check charges it.
 *
 * @module
 */

import type { ExchangeRecorder, PeerEnd } from "../../probes/probe_client.ts";
import type { ProbeSession } from "../../probes/transport.ts";
import type { ProbeRole, Work } from "./_work.ts";

/** How often a step is tried at most when responses nobody asked for may have been counted. */
export const REPEATS = 3;

/** What one step caused. */
export interface Caused {
  /** Responses the step caused (the smallest count over its attempts). */
  caused: number;
  /** Whether the sentinel after the (last) attempt was answered. */
  sentinelAnswered: boolean;
  /** How the server ended the step's connection (last attempt). */
  peerEnd: PeerEnd;
  /** How many attempts were made. */
  attempts: number;
  /**
   * Set when every attempt counted more than expected but the server prints the response on its
   * own: `caused` is then the expected count (the check cannot tell the step's from its own).
   */
  background?: true;
}

/** Sends `steps`' bytes on a fresh allowed connection, barriers, then runs a sentinel. */
export async function responsesCausedBy(
  w: Work,
  label: string,
  steps: (conn: ProbeSession, rec: ExchangeRecorder) => Promise<void>,
  options: { from?: ProbeRole; barrier?: "fin" | "consumed"; expect?: number } = {},
): Promise<Caused> {
  const expect = options.expect ?? 0;
  let result = await attempt(w, label, steps, options);
  let attempts = 1;
  while (attempts < REPEATS && result.caused > expect && result.sentinelAnswered) {
    attempts++;
    const again = await attempt(
      w,
      `${label} (again: responses no probe caused were seen)`,
      steps,
      options,
    );
    result = { ...again, caused: Math.min(result.caused, again.caused) };
  }
  if (result.caused > expect && await w.run.printsOnItsOwn()) {
    return { ...result, caused: expect, attempts, background: true };
  }
  // Answered every time: the step caused them (the check charges them, server.output does not).
  if (result.caused > expect) w.run.excuse((result.caused - expect) * attempts);
  return { ...result, attempts };
}

async function attempt(
  w: Work,
  label: string,
  steps: (conn: ProbeSession, rec: ExchangeRecorder) => Promise<void>,
  options: { from?: ProbeRole; barrier?: "fin" | "consumed"; expect?: number },
): Promise<Omit<Caused, "attempts">> {
  const rec = w.exchange(label);
  await w.settle();
  const before = w.run.responseCount();
  let peerEnd: PeerEnd;
  {
    await using conn = await w.connect(rec, options.from);
    w.run.allow(options.expect ?? 0);
    await steps(conn, rec);
    if (options.barrier === "consumed" && !w.datagram) {
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
