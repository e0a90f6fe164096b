/**
 * The grader's probe client: one TCP connection to a student's server that can bind a chosen
 * local address (node:net `localAddress`; `Deno.connect` cannot bind), connect with a deadline,
 * send chunks as separate writes (each awaited until the kernel took it, optionally with
 * TCP_NODELAY), half-close, close or reset (RST), and tell how the peer ended the connection
 * (FIN, RST or still open). Everything it does is recorded as {@linkcode ExchangeEvent}s in an
 * {@linkcode ExchangeRecorder}, so the report can draw sequence diagrams.
 *
 * {@linkcode ProbeConnection.waitConsumed} answers "has the server's program read everything I
 * sent?" by reading `/proc/net/tcp{,6}` (`sandbox/proc_net.ts`): our socket's send queue is empty (the peer's kernel has
 * acknowledged every byte) and the server-side socket's receive queue is empty (its program has
 * read them). Checks use it to make two writes arrive as two separate `recv()`s, without a sleep.
 *
 * ## The probe never leaves the server's port in TIME_WAIT
 *
 * TIME_WAIT (60 s on Linux) lands on the side that closes first. A TIME_WAIT socket on the
 * server's port makes every later `bind()` on that port fail with `EADDRINUSE` unless both it
 * and the new socket set `SO_REUSEADDR`, which many student servers (the article's among them)
 * do not: the next fresh server, the capture server and the pair's server could then not listen.
 * So a probe connection ends in one of two ways only:
 *
 * - the probe closes first: {@linkcode ProbeConnection.end} (half-close) and
 *   {@linkcode ProbeConnection.close} send our FIN while the server's side is still open; the
 *   server's socket then goes CLOSE_WAIT → LAST_ACK → CLOSED and the TIME_WAIT is ours, on the
 *   probe's own ephemeral port, which nothing needs;
 * - the server closed first (its FIN arrived before ours would leave, seen as the socket's
 *   `end` event or as CLOSE_WAIT in `/proc/net/tcp`): the probe resets (RST, as with SO_LINGER 0)
 *   instead of sending a FIN, which takes the server's socket from FIN_WAIT_2 straight to CLOSED.
 *
 * Sockets are opened with `allowHalfOpen`, so node:net never answers the server's FIN with a FIN
 * of its own behind our back. A RST is only sent once the server has closed, so it loses no byte
 * the server would still read.
 *
 * One race is left: a server that closes on its own, without waiting for our FIN (the article's
 * one `recv()` per connection), right after reading our last bytes, can close before our FIN
 * arrives, and then gets the TIME_WAIT. {@linkcode ProbeConnection.sendAndEnd} writes the bytes
 * and the FIN back to back (in Deno's node:net they are still two writes a little apart, so this
 * narrows the race, it does not close it); the server checks close it for such servers by
 * waiting for the server's close before resetting (`Work.sendLast` in `checks/server/_work.ts`),
 * and report `error`, not `fail`, when a server cannot listen while a TIME_WAIT holds its port.
 *
 * @example
 * ```ts
 * import net from "node:net";
 * import { connectProbe, ExchangeRecorder } from "./probe_client.ts";
 * // A server that closes first: the probe then ends with RST, so no TIME_WAIT is left on its port.
 * const server = net.createServer((s) => s.on("error", () => {}).on("data", () => s.end()));
 * await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
 * const port = (server.address() as net.AddressInfo).port;
 * const recorder = new ExchangeRecorder("hello");
 * const conn = await connectProbe({ host: "127.0.0.1", port, recorder, timeoutMs: 1000 });
 * await conn.send("hi\n");
 * const end = await conn.waitPeerEnd(1000);
 * await conn.close();
 * await new Promise((r) => server.close(r));
 * if (end !== "fin" || !conn.serverClosedFirst) throw new Error(end);
 * ```
 * @module
 */

import net from "node:net";
import { escapeBytes } from "../text/bytes.ts";
import type { Actor, Exchange, ExchangeEvent } from "../result.ts";
import {
  formatAddress,
  type InetSocket,
  readInetSockets,
  TCP_STATE,
  unmapAddress,
} from "../sandbox/proc_net.ts";

/** Collects the events of one exchange with times relative to its start. */
export class ExchangeRecorder {
  /** `performance.now()` when the exchange began. */
  readonly t0: number;
  readonly #label: string;
  readonly #events: ExchangeEvent[] = [];

