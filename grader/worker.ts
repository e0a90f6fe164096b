/**
 * Grades ONE submission from start to end: copy it to a temporary folder, build both sides, run
 * every check group, score. In the default isolation mode this runs inside the submission's own
 * private network namespace (see `worker_main.ts`); with `--isolation none` it runs in the
 * grader's process on host loopback, where the socket interposer gives the programs the spec's
 * addresses (see `interposed_programs.ts`). Nothing here throws for a student's mistake: every
 * problem becomes a check result, and a fault of the grader itself becomes `error` checks.
 *
 * @module
 */

import { type CheckId, CHECKS, runCheckIds } from "./checks_catalogue.ts";
import type { CheckContext, CheckOutcome, NetPlan } from "./checks/types.ts";
import type { SubmissionResult } from "./result.ts";
import { scoreSubmission } from "./score.ts";
import type { Spec } from "./spec.ts";
import { copySubmission, SubmissionError } from "./submission/workspace.ts";
import { SandboxError } from "./sandbox/errors.ts";
import { hideFromPrograms } from "./sandbox/filesystem.ts";
import { detectPrograms } from "./submission/discover.ts";
import { defaultCacheDir } from "./submission/build_cache.ts";
import {
  buildSubmission,
  type SideBuild,
  type Toolchain,
  useToolchain,
} from "./submission/build.ts";
import { runServerChecks } from "./checks/server_checks.ts";
import { type ClientObservation, runClientChecks } from "./checks/client_checks.ts";
import { runPairCheck } from "./checks/pair_checks.ts";
import { scanForForeignAddresses } from "./host_guard.ts";
import {
  inSpecTerms,
  noteRefusals,
  type ProgramsUnder,
  programsUnder,
  refusalNote,
} from "./interposed_programs.ts";

/** What a worker is asked to do. */
export interface WorkerJob {
  /** The student id. */
  id: string;
  /** The submission folder. */
  path: string;
  /** The assignment. */
  spec: Spec;
  /** Addresses and port for this submission. */
  net: NetPlan;
  /** The compilers and runtimes the parent found (found here when absent). */
  toolchain?: Toolchain;
  /** Use the build cache (default false; `grade()` sets it unless asked not to). */
  cache?: boolean;
  /** The build cache's folder (default: see `submission/build_cache.ts`). */
  cacheDir?: string;
}

const SERVER_IDS = runCheckIds("server");
const CLIENT_IDS = runCheckIds("client");

/** Outcomes with one status and message for each id. */
function same(
  ids: readonly CheckId[],
  status: CheckOutcome["status"],
  message: string,
  evidence: CheckOutcome["evidence"] = {},
): CheckOutcome[] {
  return ids.map((id) => ({ id, status, message, evidence, durationMs: 0 }));
}

/**
 * Runs a check group; a throw is the grader's fault and becomes `error` for the group. A
 * {@linkcode SandboxError} goes on up: the whole submission is graded again by a fresh worker.
 */
async function guarded(
  ids: readonly CheckId[],
  run: () => Promise<CheckOutcome[]>,
): Promise<CheckOutcome[]> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof SandboxError) throw error;
    const why = error instanceof Error ? error.message : String(error);
    return same(
      ids,
      "error",
      `sockgrade could not run this check (${why}); this is not your fault and costs no points.`,
      { error: error instanceof Error ? error.stack ?? why : why },
    );
  }
}

/** The build check of one side. */
function buildOutcome(id: CheckId, side: SideBuild): CheckOutcome {
  return {
    id,
    status: side.ok ? "pass" : side.graderError ? "error" : "fail",
    message: side.message,
    evidence: {
      commands: side.commands.map((argv) => argv.join(" ")),
      compilerOutput: side.output,
      timedOut: side.timedOut,
    },
    durationMs: side.durationMs,
  };
}

/** Why a side's run checks are skipped when it did not build. */
function notBuilt(side: SideBuild, name: "server" | "client"): string {
  return side.skipped
    ? `skipped: no ${name} was submitted`
    : `skipped: the ${name} did not build (see build.${name})`;
}

/**
 * Grades one submission; never throws for anything a submission does. It throws a
 * {@linkcode SandboxError} when the sandbox itself failed, so the caller can retry once.
 */
