/**
 * The `unix-stream` transport: readiness is a listening Unix stream socket at the server's path;
 * probes bind their own path first (the server's filter compares it) through
 * `_unix_socket.ts`; the capture is the {@linkcode CaptureServer} on a path, which reports each
 * client's bound path. A Unix stream has no RST: `reset()` closes, and the server reads the end
 * of the stream (or `ECONNRESET` when it left bytes unread).
 *
 * @module
 */

import { CaptureServer } from "../capture_server.ts";
import type { ExchangeRecorder, PeerEnd, SendResult } from "../probe_client.ts";
import { ProbeConnectError } from "../probe_client.ts";
import type { ProbeSession, ProbeTransport } from "../transport.ts";
import { StreamCapture, waitReadyFor, waitUntilRead } from "./_common.ts";
import { removeSocketFile, UnixSocketError, UnixStreamSocket } from "./_unix_socket.ts";
import { escapeBytes } from "../../text/bytes.ts";

class UnixStreamSession implements ProbeSession {
  readonly from: string;
  readonly #socket: UnixStreamSocket;
  readonly #recorder: ExchangeRecorder;
  readonly #label: string;
  #ended = false;
  #peerSeen = false;
  #serverFirst = false;

  constructor(socket: UnixStreamSocket, recorder: ExchangeRecorder, label: string) {
    this.#socket = socket;
    this.#recorder = recorder;
    this.#label = label;
    this.from = socket.localPath || "(unbound)";
    recorder.add({ actor: "probe", kind: "connect", connection: label, ...this.#route() });
  }

  #route(fromPeer = false) {
    const here = this.from;
    const there = this.#socket.remotePath;
    return fromPeer ? { from: there, to: here } : { from: here, to: there };
  }

  get peerEnd(): PeerEnd {
    return this.#socket.peerEnd;
  }

  get serverClosedFirst(): boolean {
    return this.#serverFirst;
  }

  async sendAndEnd(data: string | Uint8Array, timeoutMs = 1000): Promise<SendResult> {
    const result = await this.send(data, timeoutMs);
    await this.end();
    return result;
  }

  waitConsumed(timeoutMs: number): Promise<boolean | undefined> {
    if (this.#socket.closed) return Promise.resolve(undefined);
    return waitUntilRead(() => this.#socket.unread(), timeoutMs);
  }

  async send(data: string | Uint8Array, timeoutMs = 1000): Promise<SendResult> {
    const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
    this.#recorder.add({
      actor: "probe",
      kind: "send",
      connection: this.#label,
      ...this.#route(),
      data: escapeBytes(bytes, 512),
      size: bytes.length,
    });
    if (this.#ended || this.#socket.closed) return "closed";
    const result = await this.#socket.send(bytes, timeoutMs);
    if (result === "timeout") {
      this.#recorder.add({
        actor: "probe",
        kind: "timeout",
        connection: this.#label,
        data: `the server did not take ${bytes.length} bytes within ${timeoutMs} ms`,
      });
    }
    return result;
  }

  end(): Promise<void> {
    if (this.#ended || this.#socket.closed) return Promise.resolve();
    this.#ended = true;
    this.#recorder.add({
      actor: "probe",
      kind: "close",
      connection: this.#label,
      ...this.#route(),
    });
    this.#socket.shutdown();
    return Promise.resolve();
  }

  async reset(): Promise<void> {
    if (this.#socket.closed) return;
    this.#recorder.add({
      actor: "probe",
      kind: "reset",
      connection: this.#label,
      ...this.#route(),
    });
    await this.close();
  }

  async waitPeerEnd(timeoutMs: number): Promise<PeerEnd> {
    const end = await this.#socket.waitPeerEnd(timeoutMs);
    if (end !== "open" && !this.#peerSeen) {
      this.#peerSeen = true;
      if (!this.#ended) this.#serverFirst = true;
      this.#recorder.add({
        actor: "server",
        kind: end === "fin" ? "close" : "reset",
        connection: this.#label,
        ...this.#route(true),
      });
    }
    return end;
  }

  async close(): Promise<void> {
    await this.#socket.close();
    if (this.#socket.localPath) await removeSocketFile(this.#socket.localPath);
  }

  [Symbol.asyncDispose]() {
    return this.close();
  }
}

/** The `unix-stream` transport. */
export const unixStream: ProbeTransport = {
  name: "unix-stream",
  datagram: false,
  waitReady: (opts) => waitReadyFor("unix-stream", opts),
  async open(opts) {
    if (!("path" in opts.to)) throw new TypeError("A Unix-domain probe needs a path.");
    const bindPath = opts.from && "path" in opts.from ? opts.from.path : undefined;
    const label = opts.connection ?? "conn";
    let socket: UnixStreamSocket;
    try {
      socket = await UnixStreamSocket.connect({
        path: opts.to.path,
        ...(bindPath !== undefined ? { bindPath } : {}),
        timeoutMs: opts.timeoutMs,
      });
    } catch (error) {
      if (!(error instanceof UnixSocketError)) throw error;
      const failure = error.code === "ETIMEDOUT"
        ? "timeout"
        : error.message.startsWith("could not bind")
        ? "bind"
        : error.code === "ECONNREFUSED" || error.code === "ENOENT"
        ? "refused"
        : "other";
      opts.recorder.add({
        actor: "probe",
        kind: failure === "refused" ? "refused" : failure === "timeout" ? "timeout" : "note",
        connection: label,
        ...(bindPath ? { from: bindPath } : {}),
        to: opts.to.path,
        data: error.message,
      });
      throw new ProbeConnectError(error.message, failure, error.code, error);
    }
    return new UnixStreamSession(socket, opts.recorder, label);
  },
  capture(opts) {
    if (!("path" in opts.at)) throw new TypeError("A Unix-domain capture needs a path.");
    const server = CaptureServer.listen({
      path: opts.at.path,
      ...(opts.limits ? { limits: opts.limits } : {}),
    });
    return Promise.resolve(new StreamCapture(server));
  },
};
