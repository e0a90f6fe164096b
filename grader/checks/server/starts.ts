/**
 * `server.starts`: starts the server, waits until its process tree listens, and connects once from
 * the allowed client address. Where the server really listens becomes the session's target; a
 * server that listens is kept for `server.trigger`.
 *
 * ## Policy
 *
 * `server.starts` fails when nothing listens within `startMs`, when the server exits first (its
 * exit status and the error line of its stderr, or its usage line, are quoted), or when a
 * connection to where it listens fails: then every other server check is `skip`. It also fails
 * when the server listens somewhere else than `serverAddress:port` (another port, or only one
 * other address): the other checks then run against where it really listens, and each says so.
 *
 * A server that daemonizes (the started program exits while a process it left behind listens)
 * fails `server.starts` alone, with the hint to stay in the foreground: the sandbox keeps the
 * server's PID namespace while any of its processes runs (`holdTree`), so every other check
 * grades what the background process does.
 *
 * @module
 */

import { escapeText } from "../../bytes.ts";
import type { CheckId } from "../../checks_catalogue.ts";
import {
  connectProbe,
  ExchangeRecorder,
  formatAddress,
  ProbeConnectError,
} from "../../probes/probe_client.ts";
import type { ExitInfo } from "../../sandbox/process.ts";
import { describeExit, isWildcard, ServerRun } from "../server_program.ts";
import type { CheckOutcome } from "../types.ts";
import { hint } from "../hints/mod.ts";
import {
  heldPortVerdict,
  keeps,
  notReadyWords,
  outputNotes,
  serverUsage,
  type Verdict,
} from "./_run_check.ts";
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
  const kind = session.plan.kind;
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
        ? hint(serverUsage(run) ? "server.usage" : "server.exited-early", kind)
        : hint("server.not-listening", kind, { port: net.port }),
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
        hint: hint("server.wrong-port", kind),
      };
      session.targetNote = ` (sockgrade used port ${ready.port}, where your server really listens)`;
    } else if (host !== net.serverAddress) {
      verdict = {
        status: "fail",
        message:
          `your server listens only on ${ready.address}, not on the server address ${net.serverAddress}`,
        hint: hint("server.wrong-address", kind),
      };
      session.targetNote = ` (sockgrade connected to ${where}, where your server really listens)`;
    }
    // A server that forks into the background: the program itself exits at once, and what it
    // left behind listens; the sandbox holds the tree while it runs (`holdTree`), so the
    // process in the background is graded by the other checks and only this one fails.
    const daemonized = !run.program.programRunning();
    let unusable: string | undefined;
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
    if (!unusable && daemonized && verdict.status !== "error") {
      verdict = {
        status: "fail",
        message:
          `the program sockgrade started ended while a process it left in the background listens on ${where}: your server must stay in the foreground (the other server checks grade the process in the background)`,
        hint: hint("server.daemonized", kind),
      };
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
          hint: hint("server.daemonized", kind),
        }
        : { status: "fail", message: `your server listens on ${where} but ${unusable}` };
    }
    run.recordOutput(rec);
    if (session.listening && verdict.status !== "error" && !run.exit) {
      const passed: CheckId[] = verdict.status === "pass" ? ["server.starts"] : [];
      session.kept = { run, ready, startedFor: "server.starts", passed };
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
