/**
 * `server.framing`: a message is a line ended by `\n`, whatever the writes: a trigger split over
 * two writes, two triggers in one write, a trigger ended by the close (no `\n`) and one ended by
 * `\r\n` must each print the response as often as they hold the trigger.
 *
 * ## Policy
 *
 * `server.framing` has four sub-cases, each required: any failing gives `fail` (EXERCISE.md §3),
 * with the share of the cases that passed as partial points and the message naming them.
 *
 * @module
 */

import { escapeText } from "../../bytes.ts";
import { hint, type HintCause } from "../hints/mod.ts";
import type { ExchangeRecorder, ProbeConnection } from "../../probes/probe_client.ts";
import { responsesCausedBy } from "./_responses_caused_by.ts";
import type { Verdict } from "./_run_check.ts";
import type { Work } from "./_work.ts";

/** One framing case: what it sends, how many responses it must cause, and the advice if not. */
interface SubCase {
  name: string;
  expected: number;
  steps: (conn: ProbeConnection, rec: ExchangeRecorder) => Promise<void>;
  /** What went wrong, in words. */
  advice: (got: number) => string;
  /** The hint's cause. */
  cause: HintCause;
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
    hint: failures.map((c) => hint(c.cause, kind)).join(" "),
    evidence: { cases: results },
  };
}
