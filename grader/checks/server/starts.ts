/**
 * `server.starts`: starts the server, waits until its process tree waits on the spec's transport
 * (listening on a stream, bound for datagrams: `ServerRun.waitReady`), and, over streams,
 * connects once from the allowed client. Where the server really waits becomes the session's
 * target; a server that waits is kept for `server.trigger`.
 *
 * ## Policy
 *
 * `server.starts` fails when nothing listens within `startMs`, when the server exits first (its
 * exit status and the error line of its stderr, or its usage line, are quoted), or when a
 * connection to where it listens fails: then every other server check is `skip`. It also fails
 * when the server listens somewhere else than `serverAddress:port` (another port, or only one
 * other address): the other checks then run against where it really listens, and each says so.
 *
 * A server that waits on another transport than the spec's (a TCP server under a `udp` spec) fails
 * with a message that says what it waits on and what to use instead; the other checks are then
 * `skip` (there is nothing of the transport to probe).
 *
 * Unix-domain transports: the server is first started with a stale socket file at its path (a
 * socket bound and closed, as a crashed run leaves it). A server that does not remove it before
 * `bind()` does not start; it is started again without the file, and when it starts then, this
 * check fails with the hint to remove the file first while the other checks grade that server.
 *
 * A server that daemonizes (the started program exits while a process it left behind listens)
 * fails `server.starts` alone, with the hint to stay in the foreground: the sandbox keeps the
 * server's PID namespace while any of its processes runs (`holdTree`), so every other check
 * grades what the background process does.
 *
 * @module
 */

import { join } from "node:path";
import { escapeText } from "../../text/bytes.ts";
import type { CheckId } from "../catalogue.ts";
import { ExchangeRecorder, ProbeConnectError } from "../../probes/probe_client.ts";
import { clientEndpoint, planTransport, serverEndpoint } from "../../probes/endpoints.ts";
import { type Endpoint, formatEndpoint } from "../../probes/transport.ts";
import { probeTransport } from "../../probes/transports/mod.ts";
import { describeExit, isWildcard, type Readiness, ServerRun } from "../server_program.ts";
import { isWanted, serverSockets } from "../../sandbox/ports.ts";
import { wrongTransportWords } from "./_transport_words.ts";
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
  const unix = net.paths !== undefined;
  let run = new ServerRun(spec, net, session.plan, {
    forced: true,
    label: "server.starts",
    staleSocket: unix,
  });
  try {
    let ready = await run.waitReady(spec.timeouts.startMs);
    let stale: { rec: ExchangeRecorder; words: string } | undefined;
    if (unix && ready.state !== "listening" && !(ready.state === "timeout" && ready.elsewhere)) {
      // It may not have removed the stale socket file: try again without it.
      const rec = new ExchangeRecorder(
        "start the server with a stale socket file at its path",
        run.program.startedAt,
      );
      rec.add(
        { actor: "server", kind: "start", data: escapeText(run.argv.join(" ")) },
        run.program.startedAt,
      );
      run.recordOutput(rec);
      const words = notReadyWords(session, run, ready);
      rec.note(`a stale socket file was at ${net.paths!.serverPath}: ${words}`);
      stale = { rec, words };
      await run[Symbol.asyncDispose]();
      run = new ServerRun(spec, net, session.plan, { forced: true, label: "server.starts" });
      ready = await run.waitReady(spec.timeouts.startMs);
    }
    return await startsOutcome(session, run, ready, t0, stale);
  } finally {
    if (!keeps(session, run)) await run[Symbol.asyncDispose]();
  }
}

/**
 * `server.starts` on its server, found `ready`; keeps the server for `server.trigger` when it
 * listens. `stale` is the exchange of a first start with a stale socket file at the server's
 * path that did not listen (Unix transports).
 */
