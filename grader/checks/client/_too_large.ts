/**
 * The article's datagram pitfall: a client that sends a message in a buffer larger than a
 * datagram socket takes gets `EMSGSIZE` (or `ENOBUFS` with other buffer settings) and nothing
 * arrives. The grader cannot see the refused datagram, only what the client printed; this says
 * it in words, with the size when the client printed one and the limit here (docs/TRANSPORTS.md:
 * a Unix datagram may be at most the sender's buffer, `net.core.wmem_default`, less 32 bytes;
 * a UDP payload at most 65,507 bytes over IPv4 and 65,527 over IPv6).
 *
 * @example
 * ```ts
 * import { tooLargeWords } from "./_too_large.ts";
 * const text = tooLargeWords("unix-dgram", ["sendto: Message too long (300000 bytes)"], 212_960);
 * if (!text?.includes("300000 bytes, at most 212960")) throw new Error(text);
 * if (tooLargeWords("unix-dgram", ["connect: No such file or directory"]) !== undefined) {
 *   throw new Error("not the pitfall");
 * }
 * ```
 * @module
 */

import type { Transport } from "../../spec.ts";

/** The measured limit when the system's buffer size cannot be read (Linux's defaults). */
const DEFAULT_UNIX_LIMIT = 212_960;
/** What a Unix datagram needs of the send buffer besides its bytes. */
const UNIX_OVERHEAD = 32;

/** The largest Unix datagram a socket with the default send buffer sends here. */
export function unixDatagramLimit(): number {
  try {
    const text = Deno.readTextFileSync("/proc/sys/net/core/wmem_default").trim();
    const bytes = Number(text);
    return Number.isSafeInteger(bytes) && bytes > UNIX_OVERHEAD
      ? bytes - UNIX_OVERHEAD
      : DEFAULT_UNIX_LIMIT;
  } catch {
    return DEFAULT_UNIX_LIMIT;
  }
}

/** The largest UDP payload: 65,507 bytes over IPv4, 65,527 over IPv6. */
export function udpDatagramLimit(ipv6: boolean): number {
  return ipv6 ? 65_527 : 65_507;
}

const TOO_LARGE = /\bEMSGSIZE\b|message too long/i;
const NO_BUFFERS = /\bENOBUFS\b|no buffer space available/i;

/**
 * When a datagram client's stderr lines show a datagram refused for its size, one sentence
 * saying so (with the size when a printed number exceeds `limit`, and the limit); else
 * undefined. `limit` defaults to this system's ({@linkcode unixDatagramLimit}; UDP: IPv4's).
 */
export function tooLargeWords(
  transport: Transport,
  stderr: readonly string[],
  limit?: number,
): string | undefined {
  if (transport !== "unix-dgram" && transport !== "udp") return undefined;
  const pattern = transport === "udp" ? TOO_LARGE : new RegExp(
    `${TOO_LARGE.source}|${NO_BUFFERS.source}`,
    "i",
  );
  const line = stderr.find((l) => pattern.test(l));
  if (line === undefined) return undefined;
  const max = limit ?? (transport === "udp" ? udpDatagramLimit(false) : unixDatagramLimit());
  const sizes = [...line.matchAll(/\d[\d,_]*/g)]
    .map((m) => Number(m[0].replace(/[,_]/g, "")))
    .filter((n) => n > max);
  const size = sizes.length > 0 ? `${Math.max(...sizes)} bytes, ` : "";
  const code = TOO_LARGE.test(line) ? "EMSGSIZE" : "ENOBUFS";
  const kind = transport === "udp" ? "a UDP datagram" : "a Unix datagram socket here";
  return `your client's datagram was too large for ${kind} (${size}at most ${max} bytes): its send failed with ${code} ("${
    line.trim().slice(0, 200)
  }")`;
}
