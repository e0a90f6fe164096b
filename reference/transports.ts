/**
 * The transports of EXERCISE.md §6, as the reference server and client name them: `tcp` (the
 * default), `udp`, `unix-stream` and `unix-dgram`. IPv4 or IPv6 is chosen by the addresses.
 *
 * @example
 * ```ts
 * import { isUnixTransport, TRANSPORTS } from "./transports.ts";
 * if (TRANSPORTS.filter(isUnixTransport).join() !== "unix-stream,unix-dgram") throw new Error();
 * ```
 * @module
 */

/** The transports, the default first. */
export const TRANSPORTS = ["tcp", "udp", "unix-stream", "unix-dgram"] as const;
/** One of {@linkcode TRANSPORTS}. */
export type Transport = typeof TRANSPORTS[number];

/** Whether a transport names its ends by Unix-domain paths rather than IP addresses. */
export function isUnixTransport(transport: Transport): transport is "unix-stream" | "unix-dgram" {
  return transport === "unix-stream" || transport === "unix-dgram";
}

/** Whether a transport carries datagrams (one message each) rather than a stream of lines. */
export function isDatagramTransport(transport: Transport): transport is "udp" | "unix-dgram" {
  return transport === "udp" || transport === "unix-dgram";
}
