/**
 * The check pipeline: which check groups run, in which order, and what a group gets when it
 * cannot run. The server checks run first, then the client checks, then the pair check, which
 * needs both programs, a server that listened, and the messages the client really sent.
 *
 * A side without a program is `skip` with the reason its caller gives (not submitted, did not
 * build); a side the grader cannot cover here is `error` with that reason, never charged; a
 * group that throws is the grader's fault and becomes `error` for the group, except a
 * {@linkcode SandboxError}, which goes on up so the whole submission is graded again. A check that
 * does not apply to the spec's transport (the catalogue's `transports` column) is `skip` with
 * the catalogue's reason.
 *
 * Where the caller can give the grader a fresh network namespace (`freshNetwork`), the client
 * checks do not wait for `server.output`'s quiet watch: they begin in the new namespace once the
 * watch is under way and its unforced run is over (see `server/output.ts`), and the pair check
 * after both groups. Otherwise the groups run one after the other.
 *
 * @module
 */

import { type CheckId, notApplicable, runCheckIds } from "./catalogue.ts";
import { planTransport } from "../probes/endpoints.ts";
import type { CheckContext, CheckOutcome } from "./types.ts";
import { SandboxError } from "../sandbox/errors.ts";
import { runServerChecks } from "./server_checks.ts";
import { overlapQuietWatch } from "./server/output.ts";
import { type ClientObservation, runClientChecks } from "./client/mod.ts";
import { runPairCheck } from "./pair_checks.ts";

/** The checks that run the server, in report order. */
export const SERVER_RUN_IDS: readonly CheckId[] = runCheckIds("server");
/** The checks that run the client, in report order. */
export const CLIENT_RUN_IDS: readonly CheckId[] = runCheckIds("client");
/** The checks that run the submission's programs: server, client, pair. */
export const RUN_IDS: readonly CheckId[] = [
  ...SERVER_RUN_IDS,
  ...CLIENT_RUN_IDS,
  "pair.end-to-end",
];

/** Outcomes with one status and message for each id. */
export function sameOutcome(
  ids: readonly CheckId[],
  status: CheckOutcome["status"],
  message: string,
  evidence: CheckOutcome["evidence"] = {},
): CheckOutcome[] {
  return ids.map((id) => ({ id, status, message, evidence, durationMs: 0 }));
}

/** Runs a check group; a throw (but a {@linkcode SandboxError}) becomes `error` for the group. */
async function guarded(
  ids: readonly CheckId[],
  run: () => Promise<CheckOutcome[]>,
): Promise<CheckOutcome[]> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof SandboxError) throw error;
    const why = error instanceof Error ? error.message : String(error);
    return sameOutcome(
      ids,
      "error",
      `sockgrade could not run this check (${why}); this is not your fault and costs no points.`,
      { error: error instanceof Error ? error.stack ?? why : why },
    );
  }
}

/** Why one side's checks cannot run, when they cannot. */
export interface SideUnavailable {
  /** The side has no program to run (`skip`): e.g. "skipped: no server was submitted". */
  skipped?: string;
  /** The grader cannot run this side's program here (`error`, never charged): the reason. */
  uncovered?: string;
}

/** What {@linkcode runChecks} needs besides the context. */
export interface RunChecksOptions {
  /** Why the server's checks cannot run (when `ctx.server` is unset or it is uncovered). */
  server?: SideUnavailable;
  /** Why the client's checks cannot run (when `ctx.client` is unset or it is uncovered). */
  client?: SideUnavailable;
  /** Runs after each group that ran, to add what happened around it (e.g. refused addresses). */
  annotate?: (outcomes: CheckOutcome[]) => Promise<CheckOutcome[]>;
  /**
   * Moves the grader into a fresh network namespace set up like the current one (the same
   * addresses), where programs started from then on cannot meet the ones still running in the
   * old one; false when it could not (nothing changed), a {@linkcode SandboxError} when it failed
   * half-way. Give it only in a private namespace over an IP transport (a Unix socket path lives
   * in the filesystem, which a namespace does not separate). It lets the client checks overlap
   * `server.output`'s quiet watch.
   */
  freshNetwork?: () => Promise<boolean>;
}

/**
 * Runs every check that runs the submission's programs, in report order: the server group, the
 * client group, then the pair check, with the skip and error rules of this module.
 */
