/**
 * {@linkcode responsesCausedBy}: one step under test of a negative check (`server.exact-match`,
 * `server.framing`, `server.address-filter`) on its own connection, ordered by a barrier and
 * followed by a sentinel, and the number of responses it caused (see "Negative checks are
 * sequenced, never slept" in `../server_checks.ts`).
 *
 * @module
 */

import type { ExchangeRecorder, PeerEnd, ProbeConnection } from "../../probes/probe_client.ts";
import type { Work } from "./_work.ts";

/** Sends `steps`' bytes on a fresh allowed connection, barriers, then runs a sentinel. */
export async function responsesCausedBy(
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