export async function gradeSubmission(job: WorkerJob): Promise<SubmissionResult> {
  const started = performance.now();
  const { spec, net } = job;
  if (job.toolchain) useToolchain(job.toolchain);
  hideFromPrograms([job.cacheDir ?? defaultCacheDir()]);
  const notes: string[] = [];
  let language = "unknown";
  let outcomes: CheckOutcome[];
  let workspace: Awaited<ReturnType<typeof copySubmission>> | undefined;
  try {
    try {
      workspace = await copySubmission(job.path);
    } catch (error) {
      if (!(error instanceof SubmissionError)) throw error;
      const why = error instanceof Error ? error.message : String(error);
      return finish(job, started, language, notes, [
        ...same(["build.server", "build.client"], "fail", why),
        ...same(
          [...SERVER_IDS, ...CLIENT_IDS, "pair.end-to-end"],
          "skip",
          "skipped: nothing to build",
        ),
      ]);
    }
    notes.push(...workspace.notes);
    const detection = await detectPrograms(workspace.dir);
    const built = await buildSubmission(workspace.dir, detection, {
      timeoutMs: spec.timeouts.buildMs,
      cache: job.cache ?? false,
      ...(job.cacheDir ? { cacheDir: job.cacheDir } : {}),
    });
    language = built.language;
    notes.push(...built.notes);
    outcomes = [
      buildOutcome("build.server", built.server),
      buildOutcome("build.client", built.client),
    ];

    const under = await programsUnder(net, workspace.dir, built);
    const blocked = net.mode === "none" && !net.interposer
      ? await scanForForeignAddresses(workspace.dir)
      : [];
    if (blocked.length > 0) {
      const named = blocked.map((u) => `${u.file} (${u.addresses.join(", ")})`).join("; ");
      const why =
        `sockgrade could not run this check: your code names addresses outside this machine's loopback, ${named}, and without a private network namespace sockgrade cannot map them here (${net.interposerUnavailable}); this is not your fault and costs no points.`;
      notes.push(why);
      outcomes.push(...same([...SERVER_IDS, ...CLIENT_IDS, "pair.end-to-end"], "error", why));
    } else {
      outcomes.push(...inSpecTerms(net, await runChecks(spec, net, under)));
      const refused = refusalNote(under);
      if (refused) notes.push(refused);
    }
  } catch (error) {
    if (error instanceof SandboxError) throw error;
    const why = error instanceof Error ? error.message : String(error);
    outcomes = same(
      CHECKS.map((c) => c.id),
      "error",
      `sockgrade could not grade this submission (${why}); this is not your fault.`,
      { error: error instanceof Error ? error.stack ?? why : why },
    );
  } finally {
    await workspace?.cleanup();
  }
  return finish(job, started, language, notes, outcomes);
}

/**
 * The run checks: server, client, then the pair. A side the socket interposer cannot cover is
 * `error` (with the reason, never charged); what the interposer refused is named in the checks
 * of the group during which it happened.
 */
async function runChecks(spec: Spec, net: NetPlan, under: ProgramsUnder): Promise<CheckOutcome[]> {
  const ctx: CheckContext = { spec, net, server: under.server, client: under.client };
  // What the client really sent: the pair check expects one response per sent trigger.
  const observed: ClientObservation = {};
  const uncovered = (ids: readonly CheckId[], why: string) =>
    same(
      ids,
      "error",
      `sockgrade could not run this check here: ${why}, and there is no private network namespace here; this is not your fault and costs no points.`,
    );
  const server = under.serverUncovered
    ? uncovered(SERVER_IDS, under.serverUncovered)
    : ctx.server
    ? await noteRefusals(under, await guarded(SERVER_IDS, () => runServerChecks(ctx)))
    : same(SERVER_IDS, "skip", notBuilt(under.built.server, "server"));
  const client = under.clientUncovered
    ? uncovered(CLIENT_IDS, under.clientUncovered)
    : ctx.client
    ? await noteRefusals(under, await guarded(CLIENT_IDS, () => runClientChecks(ctx, observed)))
    : same(CLIENT_IDS, "skip", notBuilt(under.built.client, "client"));
  const serverStarted = server.find((o) => o.id === "server.starts")?.status;
  const uncoveredSide = under.serverUncovered ?? under.clientUncovered;
  const pair = !ctx.server || !ctx.client
    ? same(["pair.end-to-end"], "skip", "skipped: both programs are needed")
    : uncoveredSide
    ? uncovered(["pair.end-to-end"], uncoveredSide)
    : serverStarted === "fail" || serverStarted === "skip"
    ? same(["pair.end-to-end"], "skip", "skipped: the server did not start (see server.starts)")
    : await noteRefusals(
      under,
      await guarded(["pair.end-to-end"], async () => [
        await runPairCheck({ ...ctx, clientSent: observed.sent }),
      ]),
    );
  return [...server, ...client, ...pair];
}

/** Scores the outcomes into the submission's result. */
function finish(
  job: WorkerJob,
  started: number,
  language: string,
  notes: string[],
  outcomes: CheckOutcome[],
): SubmissionResult {
  const scored = scoreSubmission(outcomes, job.spec);
  return {
    id: job.id,
    path: job.path,
    language,
    score: scored.score,
    maxScore: scored.maxScore,
    durationMs: Math.round(performance.now() - started),
    isolation: job.net.mode,
    ...(notes.length ? { notes } : {}),
    checks: scored.checks,
  };
}
