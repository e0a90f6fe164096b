/**
 * `server.framing`: a message is a line ended by `\n`, whatever the writes: a trigger split over
 * two writes, two triggers in one write, a trigger ended by the close (no `\n`) and one ended by
 * `\r\n` must each print the response as often as they hold the trigger.
 *
 * ## Policy
 *
 * `server.framing` has four sub-cases; some failing gives `warn` with the share that passed,
 * all failing gives `fail`.
 *
 * @module
 */

import { escapeText } from "../../bytes.ts";
import type { ExchangeRecorder, ProbeConnection } from "../../probes/probe_client.ts";
import { responsesCausedBy } from "./_responses_caused_by.ts";
import type { Verdict } from "./_run_check.ts";
import type { Work } from "./_work.ts";

/** One framing case: what it sends, how many responses it must cause, and the advice if not. */
interface SubCase {
  name: string;
  expected: number;
  steps: (conn: ProbeConnection, rec: ExchangeRecorder) => Promise<void>;
  advice: (got: number) => string;
}

/** `server.framing` (see the module doc): the four framing cases, each on its own connection. */
export async function checkFraming(w: Work): Promise<Verdict> {
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