  /**
   * @param label what the exchange tries, e.g. "trigger from 127.0.0.1".
   * @param t0 its start as a `performance.now()` value (default: now).
   */
  constructor(label: string, t0 = performance.now()) {
    this.#label = label;
    this.t0 = t0;
  }

  /** Adds an event that happened at `at` (a `performance.now()` value, default now). */
  add(event: Omit<ExchangeEvent, "atMs">, at = performance.now()): void {
    this.#events.push({ atMs: Math.max(0, Math.round((at - this.t0) * 10) / 10), ...event });
  }

  /** Adds a note (a grader remark) to the exchange. */
  note(text: string, actor: Actor = "grader"): void {
    this.add({ actor, kind: "note", data: text });
  }

  /** The number of events so far. */
  get size(): number {
    return this.#events.length;
  }

  /** The exchange, events sorted by time (stable for equal times). */
  toExchange(): Exchange {
    const events = this.#events.map((e, i) => ({ e, i }))
      .sort((a, b) => a.e.atMs - b.e.atMs || a.i - b.i)
      .map(({ e }) => e);
    return { label: this.#label, events };
  }
}

/** How the peer ended the connection: FIN (orderly close), RST (reset), or not at all yet. */
export type PeerEnd = "fin" | "rst" | "open";

/** Why a probe could not connect. `bind` means the grader could not use its local address. */
export type ConnectFailure = "bind" | "refused" | "timeout" | "other";

/** A connection attempt that failed; `failure` says how. */
export class ProbeConnectError extends Error {
  override name = "ProbeConnectError";
  /** How it failed. */
  readonly failure: ConnectFailure;
  /** The system error code, e.g. `ECONNREFUSED`, when there was one. */
  readonly code: string | undefined;

  /** Makes the error; `cause` is the underlying socket error, if any. */
  constructor(message: string, failure: ConnectFailure, code?: string, cause?: unknown) {
    super(message, { cause });
    this.failure = failure;
    this.code = code;
  }
}

/** Where and how to connect. */
export interface ConnectOptions {
  /** The server's address. */
  host: string;
  /** The server's port. */
  port: number;
  /** The local address to bind before connecting (default: the system's choice). */
  localAddress?: string;
  /** Deadline for the connection to be established. */
  timeoutMs: number;
  /** Set TCP_NODELAY so every write goes out as its own segment (default true). */
  noDelay?: boolean;
  /** Where events are recorded. */
  recorder: ExchangeRecorder;
  /** The connection's label in the exchange (default "conn"). */
  connection?: string;
}

/** What became of one write. */
export type SendResult = "sent" | "timeout" | "closed";

const BIND_CODES = new Set(["EADDRNOTAVAIL", "EINVAL", "EACCES", "EADDRINUSE"]);

/** Opens a probe connection; throws {@linkcode ProbeConnectError} when it cannot. */
export async function connectProbe(opts: ConnectOptions): Promise<ProbeConnection> {
  const { recorder, host, port } = opts;
  const label = opts.connection ?? "conn";
  const to = formatAddress(host, port);
  const socket = net.connect({
    host,
    port,
    ...(opts.localAddress ? { localAddress: opts.localAddress } : {}),
    noDelay: opts.noDelay ?? true,
    // Never answer the server's FIN with ours automatically (see the module doc).
    allowHalfOpen: true,
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", () => resolve());
      socket.once("error", reject);
      timer = setTimeout(
        () =>
          reject(
            new ProbeConnectError(`no connection to ${to} within ${opts.timeoutMs} ms`, "timeout"),
          ),
        opts.timeoutMs,
      );
    });
  } catch (error) {
    socket.destroy();
    if (error instanceof ProbeConnectError) {
      recorder.add({ actor: "probe", kind: "timeout", connection: label, to, data: error.message });
      throw error;
    }
    const code = (error as NodeJS.ErrnoException).code;
    const failure: ConnectFailure = code === "ECONNREFUSED"
      ? "refused"
      : code && BIND_CODES.has(code) && opts.localAddress
      ? "bind"
      : "other";
    const what = failure === "bind"
      ? `could not bind the local address ${opts.localAddress} (${code})`
      : failure === "refused"
      ? `connection to ${to} refused`
      : `could not connect to ${to}: ${(error as Error).message}`;
    recorder.add({
      actor: "probe",
      kind: failure === "refused" ? "refused" : "note",
      connection: label,
      ...(opts.localAddress ? { from: opts.localAddress } : {}),
      to,
      data: what,
    });
    throw new ProbeConnectError(what, failure, code, error);
  } finally {
    clearTimeout(timer);
  }
  return new ProbeConnection(socket, recorder, label);
}

