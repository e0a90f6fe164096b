/**
 * What the transports share: readiness from the socket tables, a {@linkcode Capture} over the
 * stream capture server (TCP and Unix streams), and a bounded capture of datagrams (UDP and Unix
 * datagrams).
 *
 * @module
 */

import type { Transport } from "../../spec.ts";
import { waitForServerSocket } from "../../sandbox/ports.ts";
import { escapeBytes } from "../../text/bytes.ts";
import {
  CAPTURE_LIMITS,
  type CapturedConnection,
  type CaptureLimits,
  type CaptureOverflow,
  type CaptureServer,
} from "../capture_server.ts";
import { frameDatagram, LineFramer } from "../framing.ts";
import type { ExchangeRecorder, PeerEnd, SendResult } from "../probe_client.ts";
import type {
  Capture,
  CapturedEnd,
  CapturedMessage,
  Endpoint,
  ProbeSession,
  ReadyOptions,
} from "../transport.ts";
import { formatEndpoint } from "../transport.ts";

/** {@linkcode ProbeTransport.waitReady} for any transport, from `sandbox/ports.ts`. */
export async function waitReadyFor(
  transport: Transport,
  opts: ReadyOptions,
): Promise<Endpoint | undefined> {
  const wanted = "path" in opts.at ? opts.at.path : opts.at.port;
  return await waitForServerSocket(transport, opts.pids, wanted, opts.timeoutMs, opts.exited);
}

/**
 * Polls `unread` (what the server's program has not read yet: 0 when everything was) until it is
 * 0 (`true`), `timeoutMs` passes (`false`) or it cannot be told (`undefined`).
 */
export async function waitUntilRead(
  unread: () => number | undefined | Promise<number | undefined>,
  timeoutMs: number,
): Promise<boolean | undefined> {
  const deadline = performance.now() + timeoutMs;
  let delay = 0.5;
  for (;;) {
    const left = await unread();
    if (left === undefined) return undefined;
    if (left === 0) return true;
    if (performance.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 5);
  }
}

/** A {@linkcode Capture} over a stream capture server: each connection's bytes framed as lines. */
export class StreamCapture implements Capture {
  readonly at: Endpoint;
  readonly #server: CaptureServer;

  /** Wraps a listening capture server. */
  constructor(server: CaptureServer) {
    this.#server = server;
    this.at = server.path !== undefined
      ? { path: server.path }
      : { address: server.address, port: server.port };
  }

  messages(): CapturedMessage[] {
    const out: CapturedMessage[] = [];
    for (const c of this.#server.connections) {
      const framer = new LineFramer();
      const take = (framed: { bytes: Uint8Array }[], at: number) =>
        out.push(...framed.map((m) => ({ from: c.from, bytes: m.bytes, at, connection: c.label })));
      for (const chunk of c.chunks) take(framer.push(chunk.bytes), chunk.at);
      if (c.end !== "open") take(framer.end(), c.endedAt ?? performance.now());
    }
    return out;
  }

  waitForMessages(count: number, timeoutMs: number): Promise<boolean> {
    return this.#server.waitFor(() => this.messages().length >= count, timeoutMs);
  }

  ends(): CapturedEnd[] {
    return this.#server.connections.map((c) => ({ connection: c.label, from: c.from, end: c.end }));
  }

  waitForAllEnded(timeoutMs: number, min = 0): Promise<boolean> {
    return this.#server.waitForAllEnded(timeoutMs, min);
  }

  sync(timeoutMs: number): Promise<boolean> {
    return this.#server.sync(timeoutMs);
  }

  connections(): readonly CapturedConnection[] {
    return this.#server.connections;
  }

  overflow(): CaptureOverflow | undefined {
    return this.#server.overflow;
  }

  record(recorder: ExchangeRecorder): void {
    this.#server.record(recorder);
  }

