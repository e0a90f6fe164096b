/**
 * `server.robustness`: a connection closed at once, one reset in the middle of a line, 1 MiB
 * without a newline, and binary bytes with NULs, each on its own connection; after each, the
 * server must still answer the trigger on a new connection.
 *
 * @module
 */

import type { ExchangeRecorder, ProbeConnection } from "../../probes/probe_client.ts";
import { hint, type HintCause } from "../hints/mod.ts";
import type { Verdict } from "./_run_check.ts";
import type { Work } from "./_work.ts";

/** `server.robustness` (see the module doc): the server survives each hostile connection. */
export async function checkRobustness(w: Work): Promise<Verdict> {
  const binary = new Uint8Array(1024);
  for (let i = 0; i < binary.length; i++) binary[i] = i % 3 === 0 ? 0 : (i * 7) & 0xff;
  const mib = new Uint8Array(1024 * 1024).fill(0x41);
  const cases: {
    name: string;
    advice: string;
    cause: HintCause;
    steps: (conn: ProbeConnection, rec: ExchangeRecorder) => Promise<void>;
    reset?: boolean;
  }[] = [
    {
      name: "connect and close",
      advice: "a client that connects and closes at once must not end the server",
      cause: "server.robust-close",
      steps: async () => {},
    },
    {
      name: "reset mid-line",
      advice: "a connection reset by the client must end that connection only, not the server",
      cause: "server.robust-reset",
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
      advice: "a line that never ends must not crash or block the server",
      cause: "server.robust-long-line",
      steps: async (conn) => void await w.sendLast(conn, mib),
    },
    {
      name: "binary bytes with NULs",
      advice: "binary bytes (NULs, invalid text) must not break the server",
      cause: "server.robust-binary",
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
        } after ${c.name}: ${c.advice}${done.length ? ` (it survived ${done.join(", ")})` : ""}`,
        hint: hint(c.cause, w.session.plan.kind),
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