/** One open probe connection; see the module doc. */
export class ProbeConnection implements AsyncDisposable {
  /** The local address the connection uses. */
  readonly localAddress: string;
  /** The local port. */
  readonly localPort: number;
  /** The server's address. */
  readonly remoteAddress: string;
  /** The server's port. */
  readonly remotePort: number;
  /** The connection's label in the exchange. */
  readonly label: string;
  readonly #socket: net.Socket;
  readonly #recorder: ExchangeRecorder;
  readonly #received: Uint8Array[] = [];
  #receivedLength = 0;
  #peerEnd: PeerEnd = "open";
  #closed = false;
  #ended = false;
  #serverFirst = false;
  readonly #peerEnded: Promise<void>;
  readonly #fullyClosed: Promise<void>;

  /** Wraps a connected socket (use {@linkcode connectProbe}). */
  constructor(socket: net.Socket, recorder: ExchangeRecorder, label: string) {
    this.#socket = socket;
    this.#recorder = recorder;
    this.label = label;
    this.localAddress = unmapAddress(socket.localAddress ?? "");
    this.localPort = socket.localPort ?? 0;
    this.remoteAddress = unmapAddress(socket.remoteAddress ?? "");
    this.remotePort = socket.remotePort ?? 0;
    recorder.add({ actor: "probe", kind: "connect", connection: label, ...this.#route() });
    let markPeerEnd = () => {};
    this.#peerEnded = new Promise((resolve) => markPeerEnd = resolve);
    this.#fullyClosed = new Promise((resolve) => socket.once("close", () => resolve()));
    socket.on("data", (chunk: Uint8Array) => {
      this.#received.push(chunk);
      this.#receivedLength += chunk.length;
      recorder.add({
        actor: "probe",
        kind: "receive",
        connection: label,
        ...this.#route(true),
        data: escapeBytes(chunk, 512),
        size: chunk.length,
      });
    });
    socket.on("end", () => {
      if (!this.#ended) this.#serverFirst = true;
      if (this.#peerEnd === "open") this.#peerEnd = "fin";
      recorder.add({ actor: "server", kind: "close", connection: label, ...this.#route(true) });
      markPeerEnd();
    });
    socket.on("error", (error: NodeJS.ErrnoException) => {
      if (this.#peerEnd !== "open") return;
      if (error.code === "ECONNRESET" || error.code === "EPIPE") {
        if (!this.#ended) this.#serverFirst = true;
        this.#peerEnd = "rst";
        recorder.add({ actor: "server", kind: "reset", connection: label, ...this.#route(true) });
      } else {
        recorder.add({
          actor: "probe",
          kind: "note",
          connection: label,
          data: `socket error: ${error.code ?? error.message}`,
        });
      }
      markPeerEnd();
    });
    socket.on("close", () => {
      this.#closed = true;
      markPeerEnd();
    });
  }

  /**
   * Whether the server ended the connection (FIN or RST) before the probe ended its side: a
   * server that closes connections on its own.
   */
  get serverClosedFirst(): boolean {
    return this.#serverFirst;
  }

  /** How the peer has ended the connection so far. */
  get peerEnd(): PeerEnd {
    return this.#peerEnd;
  }

  /** Every byte the server sent on this connection. */
  get received(): Uint8Array {
    const out = new Uint8Array(this.#receivedLength);
    let offset = 0;
    for (const c of this.#received) {
      out.set(c, offset);
      offset += c.length;
    }
    return out;
  }

  /**
   * Writes `data` as one write and waits until the kernel has taken it (or `timeoutMs` passed,
   * e.g. because the server stopped reading and the buffers are full). Never throws: a closed or
   * reset connection gives `"closed"`.
   */
  async send(data: string | Uint8Array, timeoutMs = 1000): Promise<SendResult> {
    const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
    this.#recorder.add({
      actor: "probe",
      kind: "send",
      connection: this.label,
      ...this.#route(),
      data: escapeBytes(bytes, 512),
      size: bytes.length,
    });
    if (this.#closed || this.#ended || this.#socket.destroyed) return "closed";
    let timer: ReturnType<typeof setTimeout> | undefined;
    const result = await new Promise<SendResult>((resolve) => {
      timer = setTimeout(() => resolve("timeout"), timeoutMs);
      try {
        this.#socket.write(bytes, (error) => resolve(error ? "closed" : "sent"));
      } catch {
        resolve("closed");
      }
    });
    clearTimeout(timer);
    if (result === "timeout") this.#noteSendTimeout(bytes.length, timeoutMs);
    return result;
  }

  /**
   * Half-closes: sends FIN, keeps reading. Resolves when the FIN has been handed to the kernel.
   * When the server has already closed its side, resets instead (see the module doc): then the
   * connection is over and the exchange says why.
   */
  async end(): Promise<void> {
    if (this.#ended || this.#closed || this.#socket.destroyed) return;
    if (await this.#serverClosedFirst()) {
      this.#resetAfterServerClose();
      return;
    }
    if (this.#ended || this.#closed || this.#socket.destroyed) return;
    this.#ended = true;
    this.#recorder.add({ actor: "probe", kind: "close", connection: this.label, ...this.#route() });
    await new Promise<void>((resolve) => {
      this.#socket.end(() => resolve());
      this.#socket.once("close", () => resolve());
    });
  }

  /**
   * Writes `data` and the FIN back to back (one `end(data)`), so a server that closes right after
   * reading the bytes finds our FIN already there. Same result as {@linkcode send}; when the
   * server has already closed its side, the bytes are still written and the probe then resets.
   */
  async sendAndEnd(data: string | Uint8Array, timeoutMs = 1000): Promise<SendResult> {
    if (this.#ended || this.#closed || this.#socket.destroyed || this.#peerEnd !== "open") {
      const result = await this.send(data, timeoutMs);
      await this.end();
      return result;
    }
    const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
    this.#recorder.add({
      actor: "probe",
      kind: "send",
      connection: this.label,
      ...this.#route(),
      data: escapeBytes(bytes, 512),
      size: bytes.length,
    });
    this.#ended = true;
    this.#recorder.add({ actor: "probe", kind: "close", connection: this.label, ...this.#route() });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const result = await new Promise<SendResult>((resolve) => {
      timer = setTimeout(() => resolve("timeout"), timeoutMs);
      this.#socket.once("close", () => resolve("closed"));
      try {
        this.#socket.end(bytes, () => resolve("sent"));
      } catch {
        resolve("closed");
      }
    });
    clearTimeout(timer);
    if (result === "timeout") this.#noteSendTimeout(bytes.length, timeoutMs);
    return result;
  }

  /** Resets the connection (RST) and releases it. */
  reset(): void {
    if (this.#closed || this.#socket.destroyed) return;
    this.#recorder.add({ actor: "probe", kind: "reset", connection: this.label, ...this.#route() });
    this.#socket.resetAndDestroy();
  }

  /**
   * Closes both directions and releases the socket at once: FIN if not sent yet, or RST when the
   * server is known to have closed first (its FIN event was seen). {@linkcode close} also asks the
   * kernel, and waits; prefer it.
   */
  destroy(): void {
    if (this.#socket.destroyed) return;
    if (!this.#ended && !this.#closed && this.#peerEnd === "fin") {
      this.#resetAfterServerClose();
      return;
    }
    if (!this.#ended && !this.#closed) {
      this.#recorder.add({
        actor: "probe",
        kind: "close",
        connection: this.label,
        ...this.#route(),
      });
    }
    this.#ended = true;
    this.#socket.destroy();
  }

  /**
   * Closes both directions without ever leaving the server's socket in TIME_WAIT (see the module
   * doc) and waits until the socket is released.
   */
  async close(): Promise<void> {
    if (
      !this.#ended && !this.#closed && !this.#socket.destroyed && await this.#serverClosedFirst()
    ) {
      this.#resetAfterServerClose();
    }
    this.destroy();
    await this.#fullyClosed;
  }

  /** Waits up to `timeoutMs` for the peer to end the connection; returns how it ended. */
  async waitPeerEnd(timeoutMs: number): Promise<PeerEnd> {
    if (this.#peerEnd !== "open") return this.#peerEnd;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      this.#peerEnded,
      new Promise<void>((resolve) => timer = setTimeout(resolve, timeoutMs)),
    ]);
    clearTimeout(timer);
    return this.#peerEnd;
  }

  /**
   * Waits until the server's program has read every byte sent so far (see the module doc).
   * Returns `true` when it has, `false` after `timeoutMs` (it is not reading), and `undefined`
   * when it cannot be told (no `/proc/net/tcp`, or the server-side socket is gone).
   */
  async waitConsumed(timeoutMs: number): Promise<boolean | undefined> {
    const deadline = performance.now() + timeoutMs;
    const self = formatAddress(this.localAddress, this.localPort);
    const peer = formatAddress(this.remoteAddress, this.remotePort);
    let delay = 0.5;
    for (;;) {
      const sockets = await readTcpTable();
      if (!sockets) return undefined;
      const mine = sockets.find((s) => s.local === self && s.remote === peer);
      const theirs = sockets.find((s) => s.local === peer && s.remote === self);
      if (!theirs || !mine) return undefined;
      if (mine.txQueue === 0 && theirs.rxQueue === 0) return true;
      if (performance.now() >= deadline) return false;
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 5);
    }
  }

  /** Records that the server did not take what was sent in time. */
  #noteSendTimeout(size: number, timeoutMs: number): void {
    this.#recorder.add({
      actor: "probe",
      kind: "timeout",
      connection: this.label,
      data: `the server did not take ${size} bytes within ${timeoutMs} ms`,
    });
  }

  /** Same as {@linkcode close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /**
   * Whether the server has closed its side while ours is still open: its FIN event was seen, or
   * the kernel already holds it (our socket is in CLOSE_WAIT) though node has not read it yet.
   */
  async #serverClosedFirst(): Promise<boolean> {
    if (this.#peerEnd === "fin") return true;
    if (this.#peerEnd === "rst" || this.localPort === 0) return false;
    const self = formatAddress(this.localAddress, this.localPort);
    const peer = formatAddress(this.remoteAddress, this.remotePort);
    const mine = (await readTcpTable())?.find((s) => s.local === self && s.remote === peer);
    return mine?.state === TCP_CLOSE_WAIT || mine?.state === TCP_LAST_ACK;
  }

  /** Ends with RST because the server closed first, with a note saying why. */
  #resetAfterServerClose(): void {
    this.#serverFirst = true;
    if (this.#peerEnd === "open") {
      // The kernel has the server's FIN; node has not read it yet and will not now.
      this.#peerEnd = "fin";
      this.#recorder.add({
        actor: "server",
        kind: "close",
        connection: this.label,
        ...this.#route(true),
      });
    }
    this.#recorder.add({
      actor: "probe",
      kind: "note",
      connection: this.label,
      data:
        "the server closed first: the probe resets instead of closing, so the server's port is not held in TIME_WAIT",
    });
    this.#ended = true;
    this.reset();
  }

  #route(fromPeer = false): { from: string; to: string } {
    const local = formatAddress(this.localAddress, this.localPort);
    const remote = formatAddress(this.remoteAddress, this.remotePort);
    return fromPeer ? { from: remote, to: local } : { from: local, to: remote };
  }
}

