/**
 * What a check function receives and returns. Check modules (server, client, pair) produce
 * outcomes; `grader/score.ts` turns them into scored `CheckResult`s using the spec's rubric.
 *
 * @module
 */

import type { CheckId } from "./catalogue.ts";
import type { CheckStatus, Evidence } from "../result.ts";
import type { Spec } from "../spec.ts";
import type { NetPlan } from "../sandbox/net_plan.ts";
import type { ProgramPlan } from "../submission/build_outcome.ts";

export type { ProgramPlan } from "../submission/build_outcome.ts";

/** Everything a check needs. */
export interface CheckContext {
  /** The assignment. */
  spec: Spec;
  /** Addresses and port. */
  net: NetPlan;
  /** The built server, when it built. */
  server?: ProgramPlan;
  /** The built client, when it built. */
  client?: ProgramPlan;
  /**
   * The messages the client sent in the `client.messages` run, framed as the spec says (cut at
   * `\n`, a `\r` before it dropped, or at the connection's close), over all its connections in
   * order; `[]` when it connected to nothing or sent nothing. The worker passes what
   * `runClientChecks` observed (`ClientObservation.sent`) to the pair check, which counts the
   * sent messages that equal the trigger. Unset (client checks not run, or the client could not
   * be started): the pair check counts the spec's messages instead.
   */
  clientSent?: string[];
}

/** What a check decided, before points are applied. */
export interface CheckOutcome {
  /** The stable id. */
  id: CheckId;
  /** Its status. */
  status: CheckStatus;
  /** One line a student can act on. */
  message: string;
  /** How to fix it, when there is something to say. */
  hint?: string;
  /**
   * The share of the points earned: for `warn` (default 1 = full points), and for `fail` when
   * some of the check's cases passed (partial points; default 0).
   */
  fraction?: number;
  /** What was sent, what came back, timings. */
  evidence: Evidence;
  /** How long the check took. */
  durationMs: number;
}
