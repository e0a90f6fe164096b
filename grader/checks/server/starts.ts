/**
 * `server.starts`: starts the server, waits until its process tree listens, and connects once from
 * the allowed client address. Where the server really listens becomes the session's target; a
 * server that listens is kept for `server.trigger`.
 *
 * ## Policy
 *
 * `server.starts` fails when nothing listens within `startMs`, when the server exits first (its
 * exit status and first stderr line are quoted), or when a connection to where it listens fails
 * (e.g. it exited right after listening, as a server that daemonizes does): then every other
 * server check is `skip`. It also fails when the server listens somewhere else than
 * `serverAddress:port` (another port, or only one other address): the other checks then run
 * against where it really listens, and each says so.
 *
 * @module
 */

import { escapeText } from "../../bytes.ts";
import {
  connectProbe,
  ExchangeRecorder,
  formatAddress,
  ProbeConnectError,
} from "../../probes/probe_client.ts";
import type { ExitInfo } from "../../sandbox/process.ts";
import { describeExit, isWildcard, ServerRun } from "../server_program.ts";
import type { CheckOutcome } from "../types.ts";
import { heldPortVerdict, keeps, notReadyWords, outputNotes, type Verdict } from "./_run_check.ts";
import { type Session, tallyOutput } from "./_session.ts";

/** `server.starts` (see the module doc) on a server started here. */
export async function checkStarts(session: Session): Promise<CheckOutcome> {
  const { net, spec } = session;
  const t0 = performance.now();
  const run = new ServerRun(spec, net, session.plan, { forced: true, label: "server.starts" });
  try {
    return await startsOutcome(session, run, t0);
  } finally {
    if (!keeps(session, run)) await run[Symbol.asyncDispose]();
  }
}

/** `server.starts` on its server; keeps the server for `server.trigger` when it listens. */
async function startsOutcome(session: Session, run: ServerRun, t0: number): Promise<CheckOutcome> {
  const { net, spec } = session;
  const ready = await run.waitReady(spec.timeouts.startMs);
  const rec = new ExchangeRecorder("start the server", run.program.startedAt);
  rec.add(
    { actor: "server", kind: "start", data: escapeText(run.argv.join(" ")) },
    run.program.startedAt,
  );
  let verdict: Verdict;
  const held = ready.state === "listening" ? undefined : await heldPortVerdict(run);
  if (held) {
    run.recordOutput(rec);
    verdict = held;
  } else if (ready.state !== "listening") {
    run.recordOutput(rec);
    rec.add({
      actor: "grader",
      kind: ready.state === "exited" ? "note" : "timeout",
      data: notReadyWords(session, run, ready),
    });
    verdict = {
      status: "fail",
      message: ready.state === "exited"
        ? `your server ${notReadyWords(session, run, ready).replace(/^it /, "")}`
        : `your server did not listen: ${notReadyWords(session, run, ready)}`,
      hint: ready.state === "exited"
        ? "Run it by hand with the same arguments and read its error; check socket(), bind() and listen() return values."
        : `It must listen on the port given as its second argument (here ${net.port}): bind() then listen().`,
      evidence: { readyAfterMs: ready.afterMs },
    };
  } else {
    const host = isWildcard(ready.address) ? net.serverAddress : ready.address;
    session.target = { host, port: ready.port };
    session.listening = true;
    const where = formatAddress(ready.address, ready.port);
    rec.note(`listening on ${where} after ${ready.afterMs} ms`, "server");
    verdict = {
      status: "pass",
      message: `your server listens on ${where} (ready after ${ready.afterMs} ms)`,
    };
    if (ready.port !== net.port) {
      verdict = {
        status: "fail",
        message:
          `your server listens on port ${ready.port}, not on port ${net.port} given as its second argument`,
        hint: "Read the port from argv[2] (e.g. htons(atoi(argv[2]))) instead of hard-coding it.",
      };
      session.targetNote = ` (sockgrade used port ${ready.port}, where your server really listens)`;
    } else if (host !== net.serverAddress) {
      verdict = {
        status: "fail",
        message:
          `your server listens only on ${ready.address}, not on the server address ${net.serverAddress}`,
        hint:
          "Bind INADDR_ANY (or the server address); the first argument is the allowed CLIENT address, not where to listen.",
      };
      session.targetNote = ` (sockgrade connected to ${where}, where your server really listens)`;
    }
    // A server that forks into the background: the program itself exits at once, and what it
    // left behind may listen for a moment before the sandbox ends it. Such a server has not
    // started, whichever way the race between its background child and its end turns out.
    let unusable = run.program.programRunning() ? undefined : "the program itself had exited";
    if (!unusable) {
      try {
        await using conn = await connectProbe({
          host,
          port: ready.port,
          localAddress: net.clientAddress,
          timeoutMs: spec.timeouts.responseMs,
          recorder: rec,
          connection: "conn 1",
        });
        await conn.close();
      } catch (error) {
        if (error instanceof ProbeConnectError && error.failure === "bind") {
          verdict = {
            status: "error",
            message: `sockgrade could not run this check (not your fault): ${error.message}`,
          };
        } else {
          unusable = `a connection to it failed: ${(error as Error).message}`;
        }
      }
    }
    if (unusable) {
      // Nothing usable listens: the other checks are skipped, as when nothing listened.
      session.listening = false;
      const exit = run.exit ?? await exitWithin(run, 200);
      verdict = exit
        ? {
          status: "fail",
          message: `your server exited (${
            describeExit(exit)
          }) right after it began listening on ${where}: it must stay up`,
          hint:
            "Stay in the foreground: do not fork() into the background (daemonize) or exit after listen(); loop on accept().",
        }
        : { status: "fail", message: `your server listens on ${where} but ${unusable}` };
    }
    run.recordOutput(rec);
    if (session.listening && verdict.status !== "error" && !run.exit) {
      session.kept = { run, ready, startedFor: "server.starts", passed: ["server.starts"] };
    }
  }
  const share = tallyOutput(session, "server.starts", run);
  const notes = verdict.status === "error"
    ? ""
    : outputNotes(session, "server.starts", verdict.status, share, run.otherOutput());
  return {
    id: "server.starts",
    status: verdict.status,
    message: verdict.message + notes,
    ...(verdict.hint ? { hint: verdict.hint } : {}),
    evidence: { ...run.evidence(), ...verdict.evidence, exchanges: [rec.toExchange()] },
    durationMs: Math.round(performance.now() - t0),
  };
}

/** The program's exit if it comes within `ms` (a bounded wait on failure paths only). */
async function exitWithin(run: ServerRun, ms: number): Promise<ExitInfo | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const exit = await Promise.race([
    run.program.exited,
    new Promise<undefined>((resolve) => timer = setTimeout(() => resolve(undefined), ms)),
  ]);
  clearTimeout(timer);
  return exit;
}
