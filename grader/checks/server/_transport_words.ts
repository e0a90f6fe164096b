/**
 * Words for what a server waits on, per transport (EXERCISE.md §6): "TCP port 6666", "a Unix
 * datagram socket at /run/x/server.sock"; and the message for a server that waits on another
 * transport than the spec's ({@linkcode wrongTransportWords}), with what to use instead.
 *
 * @example
 * ```ts
 * import { wrongTransportWords } from "./_transport_words.ts";
 * const words = wrongTransportWords("udp", [
 *   { transport: "tcp", socket: { address: "0.0.0.0", port: 6666 } },
 * ]);
 * if (!words.startsWith("your server listens on TCP port 6666, but the assignment is over UDP")) {
 *   throw new Error(words);
 * }
 * ```
 * @module
 */

import { isDatagramTransport, type Transport } from "../../spec.ts";
import type { TransportSocket } from "../../sandbox/ports.ts";

/** The transport's name in a sentence. */
export const TRANSPORT_NAMES: Readonly<Record<Transport, string>> = {
  tcp: "TCP",
  udp: "UDP",
  "unix-stream": "Unix-domain stream sockets (unix-stream)",
  "unix-dgram": "Unix-domain datagram sockets (unix-dgram)",
};

/**
 * What a server of each transport does, as the advice of a wrong-transport message, in words of
 * no language (the hint says it in the student's own language's API).
 */
const USE: Readonly<Record<Transport, string>> = {
  tcp: "listen on a TCP (stream) socket at the port you are given and accept connections",
  udp: "bind a UDP (datagram) socket to the port you are given and read each datagram",
  "unix-stream":
    "listen on a Unix-domain stream socket bound to the path given as the second argument",
  "unix-dgram":
    "bind a Unix-domain datagram socket to the path given as the second argument and read each datagram",
};

/** "listens on TCP port 6666", "is bound to a Unix datagram socket at /x/server.sock". */
export function waitsOn({ transport, socket }: TransportSocket): string {
  const verb = isDatagramTransport(transport) ? "is bound to" : "listens on";
  if ("path" in socket) {
    const kind = transport === "unix-stream" ? "stream" : "datagram";
    return `${verb} a Unix-domain ${kind} socket at ${socket.path}`;
  }
  return `${verb} ${transport.toUpperCase()} port ${socket.port}`;
}

/**
 * The message for a server that waits only on other transports than `wanted`: what it waits on
 * (at most three), the spec's transport, and what to use.
 */
export function wrongTransportWords(wanted: Transport, elsewhere: TransportSocket[]): string {
  const seen = elsewhere.slice(0, 3).map(waitsOn);
  const more = elsewhere.length > 3 ? ` (and ${elsewhere.length - 3} more)` : "";
  return `your server ${seen.join(" and ")}${more}, but the assignment is over ${
    TRANSPORT_NAMES[wanted]
  }: ${USE[wanted]}`;
}

/** "nothing listened on port 6666", "nothing was bound at /x/server.sock", per transport. */
export function nothingWords(transport: Transport, where: { port: number; path?: string }): string {
  const verb = isDatagramTransport(transport) ? "was bound" : "listened";
  if (where.path !== undefined) return `nothing ${verb} at ${where.path}`;
  return `nothing ${verb} on ${transport.toUpperCase()} port ${where.port}`;
}
