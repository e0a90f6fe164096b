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

import { dirname } from "node:path";
import { type CheckId, CHECKS } from "../checks/catalogue.ts";
import type { CheckContext, CheckOutcome } from "../checks/types.ts";
import type { NetPlan } from "../sandbox/net_plan.ts";
import type { SubmissionResult } from "../result.ts";
import { scoreSubmission } from "../score.ts";
import type { Spec } from "../spec.ts";
import { copySubmission, SubmissionError } from "../submission/workspace.ts";
import { SandboxError } from "../sandbox/errors.ts";
import { hideFromPrograms } from "../sandbox/filesystem.ts";
import { trustPrograms } from "../sandbox/environment.ts";
import { type Detection, detectPrograms } from "../submission/discover.ts";
import { defaultCacheDir } from "../submission/build_cache.ts";
import type { SideBuild } from "../submission/build_outcome.ts";
import { buildSubmission, type Toolchain, toolchain, useToolchain } from "../submission/build.ts";
import { RUN_IDS, runChecks, sameOutcome } from "../checks/mod.ts";
import { scanForForeignAddresses } from "../sandbox/host_guard.ts";
import { withSocketFolder } from "./socket_folder.ts";
import { socketFolderMoved } from "../probes/socket_folder_guard.ts";
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
  /**
   * The code is trusted (`--trusted-code`, the bundled samples): run it even where the sandbox
   * cannot contain it (`sandbox/environment.ts`).
   */
  trusted?: boolean;
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

/** What a worker in a private namespace gives {@linkcode gradeSubmission}. */
export interface GradeSubmissionOptions {
  /**
   * Moves the worker into a fresh network namespace with the job's addresses on `lo` (see
   * `checks/mod.ts` `RunChecksOptions.freshNetwork`); used only over IP transports in `netns`
   * mode, where it lets the client checks overlap `server.output`'s quiet watch.
   */
  freshNetwork?: () => Promise<boolean>;
}

/**
 * Grades one submission; never throws for anything a submission does. It throws a
 * {@linkcode SandboxError} when the sandbox itself failed, so the caller can retry once.
 */
export async function gradeSubmission(
  job: WorkerJob,
  options: GradeSubmissionOptions = {},
): Promise<SubmissionResult> {
  const started = performance.now();
  const { spec } = job;
  let net = job.net;
  if (job.toolchain) useToolchain(job.toolchain);
  if (job.trusted) trustPrograms();
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
        ...sameOutcome(["build.server", "build.client"], "fail", why),
        ...sameOutcome(
          RUN_IDS,
          "skip",
          "skipped: nothing to build",
        ),
      ]);
    }
    notes.push(...workspace.notes);
    // Before any program runs: in E3 the copy is handed to its user with the folder in it.
    net = await withSocketFolder(net, spec, workspace.dir);
    const detection = await detectPrograms(workspace.dir);
    const built = await buildSubmission(workspace.dir, detection, {
      timeoutMs: spec.timeouts.buildMs,
      cache: job.cache ?? false,
      ...(job.cacheDir ? { cacheDir: job.cacheDir } : {}),
      // Trusted code (sockgrade's own reference) may use the grader's Deno cache, offline.
      ...(job.trusted ? { env: { DENO_DIR: (await toolchain()).denoDir } } : {}),
    });
    language = built.language;
    notes.push(...built.notes);
    outcomes = [
      buildOutcome("build.server", built.server),
      buildOutcome("build.client", built.client),
    ];

    const under = await programsUnder(net, workspace.dir, built);
    // Unix-domain transports use no address: nothing to map.
    const blocked = net.mode === "none" && !net.interposer && !net.paths
      ? await scanForForeignAddresses(workspace.dir)
      : [];
    if (blocked.length > 0) {
      const named = blocked.map((u) => `${u.file} (${u.addresses.join(", ")})`).join("; ");
      const why =
        `sockgrade could not run this check: your code names addresses outside this machine's loopback, ${named}, and without a private network namespace sockgrade cannot map them here (${net.interposerUnavailable}); this is not your fault and costs no points.`;
      notes.push(why);
      outcomes.push(...sameOutcome(RUN_IDS, "error", why));
    } else {
      const fresh = net.mode === "netns" && !net.paths ? options.freshNetwork : undefined;
      const ran = inSpecTerms(
        net,
        await runSubmissionChecks(spec, net, under, detection, fresh),
      );
      outcomes.push(...(net.paths ? socketFolderVerdict(net.paths.serverPath, ran) : ran));
      const refused = refusalNote(under);
      if (refused) notes.push(refused);
    }
  } catch (error) {
    if (error instanceof SandboxError) throw error;
    const why = error instanceof Error ? error.message : String(error);
    outcomes = sameOutcome(
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
 * The run checks (`checks/mod.ts`): a side the socket interposer cannot cover is `error` (with
 * the reason, never charged); what the interposer refused is named in the checks of the group
 * during which it happened.
 */
function runSubmissionChecks(
  spec: Spec,
  net: NetPlan,
  under: ProgramsUnder,
  detection: Detection,
  freshNetwork: (() => Promise<boolean>) | undefined,
): Promise<CheckOutcome[]> {
  // Each plan carries how its program was made, so that hints speak its language.
  const ctx: CheckContext = {
    spec,
    net,
    server: under.server && { ...under.server, kind: detection.server?.kind },
    client: under.client && { ...under.client, kind: detection.client?.kind },
  };
  return runChecks(ctx, {
    server: {
      uncovered: under.serverUncovered,
      skipped: notBuilt(under.built.server, "server"),
    },
    client: {
      uncovered: under.clientUncovered,
      skipped: notBuilt(under.built.client, "client"),
    },
    annotate: (outcomes) => noteRefusals(under, outcomes),
    ...(freshNetwork ? { freshNetwork } : {}),
  });
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

/**
 * The run checks' outcomes when the submission's programs moved the socket folder (or made it a
 * link): every check that ran fails, since what it saw may be what the move disturbed (a check
 * that does not apply to the transport stays `skip`); otherwise `outcomes` as they are.
 */
function socketFolderVerdict(serverPath: string, outcomes: CheckOutcome[]): CheckOutcome[] {
  const folder = dirname(serverPath);
  if (!socketFolderMoved(folder)) return outcomes;
  const message =
    `your programs moved or replaced sockgrade's socket folder ${folder} (or made it a link), so what they did over its sockets cannot be graded: bind and connect to the paths you are given, and leave their folder alone`;
  return outcomes.map((o) =>
    o.status === "skip"
      ? o
      : { id: o.id, status: "fail", message, evidence: {}, durationMs: o.durationMs }
  );
}
