/**
 * `client.exits`: the client exited by itself with status 0 in time, its connections closed.
 * Over datagrams (`udp`, `unix-dgram`) there is no connection to close, so only the exit is
 * asked. `skip` when nothing it sent arrived (how it then ends is `client.no-server`'s to grade).
 *
 * @module
 */

import { isDatagramTransport } from "../../spec.ts";
import { hint } from "../hints/mod.ts";
import { firstStderrLine } from "../server_program.ts";
import type { CheckContext, CheckOutcome } from "../types.ts";
import { type CaptureRun, ms, plural, reachedCapture, runEvidence } from "./_run.ts";

export function exitsOutcome(ctx: CheckContext, run: CaptureRun): CheckOutcome {
  const durationMs = ms(run.endedAt - run.startedAt);
  const datagrams = run.connections.length === 0 && run.datagrams.length > 0;
  const evidence = {
    ...runEvidence(run),
    ...(datagrams ? { datagrams: run.datagrams.length } : {
      connections: run.connections.map((c, i) => ({ connection: c.label, end: run.endings[i] })),
    }),
    ...(run.leftSocketFile
      ? { note: "the client left its socket file behind (the grader removed it)" }
      : {}),
    exchanges: [run.exchange],
  };
  const base = { id: "client.exits" as const, evidence, durationMs };
  const kind = ctx.client?.kind;
  const exit = run.exit;
  if (run.startError || !exit) {
    return { ...base, status: "skip", message: "skipped: the client could not be started" };
  }
  if (!reachedCapture(run)) {
    return {
      ...base,
      status: "skip",
      message: `skipped: ${
        run.wrongTransport || run.datagrams.length === 0 && isDatagramTransport(run.transport)
          ? "nothing the client sent arrived"
          : "the client never connected"
      } (see client.connects); how it ends without a server is graded by client.no-server`,
    };
  }
  const said = run.program ? firstStderrLine(run.program) : undefined;
  if (run.timedOut) {
    const open = run.endings.filter((e) => e === "open when killed").length;
    return {
      ...base,
      status: "fail",
      message: `your client did not exit within ${ctx.spec.timeouts.clientMs} ms and was killed${
        open > 0 ? `; ${plural(open, "connection")} still open` : ""
      }`,
      hint: hint("client.hangs-after-sending", kind),
    };
  }
  if (exit.signal) {
    return {
      ...base,
      status: "fail",
      message: `your client crashed with ${exit.signal}`,
      hint: hint(
        exit.signal === "SIGSEGV"
          ? "client.crash-segv"
          : exit.signal === "SIGPIPE"
          ? "client.crash-sigpipe"
          : "client.crash-other",
        kind,
      ),
    };
  }
  if (exit.code !== 0) {
    return {
      ...base,
      status: "fail",
      message: `your client exited with status ${exit.code}, expected 0${
        said ? `: "${said}"` : ""
      }`,
      hint: hint("client.exit-status", kind),
    };
  }
  const left = run.endings.filter((e) => e === "left open after exit").length;
  if (left > 0) {
    return {
      ...base,
      status: "fail",
      message: `your client exited with status 0 but ${
        plural(left, "connection")
      } stayed open after it (a process it started kept the socket)`,
      hint: hint("client.left-open", kind),
    };
  }
  const resets = run.endings.filter((e) => e === "reset").length;
  const when = `in ${ms(exit.durationMs)} ms`;
  if (resets > 0) {
    return {
      ...base,
      status: "warn",
      fraction: 1,
      message: `your client exited with status 0 ${when}, but reset ${
        plural(resets, "connection")
      } (RST) instead of closing it`,
      hint: hint("client.reset", kind),
    };
  }
  const closing = datagrams
    ? `after ${plural(run.datagrams.length, "datagram")} (no connection to close)`
    : run.connections.length === 0
    ? "without connecting"
    : run.connections.length === 1
    ? "and its connection was closed (FIN)"
    : `and its ${run.connections.length} connections were closed (FIN)`;
  return { ...base, status: "pass", message: `exited with status 0 ${when} ${closing}` };
}
