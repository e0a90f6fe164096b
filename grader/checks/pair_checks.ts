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
 * The pair runs last in a submission's grading: over TCP the student's own client and server may
 * leave a TIME_WAIT socket on the service port (a server that closes first, a client that resets), and
 * nothing after this check binds that port (in `netns` mode the namespace goes away with the
 * worker; in `none` mode each submission has its own port).
 *
 * Both programs talk over the spec's transport (docs/TRANSPORTS.md): the server is found ready
 * by `ServerRun.waitReady`, the client gets the server's address and port or, over Unix-domain
 * sockets, the server's path and its own (`clientArgs`); socket files earlier runs left at those
 * paths are removed first.
 *
 * The end of the server's work is sequenced, not slept on: after the client has exited, the
 * grader waits, over TCP, until the server has read every byte the client sent (no connection
 * on the port has unread bytes, `waitPortDrained`): a forking server may otherwise answer the
 * sentinel in one child before another child has even read the client's messages. Then it sends
 * the trigger as a sentinel from the allowed client's endpoint (`probeTransport(t).open`: a line
 * on a connection from the allowed address or bound at the client path, or one datagram; a
 * datagram server reads it after the client's, from the same queue). A server that
 * serves connections in order prints everything the client caused before it reads the sentinel,
 * and the sentinel's response after: so once a response has come after the sentinel was sent,
 * the count has reached the client's expected count plus one, and the server has read the
 * sentinel (`waitConsumed`), the last response is the sentinel's and the rest are the client's.
 * A correct server is thus graded exactly; one that prints too often fails whichever way its
 * lines interleave with the sentinel's. When the server takes no more connections (a one-shot
 * server), the count is taken when it exits or after a bounded wait, and the evidence says so.
 *
 * ## Responses nobody asked for are charged once
 *
 * `server.output` charges responses no trigger caused; this check does not charge them again.
 * The count starts once the server's output up to the client's start has been read (a response
 * printed at start-up is not the client's), and when the server printed more than the client
 * asked for, the server is watched with no client connected (`ServerRun.printsOnItsOwn`, a fixed
 * time): one that prints the response on its own is not charged here (its prints cannot be told
 * from the client's), whatever the machine's speed.
 *
 * @module
 */

import { escapeBytes, escapeText } from "../text/bytes.ts";
import { clientArgs } from "../sandbox/net_plan.ts";
import {
  ExchangeRecorder,
  formatAddress,
  ProbeConnectError,
  waitPortDrained,
} from "../probes/probe_client.ts";
import { clientEndpoint, planTransport, serverEndpoint } from "../probes/endpoints.ts";
import type { ProbeSession } from "../probes/transport.ts";
import { probeTransport } from "../probes/transports/mod.ts";
import { DialWatch } from "../probes/dial_watch.ts";
import {
  clearRunSockets,
  clearSocketFile,
  clientUsage,
  finishClient,
  runClient,
} from "./client/_run.ts";
import { transportWords } from "./client/_transport_words.ts";
import { hint } from "./hints/mod.ts";
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

/** Waits for the server's exit, at most `waitMs`: how the count was sequenced without a probe. */
async function exitOrWait(server: ServerRun, waitMs: number): Promise<Sequencing> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const exited = await Promise.race([
    server.program.exited.then(() => true),
    new Promise<boolean>((resolve) => timer = setTimeout(() => resolve(false), waitMs)),
  ]);
  clearTimeout(timer);
  return exited ? "server exited" : "bounded wait";
}

/**
 * Sends the sentinel trigger from the allowed client's endpoint over the spec's transport (a line
 * on a stream, one datagram) and waits for its response; says how the count was sequenced.
 */
async function sentinel(
  ctx: CheckContext,
  server: ServerRun,
  expected: number,
  recorder: ExchangeRecorder,
  from: number,
): Promise<Sequencing> {
  const { net, spec } = ctx;
  const transport = probeTransport(planTransport(net));
  const waitMs = spec.timeouts.responseMs;
  // Only TCP shows what the server has not read yet (its receive queues in /proc/net/tcp).
  if (transport.name === "tcp" && await waitPortDrained(net.port, waitMs) === false) {
    recorder.note(`the server had not read everything the client sent after ${waitMs} ms`);
  }
  // The client's socket file, if it left one, would make the sentinel's bind() fail.
  if (net.paths) await clearSocketFile(net.paths.clientPath);
  let probe: ProbeSession | undefined;
  try {
    probe = await transport.open({
      to: serverEndpoint(net),
      from: clientEndpoint(net),
      timeoutMs: waitMs,
      recorder,
      connection: "sentinel",
    });
  } catch (error) {
    if (!(error instanceof ProbeConnectError) || error.failure === "bind") throw error;
  }
  if (!probe) return await exitOrWait(server, waitMs);
  try {
    const before = server.responseCount();
    const deadline = performance.now() + waitMs;
    const sent = await probe.sendAndEnd(
      transport.datagram ? spec.trigger : `${spec.trigger}\n`,
      waitMs,
    );
    // A datagram to a server that is gone (a Unix path with no socket) is refused at once.
    if (transport.datagram && sent === "closed") return await exitOrWait(server, waitMs);
    await server.waitResponses(
      Math.max(before, from + expected) + 1,
      deadline - performance.now(),
    );
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
  const transport = planTransport(net);
  const words = transportWords(transport, serverEndpoint(net));
  const recorder = new ExchangeRecorder(`your client against your server on ${words.target}`);
  const sent = ctx.clientSent;
  const expected = (sent ?? spec.messages).filter((m) => m === spec.trigger).length;
  const trigger = JSON.stringify(spec.trigger);
  const matching = expected === 0
    ? `none of them is exactly ${trigger}`
    : `${expected} of them ${expected === 1 ? "is" : "are"} exactly ${trigger}`;
  const why = sent === undefined
    ? `the spec's ${plural(spec.messages.length, "message")}: ${matching}`
    : `your client sent ${plural(sent.length, "message")} in client.messages: ${matching}`;

  // What the earlier checks' programs left at the run's socket paths is not this server's.
  await clearRunSockets(net);
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
  // TIME_WAIT holds TCP ports only.
  const held = ready.state === "listening" || transport !== "tcp"
    ? undefined
    : await heldPortVerdict(server);
  if (held) return outcome(held.status, held.message, { evidence: held.evidence });
  if (ready.state !== "listening") {
    return outcome(
      "fail",
      ready.state === "exited"
        ? `your server ended (${describeExit(ready.exit)}) before it ${words.serverReady}`
        : `your server did not ${words.serverWait} within ${spec.timeouts.startMs} ms`,
      { hint: hint("pair.see-starts", ctx.server.kind) },
    );
  }
  // The port it really uses (IP transports: it may differ from the one it was given).
  const otherPort = !net.paths && ready.port !== net.port ? ready.port : undefined;
  recorder.note(
    net.paths
      ? `the server waits at ${words.target}`
      : `the server ${transport === "udp" ? "is bound on" : "listens on"} ${
        formatAddress(ready.address, ready.port)
      }`,
  );

  // What the server printed before the client started (at start-up) is not the client's.
  await server.syncOutput(spec.timeouts.responseMs);
  const from = server.responseCount();
  const argv = [...ctx.client.argv, ...clientArgs(net)];
  // Where the client dialled, to say so when it did not reach the server (netns mode only).
  using watch = net.mode === "netns" && !net.paths ? DialWatch.open() : undefined;
  const run = await runClient(ctx.client, argv, spec.timeouts.clientMs, recorder);
  await finishClient(run, recorder);
  // Attempts on the server's port may have reached it (it may listen on every address).
  const elsewhere = (watch?.attempts() ?? []).filter((d) => !d.endsWith(`:${ready.port}`));
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
    : await sentinel(ctx, server, expected, recorder, from);
  // A server dying as the sentinel arrived (the memory cap's OOM killer takes its time) is
  // reported as such, not as an unanswered sentinel: a bounded wait on this path only.
  if (sequencing === "sentinel not answered") await server.exitWithin(spec.timeouts.responseMs);
  const total = server.responseCount() - from;
  let fromClient = sequencing === "sentinel answered" ? total - 1 : total;
  // Its own prints cannot be told from the client's: server.output charges them, not this check.
  const onItsOwn = fromClient > expected && await server.printsOnItsOwn();
  if (onItsOwn) fromClient = expected;
  const evidence = {
    client: clientEvidence,
    sequencing,
    responses: total,
    responsesForClient: fromClient,
    ...(from > 0 ? { responsesBeforeClient: from } : {}),
    ...(onItsOwn ? { printsOnItsOwn: true } : {}),
    ...(otherPort !== undefined ? { listeningPort: otherPort } : {}),
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
      { evidence, hint: hint("pair.see-exits", ctx.client.kind) },
    );
  }
  const usage = clientUsage(run);
  const portNote = otherPort !== undefined
    ? ` (your server ${
      transport === "udp" ? "is bound on" : "listens on"
    } port ${otherPort}, not on ${net.port})`
    : "";
  if (run.exit?.signal || run.exit?.code !== 0) {
    return outcome(
      "fail",
      `your client ${
        run.exit?.signal
          ? `crashed with ${run.exit.signal}`
          : `exited with status ${run.exit?.code}`
      } against your own server${
        elsewhere.length
          ? `: it dialled ${elsewhere.slice(0, 3).join(", ")}, where nothing listens`
          : ""
      }${
        usage
          ? `; it printed its usage line "${usage}"`
          : said
          ? `${elsewhere.length ? "; it said" : ":"} "${said}"`
          : ""
      }${portNote}`,
      { evidence, ...(usage ? { hint: hint("client.usage", ctx.client.kind) } : {}) },
    );
  }
  if (sent !== undefined && sent.length === 0) {
    return outcome(
      "fail",
      `your client sent no message in client.messages (see client.connects), so there is nothing to check end to end${
        usage ? `; it printed its usage line "${usage}"` : ""
      }${portNote}`,
      {
        evidence,
        hint: hint(usage ? "client.usage" : "client.connect-args", ctx.client.kind),
      },
    );
  }
  const serverExit = server.exit;
  if (serverExit?.signal && !serverExit.killed) {
    return outcome(
      "fail",
      `your server ended (${describeExit(serverExit)}) while serving your client${
        sequencing === "sentinel answered" ? "" : ` and sockgrade's own ${trigger}`
      }`,
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
          ? hint("pair.too-many", ctx.server.kind, { response, trigger })
          : hint("pair.too-few", ctx.server.kind),
      },
    );
  }
  const counted = onItsOwn
    ? `your server printed ${response} ${
      times(total)
    }: it prints it on its own too (charged to server.output), so the count for your client's messages (${why}) is not charged here`
    : `your server printed ${response} ${times(fromClient)} for its messages, as expected (${why})`;
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
