/**
 * The server checks of EXERCISE.md §3: `server.starts`, `server.trigger`, `server.exact-match`,
 * `server.framing`, `server.address-filter`, `server.robustness`, `server.concurrency` and
 * `server.output`, run in that order by {@linkcode runServerChecks}. The student's server is
 * driven by probe sessions of the spec's transport (`grader/probes/transports/`: TCP, UDP, Unix
 * streams and datagrams), which bind the allowed client's address or path (or the stranger's)
 * before they connect or send; what each check means per transport is docs/TRANSPORTS.md. Over
 * datagrams there is no connection: each step is its own datagram session, and its barrier is the
 * server having read what was sent (`ProbeSession.waitConsumed`) instead of its close.
 *
 * ## How each check runs
 *
 * `server.starts` starts the server (`[...argv, clientAddress, port]`, line buffering forced) and
 * waits until its process tree listens. The same server goes on to the next check, and to each
 * check after that as long as it passes them; a check that does not pass on such a kept server
 * runs again on a freshly started one, whose verdict counts, so one crash or a state an earlier
 * check left never cascades into the next check (`server/_run_check.ts`). `server.output`'s run
 * without forced line buffering always starts a server of its own. Every server's whole tree is
 * killed when no check needs it any more.
 *
 * ## Negative checks are sequenced, never slept
 *
 * Each step under test (a near miss, a framing case, the stranger's trigger, a robustness case)
 * runs on its own connection. The probe then half-closes it and waits (at most `responseMs`) for
 * the server's FIN or RST: a server handles a connection's bytes before it sees the end of the
 * stream, so any response they caused is in the stdout pipe by then. Next, `syncOutput()` (see
 * `server_program.ts`) writes a marker into that pipe and waits until the sandbox has read it, so
 * the response count now includes everything the step caused, however slowly the pipe is read.
 * Finally a SENTINEL (the trigger on a fresh allowed connection, its `Receive Query` awaited)
 * proves the server was still able to answer, so silence counts as "no response" and not as
 * "stopped working". Cross-connection orderings (stranger, then allowed) rely on the same FIN.
 *
 * A case that expects responses (the framing cases) also waits (at most `responseMs`) until they
 * have arrived before the marker: a server may handle a message ended by the close only after
 * its own close, so its FIN does not order that line.
 *
 * Residual risks: (1) a server that does not close a connection after the client's FIN costs
 * `responseMs` per step (bounded), and after the first such wait the exact-match check only waits
 * until the server has read the bytes (`/proc/net/tcp` receive queue empty), which orders its
 * response before the marker in practice (printing takes microseconds) but not by causality;
 * (2) when the marker cannot be written (no /proc, or the program closed every copy of its
 * stdout), counts fall back to "responses when the sentinel's arrives, minus the sentinel", where
 * a late stray line can be taken for the sentinel's and the blame shifts to the next step;
 * (3) a response printed more than `responseMs` after its cause is graded as no response.
 *
 * ## Policies
 *
 * Each check's own policy is in the module doc of that check (`server/starts.ts`,
 * `server/trigger.ts`, `server/framing.ts`, `server/address_filter.ts`, `server/output.ts`).
 * Common to all:
 *
 * - `error` only when the grader itself failed: the probe could not bind its address; or the
 *   server could not listen while a TIME_WAIT socket held its port (the probes never leave one,
 *   see `probes/probe_client.ts`, so one found is the grader's problem). Output volume is never a
 *   reason: the sandbox recognises every response however much a server prints, and a flood is
 *   `server.output`'s `fail`.
 *
 * ## The service port is never left in TIME_WAIT
 *
 * Every check binds the same port again, and many servers do not set `SO_REUSEADDR`. The probe
 * closes first or, when the server closed first, resets (see `probes/probe_client.ts`). A server
 * found by `server.trigger` to close connections on its own (one `recv()` per connection, as in
 * the article) gets its last bytes and then its own close before the probe resets, instead of a
 * FIN that could arrive just after its close (`Work.sendLast` in `server/_work.ts`).
 *
 * ## Where the parts live
 *
 * - `server/<check>.ts`: one module per check, named for its id (`starts.ts`, `trigger.ts`,
 *   `exact_match.ts`, `framing.ts`, `address_filter.ts`, `robustness.ts`, `concurrency.ts`,
 *   `output.ts`).
 * - `server/_session.ts`: what the checks of one submission share, and the tally of other output.
 * - `server/_run_check.ts`: runs a check's body on a kept or fresh server and builds its outcome.
 * - `server/_work.ts`: one check's server and probe connections (barrier, sentinel, settling).
 * - `server/_responses_caused_by.ts`: one step of a negative check and the responses it caused.
 * - `server/_round.ts`: latencies as messages and evidence show them.
 *
 * @example
 * ```ts
 * import { nearMisses } from "./server_checks.ts";
 * import { DEFAULT_SPEC } from "../spec.ts";
 * const misses = nearMisses(DEFAULT_SPEC);
 * if (!misses.includes("client query") || misses.includes("Client Query")) throw new Error();
 * ```
 * @module
 */

