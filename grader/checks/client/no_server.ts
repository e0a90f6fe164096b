/**
 * `client.no-server`: with no server there, the client exits non-zero in time with an error on
 * stderr (the client runs a second time for this check): nothing listening on the port (`tcp`),
 * nothing at the server path (`unix-stream`: `connect()` fails; `unix-dgram`: the first send
 * fails). `skip` where the catalogue says the check does not apply (`udp`: a UDP client cannot
 * know that no server is there), without running the client.
 *
 * @module
 */

import { clientArgs } from "../../sandbox/net_plan.ts";
import { notApplicable } from "../catalogue.ts";
import { planTransport, serverEndpoint } from "../../probes/endpoints.ts";
import { ExchangeRecorder } from "../../probes/probe_client.ts";
import { hint } from "../hints/mod.ts";
import { firstStderrLine } from "../server_program.ts";
import type { CheckContext, CheckOutcome, ProgramPlan } from "../types.ts";
import {
  clearRunSockets,
  clearSocketFile,
  clientUsage,
  finishClient,
  ms,
  runClient,
  runEvidence,
} from "./_run.ts";
import { transportWords } from "./_transport_words.ts";

export async function noServerOutcome(ctx: CheckContext, plan: ProgramPlan): Promise<CheckOutcome> {
  const { net, spec } = ctx;
  const transport = planTransport(net);
  // Over udp the catalogue says why it does not apply: no second run for nothing.
  const why = notApplicable("client.no-server", transport);
  if (why) {
    return {
      id: "client.no-server",
      status: "skip",
      message: `skipped over ${transport}: ${why}`,
      evidence: {},
      durationMs: 0,
    };
  }
  const words = transportWords(transport, serverEndpoint(net));
  const absent = words.serverAbsent;
  const recorder = new ExchangeRecorder(`client with no server at ${words.target}`);
  const argv = [...plan.argv, ...clientArgs(net)];
  await clearRunSockets(net);
  const run = await runClient(plan, argv, spec.timeouts.clientMs, recorder);
  await finishClient(run, recorder);
  if (net.paths) await clearSocketFile(net.paths.clientPath);
  const evidence = { ...runEvidence(run), exchanges: [recorder.toExchange()] };
  const base = {
    id: "client.no-server" as const,
    evidence,
    durationMs: ms(run.endedAt - run.startedAt),
  };
  const exit = run.exit;
  if (run.startError || !exit || !run.program) {
    return { ...base, status: "skip", message: "skipped: the client could not be started" };
  }
  const said = firstStderrLine(run.program);
  const printed = run.program.stdoutLines.some((l) => l.text.trim() !== "");
  const usage = clientUsage(run);
  const kind = plan.kind;
  if (run.timedOut) {
    return {
      ...base,
      status: "fail",
      message:
        `your client waited forever when ${absent} (killed after ${spec.timeouts.clientMs} ms)`,
      hint: hint("client.no-server-retries", kind),
    };
  }
  if (exit.signal) {
    return {
      ...base,
      status: "fail",
      message: `your client crashed with ${exit.signal} when ${absent}`,
      hint: hint("client.no-server-crash", kind),
    };
  }
  if (usage) {
    // It never tried: how it handles a failed connect is unknown, whatever its status.
    return {
      ...base,
      status: "fail",
      message:
        `your client printed its usage line "${usage}" and exited with status ${exit.code} instead of trying to connect`,
      hint: hint("client.usage", kind),
    };
  }
  if (exit.code === 0) {
    return said
      ? {
        ...base,
        status: "fail",
        fraction: 0.5,
        message:
          `your client printed "${said}" but exited with status 0 when ${absent} (the error message is right, the status is not)`,
        hint: hint("client.no-server-exit-zero", kind),
      }
      : {
        ...base,
        status: "fail",
        message: `your client exited with status 0 and no error message when ${absent}`,
        hint: hint("client.no-server-error", kind),
      };
  }
  if (!said) {
    return {
      ...base,
      status: "fail",
      fraction: 0.5,
      message: printed
        ? `your client exited with status ${exit.code} (right) but printed its error on stdout, not stderr`
        : `your client exited with status ${exit.code} (right) but printed no error message on stderr`,
      hint: hint(printed ? "client.error-on-stdout" : "client.no-server-error", kind),
    };
  }
  return {
    ...base,
    status: "pass",
    message: `exited with status ${exit.code} in ${ms(exit.durationMs)} ms and said "${said}"`,
  };
}