  close(): Promise<void> {
    return this.#server.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/** How a datagram capture reaches itself, for {@linkcode DatagramCapture.sync}. */
export interface DatagramSelf {
  /** The source its own datagrams show (an address or path of its own: no client has it). */
  from: string;
  /** Sends one datagram from `from` to the capture. */
  send(bytes: Uint8Array): Promise<void>;
}

/**
 * A bounded capture of datagrams: the transport feeds each one to {@linkcode DatagramCapture.add};
 * past {@linkcode CAPTURE_LIMITS}' chunk or byte bound they are counted, not kept.
 */
export class DatagramCapture implements Capture {
  readonly at: Endpoint;
  readonly #stop: () => Promise<void>;
  readonly #self: DatagramSelf | undefined;
  readonly #limits: Readonly<CaptureLimits>;
  readonly #kept: { from: string; bytes: Uint8Array; at: number }[] = [];
  readonly #waiters = new Set<() => void>();
  #keptBytes = 0;
  #syncs = 0;
  #synced = 0;
  /** Datagrams received and not kept (past the bounds). */
  dropped = 0;
  /** Bytes of the datagrams not kept. */
  droppedBytes = 0;
  #closed: Promise<void> | undefined;

  /**
   * `stop` closes the socket and removes what the capture made; `self` lets {@linkcode sync} send
   * to the capture itself (without it, `sync` answers false).
   */
  constructor(
    at: Endpoint,
    stop: () => Promise<void>,
    limits: Partial<CaptureLimits> = {},
    self?: DatagramSelf,
  ) {
    this.at = at;
    this.#stop = stop;
    this.#limits = { ...CAPTURE_LIMITS, ...limits };
    this.#self = self;
  }

  /** Records one datagram from `from`, received now (the capture's own sync datagrams aside). */
  add(from: string, bytes: Uint8Array): void {
    if (this.#self && from === this.#self.from) {
      this.#synced++;
      for (const wake of [...this.#waiters]) wake();
      return;
    }
    const limits = this.#limits;
    if (this.#kept.length >= limits.maxChunks || this.#keptBytes + bytes.length > limits.maxBytes) {
      this.dropped++;
      this.droppedBytes += bytes.length;
      return;
    }
    this.#kept.push({ from, bytes: bytes.slice(), at: performance.now() });
    this.#keptBytes += bytes.length;
    for (const wake of [...this.#waiters]) wake();
  }

  messages(): CapturedMessage[] {
    return this.#kept.map((d) => ({ from: d.from, bytes: frameDatagram(d.bytes).bytes, at: d.at }));
  }

  waitForMessages(count: number, timeoutMs: number): Promise<boolean> {
    return this.#waitUntil(() => this.#kept.length >= count, timeoutMs);
  }

  async #waitUntil(ready: () => boolean, timeoutMs: number): Promise<boolean> {
    if (ready()) return true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let wake = () => {};
    try {
      return await new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
        wake = () => {
          if (ready() || this.#closed) resolve(ready());
        };
        this.#waiters.add(wake);
      });
    } finally {
      clearTimeout(timer);
      this.#waiters.delete(wake);
    }
  }

  ends(): CapturedEnd[] {
    return [];
  }

  waitForAllEnded(): Promise<boolean> {
    return Promise.resolve(true);
  }

  async sync(timeoutMs: number): Promise<boolean> {
    if (!this.#self || this.#closed) return false;
    const wanted = ++this.#syncs;
    try {
      await this.#self.send(new Uint8Array([0]));
    } catch {
      return false;
    }
    return await this.#waitUntil(() => this.#synced >= wanted, timeoutMs);
  }

  connections(): readonly CapturedConnection[] {
    return [];
  }

  overflow(): CaptureOverflow | undefined {
    if (this.dropped === 0) return undefined;
    return {
      receivedBytes: this.#keptBytes + this.droppedBytes,
      droppedBytes: this.droppedBytes,
      connections: 0,
      unrecordedConnections: 0,
      unreadConnections: 0,
      limits: this.#limits,
    };
  }

  record(recorder: ExchangeRecorder): void {
    const to = formatEndpoint(this.at);
    for (const d of this.#kept) {
      recorder.add(
        {
          actor: "client",
          kind: "send",
          from: d.from,
          to,
          data: escapeBytes(d.bytes, 512),
          size: d.bytes.length,
        },
        d.at,
      );
    }
    if (this.dropped > 0) {
      recorder.add({
        actor: "capture",
        kind: "note",
        data: `${this.dropped} more datagrams were received and not kept`,
      });
    }
  }

  close(): Promise<void> {
    this.#closed ??= this.#stop();
    for (const wake of [...this.#waiters]) wake();
    return this.#closed;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/** How a datagram probe sends and closes; the session records around them. */
export interface DatagramSocket {
  /** Sends one datagram to the server; rejects with the system's error. */
  send(bytes: Uint8Array): Promise<void>;
  /** What was sent and not yet read by the server's program (0: all read; undefined: unknown). */
  unread(): number | undefined | Promise<number | undefined>;
  /** Closes the socket and removes what it made. */
  close(): Promise<void>;
}

/** A datagram {@linkcode ProbeSession}: sends, no end, no close to observe. */
export class DatagramSession implements ProbeSession {
  readonly from: string;
  readonly peerEnd = "open";
  readonly serverClosedFirst = false;
  readonly #to: string;
  readonly #socket: DatagramSocket;
  readonly #recorder: ExchangeRecorder;
  readonly #label: string;
  #closed: Promise<void> | undefined;

  /** Wraps a bound datagram socket that sends to `to`. */
  constructor(
    socket: DatagramSocket,
    route: { from: string; to: string },
    recorder: ExchangeRecorder,
    label: string,
  ) {
    this.#socket = socket;
    this.from = route.from;
    this.#to = route.to;
    this.#recorder = recorder;
    this.#label = label;
  }

  async send(data: string | Uint8Array, timeoutMs = 1000): Promise<SendResult> {
    const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
    const route = { connection: this.#label, from: this.from, to: this.#to };
    this.#recorder.add({
      actor: "probe",
      kind: "send",
      ...route,
      data: escapeBytes(bytes, 512),
      size: bytes.length,
    });
    if (this.#closed) return "closed";
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      return await Promise.race([
        this.#socket.send(bytes).then(() => "sent" as const),
        new Promise<"timeout">((resolve) =>
          timer = setTimeout(() => resolve("timeout"), timeoutMs)
        ),
      ]);
    } catch (error) {
      const code = (error as { code?: string }).code ?? (error as Error).name;
      this.#recorder.add({
        actor: "probe",
        kind: "note",
        ...route,
        data: `the datagram of ${bytes.length} bytes was not sent (${code}: ${
          (error as Error).message
        })`,
      });
      return "closed";
    } finally {
      clearTimeout(timer);
    }
  }

  sendAndEnd(data: string | Uint8Array, timeoutMs?: number): Promise<SendResult> {
    return this.send(data, timeoutMs);
  }

  waitConsumed(timeoutMs: number): Promise<boolean | undefined> {
    if (this.#closed) return Promise.resolve(undefined);
    return waitUntilRead(() => this.#socket.unread(), timeoutMs);
  }

  end(): Promise<void> {
    return Promise.resolve();
  }

  reset(): Promise<void> {
    return this.close();
  }

  waitPeerEnd(): Promise<PeerEnd> {
    return Promise.resolve("open");
  }

  close(): Promise<void> {
    this.#closed ??= this.#socket.close();
    return this.#closed;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
