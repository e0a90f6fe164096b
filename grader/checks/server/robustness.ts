/**
 * `server.robustness`: hostile clients, each on its own connection (or datagram session); after
 * each, the server must still answer the trigger from a new one. Per transport (EXERCISE.md §6,
 * docs/TRANSPORTS.md):
 *
 * - `tcp`: a connection closed at once, one reset in the middle of a line, 1 MiB without a
 *   newline, binary bytes with NULs;
 * - `unix-stream`: the same, where the reset is a close mid-line (a Unix stream has no RST);
 * - `udp`: an empty datagram, the largest UDP datagram (65,507 bytes over IPv4, 65,527 over IPv6)
 *   without a newline, binary bytes with NULs (there is no connection to open, close or reset);
 * - `unix-dgram`: an empty datagram, a 64 KiB datagram, binary bytes with NULs.
 *
 * @module
 */

import type { ExchangeRecorder } from "../../probes/probe_client.ts";
import type { ProbeSession } from "../../probes/transport.ts";
import { planTransport } from "../../probes/endpoints.ts";
import { hint, type HintCause } from "../hints/mod.ts";
import type { Verdict } from "./_run_check.ts";
import type { Work } from "./_work.ts";

/** One hostile client. */
interface Case {
  name: string;
  advice: string;
  cause: HintCause;
  steps: (conn: ProbeSession, rec: ExchangeRecorder) => Promise<void>;
  /** The steps end the session themselves (no barrier after them). */
  reset?: boolean;
}

/** The largest UDP payload over IPv4 and over IPv6. */
const UDP_MAX = { 4: 65_507, 6: 65_527 };

/** Binary bytes with NULs. */
function binaryBytes(): Uint8Array {
  const binary = new Uint8Array(1024);
  for (let i = 0; i < binary.length; i++) binary[i] = i % 3 === 0 ? 0 : (i * 7) & 0xff;
  return binary;
}

/** The cases for the plan's transport (see the module doc). */
function casesFor(w: Work): Case[] {
  const transport = planTransport(w.session.net);
  const binary: Case = {
    name: "binary bytes with NULs",
    advice: "binary bytes (NULs, invalid text) must not break the server",
    cause: "server.robust-binary",
    steps: async (conn) => void await w.sendLast(conn, binaryBytes()),
  };
  if (w.datagram) {
    const target = w.session.target;
    const size = transport === "udp"
      ? UDP_MAX["address" in target && target.address.includes(":") ? 6 : 4]
      : 64 * 1024;
    return [
      {
        name: "an empty datagram",
        advice: "an empty datagram (recvfrom() returns 0) must not end or block the server",
        cause: "server.robust-close",
        steps: async (conn) => void await conn.send(new Uint8Array(0), w.responseMs),
      },
      {
        name: `a datagram of ${size} bytes without a newline`,
        advice:
          "a datagram larger than your buffer must not crash or block the server (recvfrom() cuts it to the buffer's size)",
        cause: "server.robust-long-line",
        steps: async (conn) => void await conn.send(new Uint8Array(size).fill(0x41), w.responseMs),
      },
      binary,
    ];
  }
  const trigger = w.spec.trigger;
  return [
    {
      name: "connect and close",
      advice: "a client that connects and closes at once must not end the server",
      cause: "server.robust-close",
      steps: async () => {},
    },
    {
      name: transport === "tcp" ? "reset mid-line" : "close mid-line",
      advice: transport === "tcp"
        ? "a connection reset by the client must end that connection only, not the server"
        : "a client that leaves in the middle of a line must end that connection only, not the server",
      cause: "server.robust-reset",
      steps: async (conn, rec) => {
        await conn.send(trigger.slice(0, Math.ceil(trigger.length / 2)), w.responseMs);
        if (await conn.waitConsumed(w.responseMs) !== true) {
          rec.note("could not confirm the server read the bytes");
        }
        await conn.reset();
      },
      reset: true,
    },
    {
      name: "1 MiB without a newline",
      advice: "a line that never ends must not crash or block the server",
      cause: "server.robust-long-line",
      steps: async (conn) => void await w.sendLast(conn, new Uint8Array(1024 * 1024).fill(0x41)),
    },
    binary,
  ];
}

/** `server.robustness` (see the module doc): the server survives each hostile client. */
export async function checkRobustness(w: Work): Promise<Verdict> {
  const cases = casesFor(w);
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
  const last = done.pop();
  return {
    status: "pass",
    message: `after ${done.join(", ")} and ${last}, your server still answered`,
    evidence: { passedCases: [...done, last] },
  };
}