const TCP_CLOSE_WAIT = TCP_STATE.CLOSE_WAIT;
const TCP_LAST_ACK = TCP_STATE.LAST_ACK;
/** TIME_WAIT in `/proc/net/tcp`. */
export const TCP_TIME_WAIT = TCP_STATE.TIME_WAIT;

/** One row of `/proc/net/tcp{,6}` (see `sandbox/proc_net.ts`). */
export type TcpSocketRow = InetSocket;

/**
 * Waits until the program serving `port` has read every byte its clients sent: no connection
 * whose local port is `port` has unread bytes in its receive queue. Resolves `true` when
 * drained, `false` at the deadline, `undefined` when `/proc/net/tcp` cannot be read.
 */
export async function waitPortDrained(
  port: number,
  timeoutMs: number,
): Promise<boolean | undefined> {
  const deadline = performance.now() + timeoutMs;
  const suffix = `:${port}`;
  let delay = 0.5;
  for (;;) {
    const sockets = await readTcpTable();
    if (!sockets) return undefined;
    const pending = sockets.some((s) =>
      s.local.endsWith(suffix) && s.state !== TCP_STATE.LISTEN && s.rxQueue > 0
    );
    if (!pending) return true;
    if (performance.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 5);
  }
}

/** Reads this network namespace's TCP sockets, or `undefined` when /proc is not readable. */
export function readTcpTable(): Promise<TcpSocketRow[] | undefined> {
  return readInetSockets(["tcp", "tcp6"]);
}

export { formatAddress, unmapAddress };
