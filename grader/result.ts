/**
 * The result schema `sockgrade/result@1` (EXERCISE.md §5): what grading one submission, and a
 * whole run, produces. Every report format (table, JSON, JUnit, CSV, Gradescope, PrairieLearn,
 * HTML) is made from these types alone.
 *
 * {@linkcode gradeResultSchema} is the same schema in zod, from which the published JSON Schema
 * (`docs/result.schema.json`, `deno task schemas`) is made; `tests/schemas_test.ts` checks that
 * it and the types below agree. In the JSON Schema, objects allow fields they do not list (zod's
 * input view of `z.object`), so that result@1 can be extended without breaking its readers.
 *
 * @module
 */

import { z } from "zod";
import { CHECK_IDS, type CheckId } from "./checks/catalogue.ts";
import { type Spec, specSchema } from "./spec.ts";

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
  /** Bytes or text, escaped for display (see grader/text/bytes.ts). */
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

/**
 * The grading run a submission's grade came from, recorded by `merge` (and by a regrade, which
 * merges): absent in a result written by one `grade` run, whose own `startedAt` and `shard` say it.
 */
export interface SubmissionRun {
  /** ISO time that run began. */
  startedAt: string;
  /** The result file it was merged from, as named on the command line; absent for a fresh run. */
  file?: string;
  /** `I/N` when that run was one shard of a class. */
  shard?: string;
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
  /** Which run graded it, in a merged result (see {@linkcode SubmissionRun}). */
  run?: SubmissionRun;
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

/** A stretch of lines of one source file of a submission (copy detection). */
export interface SourceRegion {
  /** The file, relative to the submission, with `/`. */
  file: string;
  /** The first line (1-based). */
  startLine: number;
  /** The last line (inclusive). */
  endLine: number;
  /** The lines themselves, as written (cut after a few dozen lines). */
  text: string;
}

/** A region of one submission and the region of the other that matches it. */
export interface MatchingRegion {
  /** In the first submission of the pair. */
  a: SourceRegion;
  /** In the second. */
  b: SourceRegion;
  /** How many fingerprints the two regions share. */
  fingerprints: number;
}

/** Two submissions whose code is more alike than the threshold: an alert, never a grade. */
export interface SimilarPair {
  /** The first submission's id. */
  a: string;
  /** The second submission's id. */
  b: string;
  /** The larger of the two shares below: what is compared with the threshold. */
  similarity: number;
  /** The share of a's fingerprints that b has too, outside the base code. */
  shareOfA: number;
  /** The share of b's fingerprints that a has too, outside the base code. */
  shareOfB: number;
  /** How many fingerprints they share (the base's not counted). */
  sharedFingerprints: number;
  /** The largest matching regions, side by side, in a's order. */
  regions: MatchingRegion[];
}

/** What copy detection saw of one submission. */
export interface SubmissionFingerprints {
  /** The student id. */
  id: string;
  /** The source files compared. */
  files: string[];
  /** Distinct fingerprints of its code. */
  fingerprints: number;
  /** The share of them found in the base code (the article's example, a teacher's starter code). */
  baseShare: number;
}

/**
 * Copy detection across the run (README "Copy detection"): token fingerprints of each
 * submission's sources (winnowing, as MOSS does), pairs above a threshold, and submissions that
 * are mostly the base code. An alert for the teacher: it never changes a score.
 */
export interface SimilarityReport {
  /** How the code was compared, in one sentence. */
  method: string;
  /** Tokens per hashed run. */
  k: number;
  /** Hashes per winnowing window. */
  window: number;
  /** Pairs whose similarity reaches this are listed. */
  threshold: number;
  /** Submissions whose base share reaches this are listed as mostly base code. */
  baseThreshold: number;
  /** What the base code is (the article's example code, and starter code if given). */
  base: string[];
  /** Every submission compared, in the order given. */
  submissions: SubmissionFingerprints[];
  /** Ids of the submissions that are mostly base code. */
  mostlyBase: string[];
  /** Pairs at or above the threshold, most similar first. */
  pairs: SimilarPair[];
  /** Remarks (files left out, submissions without sources, a sharded run compared in part). */
  notes: string[];
  /** How long the comparison took. */
  durationMs: number;
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
  /** Copy detection across the run; absent when it was turned off (`--no-similarity`). */
  similarity?: SimilarityReport;
}

const eventSchema = z.object({
  atMs: z.number().describe("Milliseconds since the exchange began."),
  actor: z.enum(["probe", "capture", "server", "client", "grader"]).describe("Who acted."),
  kind: z.enum([
    "start",
    "connect",
    "refused",
    "send",
    "receive",
    "close",
    "reset",
    "stdout",
    "stderr",
    "exit",
    "timeout",
    "note",
  ]).describe("What happened (close = FIN, reset = RST)."),
  connection: z.string().optional().describe('The connection\'s label, e.g. "conn 1".'),
  from: z.string().optional().describe("Source address:port, when known."),
  to: z.string().optional().describe("Destination address:port, when known."),
  data: z.string().optional().describe("Bytes or text, escaped for display (\\n \\r \\0 \\xNN)."),
  size: z.number().int().optional().describe("The byte count behind data (which may be cut)."),
});

const exchangeSchema = z.object({
  label: z.string().describe("What this exchange tried."),
  events: z.array(eventSchema).describe("Its events in time order."),
});

const evidenceSchema = z.object({
  exchanges: z.array(exchangeSchema).optional().describe("What was sent and what came back."),
  stdout: z.string().optional().describe("Captured standard output (escaped, head and tail)."),
  stderr: z.string().optional().describe("Captured standard error (escaped, head and tail)."),
}).catchall(z.unknown()).describe("What the check saw; further fields vary by check.");

const isolationSchema = z.enum(["netns", "none"]);

const checkResultSchema = z.object({
  id: z.enum(CHECK_IDS).describe("The stable check id."),
  status: z.enum(["pass", "fail", "warn", "skip", "error"]).describe(
    "pass; fail; warn (passed with a remark); skip (not reached or not applicable); error (the grader's fault, never charged).",
  ),
  points: z.number().describe("Points earned."),
  maxPoints: z.number().describe("Points possible."),
  message: z.string().describe("One line a student can act on."),
  hint: z.string().optional().describe("How to fix it."),
  evidence: evidenceSchema,
  durationMs: z.number().describe("How long the check took."),
});

const submissionResultSchema = z.object({
  id: z.string().describe("The student id (from the folder or file name)."),
  path: z.string().describe("The submission's path as given."),
  language: z.string().describe("The language detected: c, cpp, python, java, typescript, ..."),
  score: z.number().describe("Points earned."),
  maxScore: z.number().describe("Points possible."),
  durationMs: z.number().describe("Wall time to grade it."),
  isolation: isolationSchema.optional().describe("How its programs were networked."),
  notes: z.array(z.string()).optional().describe("Remarks about the submission as a whole."),
  run: z.object({
    startedAt: z.string().describe("ISO time that run began."),
    file: z.string().optional().describe("The result file it was merged from."),
    shard: z.string().regex(/^\d+\/\d+$/).optional().describe("I/N when that run was a shard."),
  }).optional().describe("In a merged result: the run this grade came from."),
  checks: z.array(checkResultSchema).describe("Every check, in catalogue order."),
});

const sourceRegionSchema = z.object({
  file: z.string().describe("The file, relative to the submission."),
  startLine: z.number().int().describe("The first line (1-based)."),
  endLine: z.number().int().describe("The last line (inclusive)."),
  text: z.string().describe("The lines as written (cut after a few dozen lines)."),
});

const similaritySchema = z.object({
  method: z.string().describe("How the code was compared."),
  k: z.number().int().describe("Tokens per hashed run."),
  window: z.number().int().describe("Hashes per winnowing window."),
  threshold: z.number().describe("Pairs whose similarity reaches this are listed."),
  baseThreshold: z.number().describe("Base share from which a submission is mostly base code."),
  base: z.array(z.string()).describe("What the base code is."),
  submissions: z.array(z.object({
    id: z.string().describe("The student id."),
    files: z.array(z.string()).describe("The source files compared."),
    fingerprints: z.number().int().describe("Distinct fingerprints of its code."),
    baseShare: z.number().describe("The share of them found in the base code."),
  })).describe("Every submission compared."),
  mostlyBase: z.array(z.string()).describe("Ids of the submissions that are mostly base code."),
  pairs: z.array(z.object({
    a: z.string().describe("The first submission's id."),
    b: z.string().describe("The second submission's id."),
    similarity: z.number().describe("The larger of shareOfA and shareOfB."),
    shareOfA: z.number().describe("The share of a's fingerprints that b has too, base excluded."),
    shareOfB: z.number().describe("The share of b's fingerprints that a has too, base excluded."),
    sharedFingerprints: z.number().int().describe("Fingerprints shared, the base's not counted."),
    regions: z.array(z.object({
      a: sourceRegionSchema,
      b: sourceRegionSchema,
      fingerprints: z.number().int().describe("Fingerprints the two regions share."),
    })).describe("The largest matching regions, side by side."),
  })).describe("Pairs at or above the threshold, most similar first."),
  notes: z.array(z.string()).describe("Remarks about what was compared."),
  durationMs: z.number().describe("How long the comparison took."),
}).describe("Copy detection: an alert for the teacher, never a grade.");

/** The zod schema of `sockgrade/result@1`: what `--json` writes ({@linkcode GradeResult}). */
export const gradeResultSchema = z.object({
  schema: z.literal(RESULT_SCHEMA),
  spec: specSchema.describe("The spec used, every field filled in."),
  isolation: isolationSchema.describe("The isolation mode used (EXERCISE.md section 4)."),
  isolationReason: z.string().optional().describe("Why this mode."),
  environment: z.object({
    id: z.enum(["E1", "E2", "E3", "E4"]).describe("The environment of EXERCISE.md section 4a."),
    description: z.string().describe("What it is and how programs were contained in it."),
    lacks: z.array(z.string()).describe("What it lacks that a complete E1 has."),
    unsandboxed: z.boolean().describe(
      "True when programs ran without containment because the code was trusted.",
    ),
  }).optional().describe("The containment environment the run found."),
  startedAt: z.string().describe("ISO time the run began."),
  durationMs: z.number().describe("Wall time of the whole run."),
  shard: z.string().regex(/^\d+\/\d+$/).optional().describe("I/N for one slice of a sharded run."),
  submissions: z.array(submissionResultSchema).describe("One entry per submission."),
  similarity: similaritySchema.optional(),
});
