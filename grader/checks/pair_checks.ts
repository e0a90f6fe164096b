/**
 * The pair check of EXERCISE.md §3, `pair.end-to-end`: the submission's own client against its
 * own server. The server prints the response once per sent message that equals the trigger (zero
 * for the article's verbatim messages), and the client exits 0.
 *
 * ## What "sent" means
 *
 * The count is taken from what the client really sends, not from the spec: a client that
 * "fixes" the article's typo and sends `Client Query` once must make the server print once (the
 * typo itself is charged to `client.messages` alone). The pair check does not see the bytes
 * between the two programs, so it reuses what `client.messages` captured: the same client, run
 * moments before against the capture server with the same arguments, its bytes framed per the
 * spec (`CheckContext.clientSent`, set by the worker from `runClientChecks`' observation). A
 * client is expected to send the same messages whoever listens; one whose messages depend on
 * the server's behaviour is rare, and the evidence names the source of the count. Without that
 * observation (client checks not run), the spec's messages are counted. Running the
 * client a third time against the capture server would cost a client run per submission, and a
 * proxy would have to move the server off the port it is given.
 *
 * The pair runs last in a submission's grading: the student's own client and server may leave a
 * TIME_WAIT socket on the service port (a server that closes first, a client that resets), and
 * nothing after this check binds that port (in `netns` mode the namespace goes away with the
 * worker; in `none` mode each submission has its own port).
 *
 * The end of the server's work is sequenced, not slept on: after the client has exited, the
 * grader waits until the server has read every byte the client sent (no connection on the port
 * has unread bytes, `waitPortDrained`): a forking server may otherwise answer the sentinel in one
 * child before another child has even read the client's messages. Then it connects from the
 * allowed address and sends the trigger as a sentinel. A server that
 * serves connections in order prints everything the client caused before it reads the sentinel,
 * and the sentinel's response after: so once a response has come after the sentinel was sent,
 * the count has reached the client's expected count plus one, and the server has read the
 * sentinel (`waitConsumed`), the last response is the sentinel's and the rest are the client's.
 * A correct server is thus graded exactly; one that prints too often fails whichever way its
 * lines interleave with the sentinel's. When the server takes no more connections (a one-shot server), the count is taken when
 * it exits or after a bounded wait, and the evidence says so.
 *
 * @module
 */

import { escapeBytes, escapeText } from "../bytes.ts";
import { clientArgs } from "../net_plan.ts";
import {
  connectProbe,
  ExchangeRecorder,
  formatAddress,
  ProbeConnectError,
  type ProbeConnection,
  waitPortDrained,
} from "../probes/probe_client.ts";
import { finishClient, runClient } from "./client_checks.ts";
import { describeExit, firstStderrLine, ServerRun } from "./server_program.ts";
import { heldPortVerdict } from "./server_checks.ts";
import type { CheckContext, CheckOutcome } from "./types.ts";

/** How the end of the server's processing was established. */
type Sequencing =
  | "sentinel answered"
  | "sentinel not answered"
  | "server exited"
  | "bounded wait";

function plural(n: number, one: string): string {
  return `${n} ${one}${n === 1 ? "" : "s"}`;
}

function times(n: number): string {
  return n === 1 ? "once" : n === 2 ? "twice" : `${n} times`;
}

/** Sends the sentinel trigger and waits for its response; says how the count was sequenced. */
async function sentinel(
  ctx: CheckContext,
  server: ServerRun,
  expected: number,
  recorder: ExchangeRecorder,
): Promise<Sequencing> {
  const { net, spec } = ctx;
  const waitMs = spec.timeouts.responseMs;
  if (await waitPortDrained(net.port, waitMs) === false) {
    recorder.note(`the server had not read everything the client sent after ${waitMs} ms`);
  }
  let probe: ProbeConnection | undefined;
  try {
    probe = await connectProbe({
      host: net.serverAddress,
      port: net.port,
      localAddress: net.clientAddress,
      timeoutMs: waitMs,
      recorder,
      connection: "sentinel",
    });
  } catch (error) {
    if (!(error instanceof ProbeConnectError) || error.failure === "bind") throw error;
  }
  if (!probe) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const exited = await Promise.race([
      server.program.exited.then(() => true),
      new Promise<boolean>((resolve) => timer = setTimeout(() => resolve(false), waitMs)),
    ]);
    clearTimeout(timer);
    return exited ? "server exited" : "bounded wait";
  }
  try {
    const before = server.responseCount();
    const deadline = performance.now() + waitMs;
    await probe.sendAndEnd(`${spec.trigger}\n`, waitMs);
    await server.waitResponses(Math.max(before, expected) + 1, deadline - performance.now());
    await probe.waitConsumed(Math.max(0, deadline - performance.now()));
    return server.responseCount() > before ? "sentinel answered" : "sentinel not answered";
  } finally {
    await probe.close();
  }
}

/**
 * Runs `pair.end-to-end` (see the module doc). Needs both `ctx.server` and `ctx.client`; throws
 * only for the grader's own faults (e.g. it cannot bind the allowed address).
 */
