/**
 * The transports, one module each, by their name in the spec (EXERCISE.md §6). A new transport
 * is one module and one row here, and runs the contract test (`contract_test.ts`).
 *
 * @example
 * ```ts
 * import { probeTransport } from "./mod.ts";
 * if (!probeTransport("udp").datagram || probeTransport("tcp").datagram) throw new Error();
 * ```
 * @module
 */

import type { Transport } from "../../spec.ts";
import type { ProbeTransport } from "../transport.ts";
import { tcp } from "./tcp.ts";
import { udp } from "./udp.ts";
import { unixDgram } from "./unix_dgram.ts";
import { unixStream } from "./unix_stream.ts";

export { leaveStaleSocket, removeSocketFile, removeSocketFileSync } from "./_unix_socket.ts";

/** Every transport, by name. */
export const PROBE_TRANSPORTS: Readonly<Record<Transport, ProbeTransport>> = Object.freeze({
  tcp,
  udp,
  "unix-stream": unixStream,
  "unix-dgram": unixDgram,
});

/** The transport the spec names. */
export function probeTransport(name: Transport): ProbeTransport {
  return PROBE_TRANSPORTS[name];
}