export async function runChecks(
  ctx: CheckContext,
  options: RunChecksOptions = {},
): Promise<CheckOutcome[]> {
  const annotate = options.annotate ?? ((outcomes) => Promise.resolve(outcomes));
  const uncovered = (ids: readonly CheckId[], why: string) =>
    sameOutcome(
      ids,
      "error",
      `sockgrade could not run this check here: ${why}, and there is no private network namespace here; this is not your fault and costs no points.`,
    );
  const group = async (
    ids: readonly CheckId[],
    side: SideUnavailable | undefined,
    present: boolean,
    run: () => Promise<CheckOutcome[]>,
  ) =>
    side?.uncovered
      ? uncovered(ids, side.uncovered)
      : present
      ? await annotate(await guarded(ids, run))
      : sameOutcome(ids, "skip", side?.skipped ?? "skipped: there is no program to run");
  // What the client really sent: the pair check expects one response per sent trigger.
  const observed: ClientObservation = {};
  const uncoveredSide = options.server?.uncovered ?? options.client?.uncovered;
  // The server listened (perhaps on another port, or in the background: server.starts failed,
  // the other checks ran) unless every check after server.starts was skipped.
  const pairCheck = async (listened: boolean) =>
    !ctx.server || !ctx.client
      ? sameOutcome(["pair.end-to-end"], "skip", "skipped: both programs are needed")
      : uncoveredSide
      ? uncovered(["pair.end-to-end"], uncoveredSide)
      : !listened
      ? sameOutcome(
        ["pair.end-to-end"],
        "skip",
        "skipped: the server did not listen (see server.starts)",
      )
      : await annotate(
        await guarded(["pair.end-to-end"], async () => [
          await runPairCheck({ ...ctx, clientSent: observed.sent }),
        ]),
      );
  // The client checks start when the server group is over, or once server.output's watch is
  // under way in the old namespace (the grader has moved to a fresh one), and then the pair
  // check after them: the watch ran, so server.trigger was answered and the server listened.
  let moved = false;
  let released = () => {};
  const release = new Promise<void>((resolve) => released = resolve);
  const leave = options.freshNetwork;
  const overlapping = leave && ctx.server && ctx.client && !uncoveredSide
    ? overlapQuietWatch(ctx.net, {
      leave,
      release: () => {
        moved = true;
        released();
      },
    })
    : undefined;
  let server: CheckOutcome[];
  let client: CheckOutcome[];
  let pair: CheckOutcome[] | undefined;
  try {
    const serverGroup = group(
      SERVER_RUN_IDS,
      options.server,
      ctx.server !== undefined,
      () => runServerChecks(ctx),
    );
    let failed: { reason: unknown } | undefined;
    await Promise.race([release, serverGroup.then(() => {}, (reason) => failed = { reason })]);
    // The sandbox failed (the only throw `group` lets through): the submission is graded again.
    if (failed) throw failed.reason;
    const clientGroup = group(
      CLIENT_RUN_IDS,
      options.client,
      ctx.client !== undefined,
      () => runClientChecks(ctx, observed),
    );
    const early = moved ? clientGroup.then(() => pairCheck(true)) : Promise.resolve(undefined);
    // Every group ends before a failure of any goes on up: no program is left running.
    const [s, c, p] = await Promise.allSettled([serverGroup, clientGroup, early]);
    if (s.status === "rejected") throw s.reason;
    if (c.status === "rejected") throw c.reason;
    if (p.status === "rejected") throw p.reason;
    [server, client, pair] = [s.value, c.value, p.value];
  } finally {
    overlapping?.();
  }
  pair ??= await pairCheck(
    server.some((o) => o.id === "server.trigger" && o.status !== "skip"),
  );
  return notApplicableSkipped(ctx, [...server, ...client, ...pair]);
}

/**
 * The outcomes with every check that does not apply to the plan's transport (the catalogue's
 * `transports` column) as `skip`, with the reason; its points leave the maximum (`score.ts`).
 */
function notApplicableSkipped(ctx: CheckContext, outcomes: CheckOutcome[]): CheckOutcome[] {
  const transport = planTransport(ctx.net);
  return outcomes.map((o) => {
    const why = notApplicable(o.id, transport);
    return why
      ? {
        id: o.id,
        status: "skip",
        message: `skipped over ${transport}: ${why}`,
        evidence: {},
        durationMs: 0,
      }
      : o;
  });
}