import { type CheckId, notApplicable, runCheckIds } from "./catalogue.ts";
import { runCheck, skipped } from "./server/_run_check.ts";
import { emptyTally, type Session } from "./server/_session.ts";
import { checkAddressFilter } from "./server/address_filter.ts";
import { checkConcurrency } from "./server/concurrency.ts";
import { checkExactMatch } from "./server/exact_match.ts";
import { checkFraming } from "./server/framing.ts";
import { checkOutput } from "./server/output.ts";
import { checkRobustness } from "./server/robustness.ts";
import { checkStarts } from "./server/starts.ts";
import { checkTrigger } from "./server/trigger.ts";
import type { CheckContext, CheckOutcome } from "./types.ts";
import { planTransport, serverEndpoint } from "../probes/endpoints.ts";

export { heldPortVerdict, type Verdict } from "./server/_run_check.ts";
export { FLOOD_BYTES, FLOOD_LINES } from "./server/_session.ts";
export { nearMisses } from "./server/exact_match.ts";

/** The server check ids, in the order {@linkcode runServerChecks} returns them. */
export const SERVER_CHECK_IDS: readonly CheckId[] = runCheckIds("server");

/** Runs the eight server checks (see the module doc) and returns their outcomes in order. */
export async function runServerChecks(ctx: CheckContext): Promise<CheckOutcome[]> {
  const plan = ctx.server;
  if (!plan) {
    return SERVER_CHECK_IDS.map((id) => skipped(id, "skipped: there is no server program to run"));
  }
  const session: Session = {
    spec: ctx.spec,
    net: ctx.net,
    plan,
    target: serverEndpoint(ctx.net),
    targetNote: "",
    listening: false,
    other: emptyTally(),
  };
  try {
    const starts = await checkStarts(session);
    if (!session.listening) {
      return [
        starts,
        ...SERVER_CHECK_IDS.slice(1).map((id) => skipped(id, "skipped: the server did not start")),
      ];
    }
    const outcomes = [starts, await runCheck(session, "server.trigger", checkTrigger)];
    const dependent: [CheckId, () => Promise<CheckOutcome>][] = [
      ["server.exact-match", () => runCheck(session, "server.exact-match", checkExactMatch)],
      ["server.framing", () => runCheck(session, "server.framing", checkFraming)],
      ["server.address-filter", () => checkAddressFilter(session)],
      ["server.robustness", () => runCheck(session, "server.robustness", checkRobustness)],
      ["server.concurrency", () => runCheck(session, "server.concurrency", checkConcurrency)],
      ["server.output", () => checkOutput(session)],
    ];
    for (const [id, run] of dependent) {
      // server.output charges what the runs so far printed, even without an answered trigger.
      const charged = id === "server.output" && chargeable(session);
      const why = notApplicable(id, planTransport(ctx.net));
      outcomes.push(
        why
          ? skipped(id, `skipped over ${planTransport(ctx.net)}: ${why}`)
          : session.recipe || charged
          ? await run()
          : skipped(id, "skipped: the server never answered the trigger"),
      );
    }
    return outcomes;
  } finally {
    await session.kept?.run[Symbol.asyncDispose]();
    session.kept = undefined;
  }
}

/** Whether the forced runs printed something `server.output` fails (a flood, responses no probe caused). */
function chargeable(session: Session): boolean {
  const other = session.other;
  return other.flood !== undefined || other.unterminated !== undefined || other.unsolicited > 0 ||
    other.untimed > 0;
}
