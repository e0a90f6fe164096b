/**
 * The `tcp` transport (the article's homework): readiness is a listening TCP socket, probes are
 * {@linkcode connectProbe} connections (a chosen local address, FIN, RST, the server's close seen),
 * the capture is the {@linkcode CaptureServer}. IPv6 by the addresses.
 *
 * @module
 */

import { CaptureServer } from "../capture_server.ts";
import { connectProbe, formatAddress, type ProbeConnection } from "../probe_client.ts";
import type { ProbeSession, ProbeTransport } from "../transport.ts";
import { StreamCapture, waitReadyFor } from "./_common.ts";

class TcpSession implements ProbeSession {
  readonly from: string;
  readonly #conn: ProbeConnection;

  constructor(conn: ProbeConnection) {
    this.#conn = conn;
    this.from = formatAddress(conn.localAddress, conn.localPort);
  }

  get peerEnd() {
    return this.#conn.peerEnd;
  }

  get serverClosedFirst() {
    return this.#conn.serverClosedFirst;
  }

  send(data: string | Uint8Array, timeoutMs?: number) {
    return this.#conn.send(data, timeoutMs);
  }

  sendAndEnd(data: string | Uint8Array, timeoutMs?: number) {
    return this.#conn.sendAndEnd(data, timeoutMs);
  }

  waitConsumed(timeoutMs: number) {
    return this.#conn.waitConsumed(timeoutMs);
  }

  end() {
    return this.#conn.end();
  }

  reset(): Promise<void> {
    this.#conn.reset();
    return this.#conn.close();
  }

  waitPeerEnd(timeoutMs: number) {
    return this.#conn.waitPeerEnd(timeoutMs);
  }

  close() {
    return this.#conn.close();
  }

  [Symbol.asyncDispose]() {
    return this.close();
  }
}

/** The `tcp` transport. */
export const tcp: ProbeTransport = {
  name: "tcp",
  datagram: false,
  waitReady: (opts) => waitReadyFor("tcp", opts),
  async open(opts) {
    if ("path" in opts.to) throw new TypeError("A TCP probe needs an address and a port.");
    const conn = await connectProbe({
      host: opts.to.address,
      port: opts.to.port,
      ...(opts.from && "address" in opts.from ? { localAddress: opts.from.address } : {}),
      timeoutMs: opts.timeoutMs,
      recorder: opts.recorder,
      ...(opts.connection ? { connection: opts.connection } : {}),
    });
    return new TcpSession(conn);
  },
  capture(opts) {
    if ("path" in opts.at) throw new TypeError("A TCP capture needs an address and a port.");
    const server = CaptureServer.listen({
      hostname: opts.at.address,
      port: opts.at.port,
      ...(opts.limits ? { limits: opts.limits } : {}),
    });
    return Promise.resolve(new StreamCapture(server));
  },
};
