/**
 * Who a peer is, per transport: over `tcp` and `udp` the source IP address (IPv4-mapped IPv6
 * compared as IPv4), over `unix-stream` and `unix-dgram` the path the peer bound its socket to
 * (an unbound Unix socket has none, so it cannot be told apart from any other and is never
 * allowed). The `key` is what the address filter compares; `shown` is how the log names it.
 *
 * @example
 * ```ts
 * import { normalizeAddress, peerOf } from "./peers.ts";
 * if (normalizeAddress("::ffff:127.0.0.1") !== "127.0.0.1") throw new Error();
 * const peer = peerOf({ transport: "tcp", hostname: "::ffff:127.0.0.2", port: 4000 });
 * if (peer.key !== "127.0.0.2" || peer.shown !== "127.0.0.2:4000") throw new Error(peer.shown);
 * ```
 * @module
 */

import { isIP } from "node:net";

/** A peer as the address filter and the log see it. */
export interface Peer {
  /** What the allow list is compared with: an IP address or a path; `""` for an unbound socket. */
  key: string;
  /** How the log names the peer. */
  shown: string;
}

/**
 * Puts an IP address in the form peers are compared in: IPv4-mapped IPv6 (`::ffff:a.b.c.d`)
 * becomes `a.b.c.d`, IPv6 is lower-cased and compressed. Anything else is returned unchanged.
 */
export function normalizeAddress(address: string): string {
  if (isIP(address) !== 6) return address;
  let canonical: string;
  try {
    canonical = new URL(`http://[${address}]/`).hostname.slice(1, -1);
  } catch {
    return address.toLowerCase();
  }
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(canonical);
  if (!mapped) return canonical;
  const high = parseInt(mapped[1]!, 16);
  const low = parseInt(mapped[2]!, 16);
  return [high >> 8, high & 255, low >> 8, low & 255].join(".");
}

/** `host:port`, with IPv6 hosts in brackets. */
export function formatHostPort(hostname: string, port: number): string {
  return hostname.includes(":") ? `[${hostname}]:${port}` : `${hostname}:${port}`;
}

/** The peer behind a socket address of any transport Deno reports. */
export function peerOf(addr: Deno.Addr): Peer {
  if (!("hostname" in addr)) {
    const path = "path" in addr ? addr.path ?? "" : "";
    return { key: path, shown: path === "" ? "an unbound socket" : path };
  }
  const ip = normalizeAddress(addr.hostname);
  return { key: ip, shown: formatHostPort(ip, addr.port) };
}