async function startsOutcome(
  session: Session,
  run: ServerRun,
  ready: Readiness,
  t0: number,
  stale?: { rec: ExchangeRecorder; words: string },
): Promise<CheckOutcome> {
  const { net, spec } = session;
  const kind = session.plan.kind;
  const datagram = probeTransport(planTransport(net)).datagram;
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
  } else if (ready.state === "timeout" && ready.elsewhere) {
    run.recordOutput(rec);
    const words = wrongTransportWords(planTransport(net), ready.elsewhere);
    rec.add({ actor: "grader", kind: "note", data: words });
    verdict = {
      status: "fail",
      message: words,
      hint: hint(`server.wrong-transport.${planTransport(net)}`, kind),
      evidence: { readyAfterMs: ready.afterMs },
    };
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
    const target = targetOf(session, ready.at);
    session.target = target;
    session.listening = true;
    const where = formatEndpoint(ready.at);
    const waits = datagram ? "is bound to" : "listens on";
    rec.note(
      `${datagram ? "bound to" : "listening on"} ${where} after ${ready.afterMs} ms`,
      "server",
    );
    verdict = {
      status: "pass",
      message: `your server ${waits} ${where} (ready after ${ready.afterMs} ms)`,
    };
    const expected = serverEndpoint(net);
    if ("path" in expected && "path" in target && target.path !== expected.path) {
      verdict = {
        status: "fail",
        message: `your server ${waits} ${where}, not ${expected.path} given as its second argument`,
        hint: hint("server.wrong-path", kind),
      };
      session.targetNote = ` (sockgrade used ${target.path}, where your server really waits)`;
    } else if ("port" in target && "port" in expected && target.port !== expected.port) {
      verdict = {
        status: "fail",
        message:
          `your server ${waits} port ${target.port}, not on port ${net.port} given as its second argument`,
        hint: hint("server.wrong-port", kind),
      };
      session.targetNote = ` (sockgrade used port ${target.port}, where your server really waits)`;
    } else if ("address" in target && target.address !== net.serverAddress) {
      verdict = {
        status: "fail",
        message:
          `your server ${waits} only ${ready.address}, not the server address ${net.serverAddress}`,
        hint: hint("server.wrong-address", kind),
      };
      session.targetNote = ` (sockgrade connected to ${where}, where your server really waits)`;
    } else if (stale) {
      verdict = {
        status: "fail",
        message: `with a stale socket file (as an earlier run leaves one) at ${
          "path" in expected ? expected.path : where
        }, your server did not start (${stale.words}); started again without the file, it ${waits} ${where}`,
        hint: hint("server.stale-socket", kind),
      };
    }
    // A server that forks into the background: the program itself exits at once, and what it
    // left behind listens; the sandbox holds the tree while it runs (`holdTree`), so the
    // process in the background is graded by the other checks and only this one fails.
    // Looked at again after the probe connection: on a loaded machine the started process may
    // not yet have run its exit when what it left behind already listens (a server that exits
    // after one connection leaves nothing listening).
    const exitedAtListen = !run.program.programRunning();
    let unusable: string | undefined;
    try {
      // A datagram server has no connection to accept: being bound is all there is to see.
      if (!datagram) {
        await using conn = await probeTransport(planTransport(net)).open({
          to: target,
          from: clientEndpoint(net),
          timeoutMs: spec.timeouts.responseMs,
          recorder: rec,
          connection: "conn 1",
        });
        await conn.close();
      }
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
    const daemonized = exitedAtListen ||
      (!run.program.programRunning() && await treeWaitsAt(session, run, ready.at));
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
      const exit = run.exit ?? await run.exitWithin(200);
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
    evidence: {
      ...run.evidence(),
      ...verdict.evidence,
      ...(stale
        ? { staleSocketFile: "the first start, with a stale socket file, did not listen" }
        : {}),
      exchanges: [...(stale ? [stale.rec.toExchange()] : []), rec.toExchange()],
    },
    durationMs: Math.round(performance.now() - t0),
  };
}

/**
 * Where probes reach a server found waiting at `at`: a wildcard address means the spec's server
 * address; a relative path (bound in the server's working folder) is made absolute.
 */
function targetOf(session: Session, at: Endpoint): Endpoint {
  if ("path" in at) {
    return at.path.startsWith("/") ? at : { path: join(session.plan.cwd, at.path) };
  }
  return isWildcard(at.address) ? { address: session.net.serverAddress, port: at.port } : at;
}

/** Whether a process of the server's tree still waits at `at` (over the plan's transport). */
async function treeWaitsAt(session: Session, run: ServerRun, at: Endpoint): Promise<boolean> {
  const pids = run.program.treePids();
  if (pids.length === 0) return false;
  const sockets = await serverSockets(planTransport(session.net), { pids });
  return sockets.some((socket) => isWanted(socket, "path" in at ? at.path : at.port));
}
