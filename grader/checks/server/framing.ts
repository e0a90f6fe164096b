/**
 * `server.framing`: a message is a line ended by `\n`, whatever the writes: a trigger split over
 * two writes, two triggers in one write, a trigger ended by the close (no `\n`) and one ended by
 * `\r\n` must each print the response as often as they hold the trigger. Over datagrams a
 * message is one datagram (see {@linkcode datagramCases}).
 *
 * ## Policy
 *
 * `server.framing` has four sub-cases, each required: any failing gives `fail` (EXERCISE.md §3),
 * with the share of the cases that passed as partial points and the message naming them.
 *
 * @module
 */

import { escapeText } from "../../text/bytes.ts";
import { hint, type HintCause } from "../hints/mod.ts";
import type { ExchangeRecorder } from "../../probes/probe_client.ts";
import type { ProbeSession } from "../../probes/transport.ts";
import { responsesCausedBy } from "./_responses_caused_by.ts";
import type { Verdict } from "./_run_check.ts";
import type { Work } from "./_work.ts";
import { planTransport } from "../../probes/endpoints.ts";

/** One framing case: what it sends, how many responses it must cause, and the advice if not. */
interface SubCase {
  name: string;
  expected: number;
  steps: (conn: ProbeSession, rec: ExchangeRecorder) => Promise<void>;
  /** What went wrong, in words. */
  advice: (got: number) => string;
  /** The hint's cause. */
  cause: HintCause;
}

/**
 * The framing cases over datagrams (EXERCISE.md §6): the trigger without a newline (one
 * response), over `udp` with one trailing `\n` too (one: tolerated there), two trigger datagrams
 * back to back (two), and one datagram holding two lines (none: a datagram is one message, never
 * split into lines).
 */
function datagramCases(w: Work): SubCase[] {
  const t = w.spec.trigger;
  const cause = "server.datagram-whole";
  // EXERCISE.md §6 tolerates one trailing '\n' over udp; over unix-dgram it is not graded.
  const trailing: SubCase[] = planTransport(w.session.net) === "udp"
    ? [
      {
        name: "one datagram ended by '\\n'",
        expected: 1,
        steps: async (conn) => void await conn.send(`${t}\n`, w.responseMs),
        advice: (got) =>
          `the trigger in one datagram with one trailing '\\n' printed ${got} responses, not 1`,
        cause,
      },
    ]
    : [];
  return [
    {
      name: "one datagram, no '\\n'",
      expected: 1,
      steps: async (conn) => void await conn.send(t, w.responseMs),
      advice: (got) =>
        `the trigger in one datagram without a newline printed ${got} responses, not 1`,
      cause,
    },
    ...trailing,
    {
      name: "two datagrams back to back",
      expected: 2,
      steps: async (conn) => {
        await conn.send(t, w.responseMs);
        await conn.send(t, w.responseMs);
      },
      advice: (got) => `two trigger datagrams back to back printed ${got} responses, not 2`,
      cause,
    },
    {
      name: "two lines in one datagram",
      expected: 0,
      steps: async (conn) => void await conn.send(`${t}\n${t}`, w.responseMs),
      advice: (got) =>
        `one datagram holding "${escapeText(t)}\\n${escapeText(t)}" printed ${got} response${
          got === 1 ? "" : "s"
        }: a datagram is one message, never split into lines`,
      cause,
    },
  ];
}

/**
 * `server.framing` (see the module doc): the four framing cases, each on its own connection (or
 * its own datagram session).
 */
export async function checkFraming(w: Work): Promise<Verdict> {
  const cases = w.datagram ? datagramCases(w) : streamCases(w);
  const results: { case: string; expected: number; responses: number; ok: boolean }[] = [];
  const failures: SubCase[] = [];
  for (const c of cases) {
    const r = await responsesCausedBy(w, `framing: ${c.name}`, c.steps, { expect: c.expected });
    const ok = r.caused === c.expected;
    results.push({ case: c.name, expected: c.expected, responses: r.caused, ok });
    if (!ok) failures.push(c);
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
  const said = failures.map((c) => c.advice(results.find((r) => r.case === c.name)!.responses));
  const passedNames = results.filter((r) => r.ok).map((r) => `"${r.case}"`);
  const tally = passed === 0
    ? `none of the ${cases.length} framing cases passed`
    : `${passed} of ${cases.length} framing cases passed (${passedNames.join(", ")})`;
  const kind = w.session.plan.kind;
  return {
    status: "fail",
    ...(passed === 0 ? {} : { fraction: passed / cases.length }),
    message: `${said.join("; ")}; ${tally}`,
    hint: [
      ...new Set(
        failures.map((c) => hint(c.cause, kind)),
      ),
    ].join(" "),
    evidence: { cases: results },
  };
}

/** The framing cases over streams: split writes, two in one write, ended by close, CRLF. */
function streamCases(w: Work): SubCase[] {
  const t = w.spec.trigger;
  const half = Math.max(1, Math.floor(t.length / 2));
  return [
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
        "a message split over two writes was not recognised: your server treats each read as one message",
      cause: "server.framing-split",
    },
    {
      name: "two messages in one write",
      expected: 2,
      steps: async (conn) => void await w.sendLast(conn, `${t}\n${t}\n`),
      advice: (got) =>
        `two messages in one write printed ${got} response${got === 1 ? "" : "s"}, not 2`,
      cause: "server.framing-two-in-one",
    },
    {
      name: "ended by close, no '\\n'",
      expected: 1,
      steps: async (conn) => void await w.sendLast(conn, t),
      advice: () => "a message ended by closing the connection (no '\\n') was not recognised",
      cause: "server.framing-close",
    },
    {
      name: "ended by '\\r\\n'",
      expected: 1,
      steps: async (conn) => void await w.sendLast(conn, `${t}\r\n`),
      advice: () => `"${escapeText(t)}\\r\\n" was not recognised`,
      cause: "server.framing-crlf",
    },
  ];
}
