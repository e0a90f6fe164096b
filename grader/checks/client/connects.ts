/**
 * `client.connects`: the client, given the server's address and port (or, over Unix-domain
 * sockets, the server's path and its own), reached the grader's capture there over the spec's
 * transport (docs/TRANSPORTS.md): a stream client connected, a datagram client's first datagram
 * arrived; a Unix-domain client did so from a socket bound at the client path, since that path
 * is how the server tells who it is. When it did not, says where it dialled instead, which
 * transport it used instead, and what it printed.
 *
 * @module
 */

import { UNBOUND_CLIENT } from "../../probes/capture_server.ts";
import { serverEndpoint } from "../../probes/endpoints.ts";
import { isDatagramTransport } from "../../spec.ts";
import { hint } from "../hints/mod.ts";
import type { CheckContext, CheckOutcome } from "../types.ts";
import {
  type CaptureRun,
  clientUsage,
  ms,
  noConnectionReason,
  plural,
  runEvidence,
} from "./_run.ts";
import { tooLargeWords } from "./_too_large.ts";
import { transportName, transportWords } from "./_transport_words.ts";

/** The socket-type mismatch a Unix client's error shows (`EPROTOTYPE`), if it does. */
function wrongUnixType(run: CaptureRun): boolean {
  const lines = run.program?.stderrLines.map((l) => l.text) ?? [];
  return lines.some((l) => /EPROTOTYPE|protocol wrong type/i.test(l));
}

export function connectsOutcome(ctx: CheckContext, run: CaptureRun): CheckOutcome {
  const { net } = ctx;
  const transport = run.transport;
  const words = transportWords(transport, serverEndpoint(net));
  const target = words.target;
  const kind = ctx.client?.kind;
  const evidence = {
    ...runEvidence(run),
    ...(run.dialled.length ? { dialled: run.dialled } : {}),
    ...(run.wrongTransport ? { wrongTransport: run.wrongTransport } : {}),
    ...(run.leftSocketFile ? { note: "the client left its socket file behind" } : {}),
    exchanges: [run.exchange],
  };
  const base = { id: "client.connects" as const, evidence };
  const failed = (message: string, hintText: string): CheckOutcome => ({
    ...base,
    status: "fail",
    message,
    hint: hintText,
    durationMs: ms(run.endedAt - run.startedAt),
  });
  if (run.startError) {
    return failed(
      `your client could not be started: ${run.startError}`,
      hint("client.start-failed", kind),
    );
  }
  const first = run.connections[0];
  const firstDatagram = run.datagrams[0];
  if (!first && !firstDatagram) {
    const name = transportName(transport);
    const wrong = run.wrongTransport;
    if (wrong) {
      return failed(
        `your client ${
          wrong.used === "tcp" ? "connects over TCP" : "sends UDP datagrams"
        } (the grader saw ${wrong.seen} on ${target}), but the assignment is over ${name}: nothing reached the ${
          isDatagramTransport(transport) ? "server's datagram socket" : "server's listening socket"
        }`,
        hint(`client.wrong-transport.${transport}`, kind),
      );
    }
    if (net.paths && wrongUnixType(run)) {
      return failed(
        `your client's socket type does not match the server's: the assignment is over ${name}, and connecting or sending to ${target} failed with EPROTOTYPE`,
        hint(`client.wrong-transport.${transport}`, kind),
      );
    }
    const tooLarge = tooLargeWords(transport, run.program?.stderrLines.map((l) => l.text) ?? []);
    if (tooLarge) return failed(tooLarge, hint("messages.too-large", kind));
    return failed(
      noConnectionReason(run, words, ctx.spec.timeouts.clientMs),
      hint(clientUsage(run) ? "client.usage" : "client.connect-args", kind),
    );
  }
  const sources = [
    ...new Set([...run.connections.map((c) => c.from), ...run.datagrams.map((d) => d.from)]),
  ];
  const firstAt = first ? first.acceptedAt : firstDatagram!.at;
  const clientPath = net.paths?.clientPath;
  if (clientPath !== undefined) {
    const vars = { clientPath };
    if (sources.includes(UNBOUND_CLIENT)) {
      return failed(
        `your client's socket was not bound to a path (the grader saw it as ${UNBOUND_CLIENT}): bind your socket to ${clientPath} before ${
          isDatagramTransport(transport) ? "sending" : "connect()"
        }: the server filters by that path and cannot tell who an unbound client is`,
        hint("client.unbound", kind, vars),
      );
    }
    const other = sources.find((s) => s !== clientPath);
    if (other !== undefined) {
      return failed(
        `your client bound its socket to ${other}, not to ${clientPath}, the path it is given as its second argument: the server filters by that path and refuses any other`,
        hint("client.wrong-path", kind, vars),
      );
    }
  }
  const count = first
    ? plural(run.connections.length, "connection")
    : plural(run.datagrams.length, "datagram");
  // In the namespace the allowed client address is the local route's source: another is odd.
  const hosts = [
    ...run.connections.map((c) => c.remoteAddress),
    ...run.datagrams.map((d) => d.from.replace(/:\d+$/, "").replace(/^\[(.*)\]$/, "$1")),
  ];
  const unexpected = net.mode === "netns" && !net.paths &&
    hosts.some((h) => h !== net.clientAddress);
  return {
    ...base,
    status: "pass",
    message: `${first ? "connected to" : "sent datagrams to"} ${target} (${count}, first after ${
      ms(firstAt - run.startedAt)
    } ms${clientPath !== undefined ? `, from ${clientPath}` : ""})`,
    evidence: {
      ...evidence,
      ...(first
        ? { connections: run.connections.map((c) => ({ label: c.label, from: c.from, to: c.to })) }
        : { from: sources }),
      ...(unexpected
        ? { note: `it sent from ${sources.join(", ")}, not ${net.clientAddress}` }
        : {}),
    },
    durationMs: ms(firstAt - run.startedAt),
  };
}