export async function runPairCheck(ctx: CheckContext): Promise<CheckOutcome> {
  const { spec, net } = ctx;
  if (!ctx.server || !ctx.client) {
    throw new TypeError("runPairCheck() needs both programs' plans (ctx.server, ctx.client).");
  }
  const started = performance.now();
  const target = formatAddress(net.serverAddress, net.port);
  const recorder = new ExchangeRecorder(`your client against your server on ${target}`);
  const sent = ctx.clientSent;
  const expected = (sent ?? spec.messages).filter((m) => m === spec.trigger).length;
  const trigger = JSON.stringify(spec.trigger);
  const matching = expected === 0
    ? `none of them is exactly ${trigger}`
    : `${expected} of them ${expected === 1 ? "is" : "are"} exactly ${trigger}`;
  const why = sent === undefined
    ? `the spec's ${plural(spec.messages.length, "message")}: ${matching}`
    : sent.length === 0
    ? "your client sent no message in client.messages"
    : `your client sent ${plural(sent.length, "message")} in client.messages: ${matching}`;

  await using server = new ServerRun(spec, net, ctx.server, { forced: true, label: "server" });
  recorder.add(
    { actor: "server", kind: "start", data: server.argv.join(" ") },
    server.program.startedAt,
  );
  const outcome = (
    status: CheckOutcome["status"],
    message: string,
    extra: { hint?: string; fraction?: number; evidence?: Record<string, unknown> } = {},
  ): CheckOutcome => {
    server.recordOutput(recorder);
    return {
      id: "pair.end-to-end",
      status,
      message,
      ...(extra.hint ? { hint: extra.hint } : {}),
      ...(extra.fraction !== undefined ? { fraction: extra.fraction } : {}),
      evidence: {
        server: server.evidence(),
        expectedResponses: expected,
        expectedFrom: sent === undefined ? "spec" : "client.messages",
        ...(sent === undefined ? {} : { clientSent: sent.map((m) => escapeText(m, 200)) }),
        ...extra.evidence,
        exchanges: [recorder.toExchange()],
      },
      durationMs: Math.round(performance.now() - started),
    };
  };

  const ready = await server.waitReady(spec.timeouts.startMs);
  const held = ready.state === "listening" ? undefined : await heldPortVerdict(server);
  if (held) return outcome(held.status, held.message, { evidence: held.evidence });
  if (ready.state !== "listening") {
    return outcome(
      "fail",
      ready.state === "exited"
        ? `your server ended (${describeExit(ready.exit)}) before it listened on port ${net.port}`
        : `your server did not listen within ${spec.timeouts.startMs} ms`,
      { hint: "See server.starts." },
    );
  }
  recorder.note(`the server listens on ${formatAddress(ready.address, ready.port)}`);

  const argv = [...ctx.client.argv, ...clientArgs(net)];
  const run = await runClient(ctx.client, argv, spec.timeouts.clientMs, recorder);
  await finishClient(run, recorder);
  const clientEvidence = {
    command: argv,
    ...(run.exit ? { exit: describeExit(run.exit) } : {}),
    ...(run.program
      ? {
        stdout: escapeBytes(run.program.stdout()),
        stderr: escapeBytes(run.program.stderr()),
      }
      : {}),
  };
  const sequencing = run.startError
    ? "bounded wait"
    : await sentinel(ctx, server, expected, recorder);
  const total = server.responseCount();
  const fromClient = sequencing === "sentinel answered" ? total - 1 : total;
  const evidence = {
    client: clientEvidence,
    sequencing,
    responses: total,
    responsesForClient: fromClient,
    ...(ready.port !== net.port ? { listeningPort: ready.port } : {}),
  };
  const said = run.program ? firstStderrLine(run.program) : undefined;
  const response = JSON.stringify(spec.response);

  if (run.startError) {
    return outcome("fail", `your client could not be started: ${run.startError}`, { evidence });
  }
  if (run.timedOut) {
    return outcome(
      "fail",
      `your client did not exit within ${spec.timeouts.clientMs} ms against your own server`,
      { evidence, hint: "See client.exits." },
    );
  }
  if (run.exit?.signal || run.exit?.code !== 0) {
    const portNote = ready.port !== net.port
      ? ` (your server listens on port ${ready.port}, not on ${net.port})`
      : "";
    return outcome(
      "fail",
      `your client ${
        run.exit?.signal
          ? `crashed with ${run.exit.signal}`
          : `exited with status ${run.exit?.code}`
      } against your own server${said ? `: "${said}"` : ""}${portNote}`,
      { evidence },
    );
  }
  const serverExit = server.exit;
  if (serverExit?.signal && !serverExit.killed) {
    return outcome(
      "fail",
      `your server crashed with ${serverExit.signal} while serving your client`,
      {
        evidence,
      },
    );
  }
  if (fromClient !== expected) {
    return outcome(
      "fail",
      `your server printed ${response} ${times(fromClient)} for your client's messages, expected ${
        times(expected)
      } (${why})`,
      {
        evidence,
        hint: fromClient > expected
          ? `Print ${response} only for a message that is exactly ${JSON.stringify(spec.trigger)}.`
          : "Check that the server reads every message of the connection.",
      },
    );
  }
  const counted = `your server printed ${response} ${
    times(fromClient)
  } for its messages, as expected (${why})`;
  if (sequencing === "sentinel answered") {
    return outcome("pass", `your client exited 0 and ${counted}`, { evidence });
  }
  const how = sequencing === "server exited"
    ? "your server took no more connections, so the count was taken when it exited"
    : sequencing === "bounded wait"
    ? `your server took no more connections, so the count was taken after waiting ${spec.timeouts.responseMs} ms`
    : `your server did not answer the grader's own ${
      JSON.stringify(spec.trigger)
    }, so the count was taken after waiting ${spec.timeouts.responseMs} ms`;
  return outcome("warn", `your client exited 0 and ${counted}; ${how}`, {
    evidence,
    fraction: 1,
  });
}
