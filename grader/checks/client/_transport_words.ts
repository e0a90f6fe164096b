/**
 * How the client checks and the pair check say what a client and a server do over the spec's
 * transport (EXERCISE.md §6): a stream client connects, a datagram client sends datagrams; a
 * stream server listens, a datagram server is bound; IP transports are reached at an address and
 * port, Unix-domain ones at a path.
 *
 * @example
 * ```ts
 * import { transportWords } from "./_transport_words.ts";
 * const udp = transportWords("udp", { address: "127.0.0.1", port: 6666 });
 * if (udp.reach !== "send a datagram to 127.0.0.1:6666") throw new Error(udp.reach);
 * const unix = transportWords("unix-stream", { path: "/run/s.sock" });
 * if (unix.serverAbsent !== "nothing listened at /run/s.sock") throw new Error(unix.serverAbsent);
 * ```
 * @module
 */

import { isDatagramTransport, type Transport } from "../../spec.ts";
import { type Endpoint, formatEndpoint } from "../../probes/transport.ts";

/** Phrases about the server's endpoint `target`, for one transport. */
export interface TransportWords {
  /** The server's endpoint as written in messages. */
  target: string;
  /** "connect to X" / "send a datagram to X". */
  reach: string;
  /** "connecting to X" / "sending a datagram to X". */
  reaching: string;
  /** "connected to X" / "sent a datagram to X". */
  reached: string;
  /** "no server was listening" / "nothing listened at P" / "nothing was bound at P". */
  serverAbsent: string;
  /** "listened on port N" / "bound UDP port N" / "listened at P" / "bound P". */
  serverReady: string;
  /** The same in the present: "listen on port N" / "bind UDP port N" / … */
  serverWait: string;
  /** The transport's name for students: "TCP", "UDP", "a Unix stream socket", … */
  name: string;
}

/** The transport's name in a sentence. */
export function transportName(transport: Transport): string {
  return transport === "tcp"
    ? "TCP"
    : transport === "udp"
    ? "UDP"
    : transport === "unix-stream"
    ? "Unix stream sockets (SOCK_STREAM)"
    : "Unix datagram sockets (SOCK_DGRAM)";
}

/** The phrases for `transport` with the server at `at`. */
export function transportWords(transport: Transport, at: Endpoint): TransportWords {
  const target = formatEndpoint(at);
  const datagram = isDatagramTransport(transport);
  const where = "path" in at ? `at ${at.path}` : `on port ${at.port}`;
  return {
    target,
    reach: datagram ? `send a datagram to ${target}` : `connect to ${target}`,
    reaching: datagram ? `sending a datagram to ${target}` : `connecting to ${target}`,
    reached: datagram ? `sent a datagram to ${target}` : `connected to ${target}`,
    serverAbsent: transport === "tcp"
      ? "no server was listening"
      : transport === "unix-stream"
      ? `nothing listened ${where}`
      : `nothing was bound ${where}`,
    serverReady: transport === "tcp"
      ? `listened ${where}`
      : transport === "udp"
      ? `bound UDP port ${"port" in at ? at.port : target}`
      : transport === "unix-stream"
      ? `listened ${where}`
      : `bound ${target}`,
    serverWait: transport === "tcp"
      ? `listen ${where}`
      : transport === "udp"
      ? `bind UDP port ${"port" in at ? at.port : target}`
      : transport === "unix-stream"
      ? `listen ${where}`
      : `bind ${target}`,
    name: transportName(transport),
  };
}
