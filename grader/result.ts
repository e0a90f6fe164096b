/**
 * The result schema `sockgrade/result@1` (EXERCISE.md §5): what grading one submission, and a
 * whole run, produces. Every report format (table, JSON, JUnit, CSV, Gradescope, PrairieLearn,
 * HTML) is made from these types alone.
 *
 * @module
 */

import type { CheckId } from "./checks_catalogue.ts";
import type { Spec } from "./spec.ts";

/** The schema id written into every JSON result. */
export const RESULT_SCHEMA = "sockgrade/result@1";

/**
 * A check's outcome: `pass`; `fail`; `warn` (passed with a remark, full or partial points);
 * `skip` (a check it depends on failed, or it cannot run here, with the reason); `error` (the
 * grader itself could not run it: never charged to the student).
 */
export type CheckStatus = "pass" | "fail" | "warn" | "skip" | "error";

/** How the submission's programs were networked (EXERCISE.md §4). */
export type IsolationMode = "netns" | "none";

/** Who did something in an exchange. */
export type Actor = "probe" | "capture" | "server" | "client" | "grader";

/**
 * One event of an exchange, in time order: the evidence behind a check and the material of the
 * HTML report's sequence diagrams.
 */
export interface ExchangeEvent {
  /** Milliseconds since the exchange began. */
  atMs: number;
  /** Who acted. */
  actor: Actor;
  /**
   * What happened: a connection opened, refused or ended (`close` = FIN, `reset` = RST), bytes
   * sent or received, a line the program printed, a program starting or exiting, a timeout.
   */
  kind:
    | "start"
    | "connect"
    | "refused"
    | "send"
    | "receive"
    | "close"
    | "reset"
    | "stdout"
    | "stderr"
    | "exit"
    | "timeout"
    | "note";
  /** A connection's label, e.g. "conn 1", when the event belongs to one. */
  connection?: string;
  /** Source address:port, when known. */
  from?: string;
  /** Destination address:port, when known. */
  to?: string;
  /** Bytes or text, escaped for display (see grader/bytes.ts). */
  data?: string;
  /** The byte count behind `data` (which may be cut). */
  size?: number;
}

/** A labelled sequence of events, e.g. "trigger from 192.168.100.2". */
export interface Exchange {
  /** What this exchange tried. */
  label: string;
  /** Its events in time order. */
  events: ExchangeEvent[];
}

/** What a check saw: free-form fields plus, usually, exchanges and captured output. */
export interface Evidence {
  /** Step-by-step record of what was sent and what came back. */
  exchanges?: Exchange[];
  /** Captured standard output (escaped, cut to head and tail). */
  stdout?: string;
  /** Captured standard error (escaped, cut to head and tail). */
  stderr?: string;
  /** Anything else worth showing (commands, exit codes, ports, compiler output, timings). */
  [key: string]: unknown;
}

/** The result of one check. */
export interface CheckResult {
  /** The stable check id. */
  id: CheckId;
  /** Its outcome. */
  status: CheckStatus;
  /** Points earned. */
  points: number;
  /** Points possible. */
  maxPoints: number;
  /** One line a student can act on. */
  message: string;
  /** An optional further hint (how to fix it). */
  hint?: string;
  /** What was sent, what came back, timings. */
  evidence: Evidence;
  /** How long the check took. */
  durationMs: number;
}

/** The result of grading one submission. */
export interface SubmissionResult {
  /** The student id (from the folder or file name). */
  id: string;
  /** The submission's path as given. */
  path: string;
  /** The language detected, e.g. `c`, `python`, `java`, `typescript`, `mixed`, `unknown`. */
  language: string;
  /** Points earned. */
  score: number;
  /** Points possible. */
  maxScore: number;
  /** Wall time to grade it. */
  durationMs: number;
  /** How its programs were networked. */
  isolation?: IsolationMode;
  /** Remarks about the submission as a whole (e.g. a symlink that was not followed). */
  notes?: string[];
  /** Every check, in catalogue order. */
  checks: CheckResult[];
}

/** Where a run's programs ran (`GradeResult.environment`; see README "How isolation works"). */
export interface RunEnvironment {
  /** `E1` … `E4` (EXERCISE.md §4a). */
  id: "E1" | "E2" | "E3" | "E4";
  /** One sentence: what the environment is and how programs were contained in it. */
  description: string;
  /** What it lacks that a complete E1 has (empty when nothing). */
  lacks: string[];
  /**
   * True when programs ran without the containment untrusted code needs, because the user said
   * the code is trusted (`--trusted-code`, or sockgrade's own bundled samples).
   */
  unsandboxed: boolean;
}

/** The result of a grading run: `sockgrade/result@1`. */
export interface GradeResult {
  /** Always {@linkcode RESULT_SCHEMA}. */
  schema: typeof RESULT_SCHEMA;
  /** The spec used. */
  spec: Spec;
  /** The isolation mode used. */
  isolation: IsolationMode;
  /** Why this mode (e.g. why namespaces could not be made). */
  isolationReason?: string;
  /**
   * The containment environment of EXERCISE.md §4a the run found (E1–E4) and what it lacks;
   * absent in results written before it was recorded.
   */
  environment?: RunEnvironment;
  /** ISO time the run began. */
  startedAt: string;
  /** Wall time of the whole run. */
  durationMs: number;
  /** Present when this is one slice of a sharded run: `I/N`. */
  shard?: string;
  /** One entry per submission, in the order given. */
  submissions: SubmissionResult[];
}
