/**
 * The grader's capture server, which the student's client talks to in the client checks: it
 * listens on one address and port, accepts every connection and records it (the peer's address,
 * when it was accepted, every chunk of bytes with its arrival time, and how it ended: FIN, RST, or
 * still open when the check ended). It never writes a byte. When a client ends its sending side
 * (FIN) the capture server closes its own side too, as a server that reads until end-of-file
 * would, so a client that half-closes and then waits for end-of-file can finish.
 *
 * Waiting is by event with a deadline ({@linkcode CaptureServer.waitFor} and the helpers built on
 * it), never by sleeping. {@linkcode CaptureServer.sync} makes "the client has exited, so every
 * connection it made is here" exact: it connects to itself and waits for that connection to be
 * accepted, after every connection the kernel completed before it. {@linkcode CaptureServer.record}
 * turns what was seen into exchange events, so the report can draw a sequence diagram.
 *
 * @example
 * ```ts
 * import { CaptureServer } from "./capture_server.ts";
 * await using capture = CaptureServer.listen({ hostname: "127.0.0.1", port: 0 });
 * const conn = await Deno.connect({ hostname: "127.0.0.1", port: capture.port });
 * await conn.write(new TextEncoder().encode("Client Query\n"));
 * conn.close();
 * await capture.sync(1000);
 * await capture.waitForAllEnded(1000);
 * const text = new TextDecoder().decode(capture.connections[0]!.bytes());
 * if (text !== "Client Query\n" || capture.connections[0]!.end !== "fin") throw new Error(text);
 * ```
 * @module
 */

import { escapeBytes } from "../bytes.ts";
import { type ExchangeRecorder, formatAddress, unmapAddress } from "./probe_client.ts";

/** How a client ended a connection: FIN, RST, or not at all (yet). */
export type ConnectionEnd = "fin" | "rst" | "open";

/** One read: the bytes and when they arrived (a `performance.now()` value). */
export interface CapturedChunk {
  /** When the bytes were read. */
  at: number;
  /** The bytes. */
  bytes: Uint8Array;
}

/** Where and how to listen. */
export interface CaptureOptions {
  /** The address to listen on, e.g. the spec's server address or 127.0.0.1. */
  hostname: string;
  /** The port (0 = any free port, for tests). */
  port: number;
  /** Bytes kept per connection; the rest are counted in `droppedBytes` (default 1 MiB). */
  maxBytesPerConnection?: number;
}

/** What the capture server saw of one connection. */
export class CapturedConnection {
  /** Its label in the exchange: "conn 1", "conn 2", … in accept order. */
  label: string;
  /** The client's address (IPv4-mapped IPv6 shown as IPv4). */
  readonly remoteAddress: string;
  /** The client's port. */
  readonly remotePort: number;
  /** The address the client reached. */
  readonly localAddress: string;
  /** The port the client reached. */
  readonly localPort: number;
  /** When it was accepted (a `performance.now()` value). */
  readonly acceptedAt: number;
  /** Every chunk kept, in order. */
  readonly chunks: CapturedChunk[] = [];
  /** Bytes received beyond the kept maximum. */
  droppedBytes = 0;
  /** How it ended so far. */
  end: ConnectionEnd = "open";
  /** When it ended (FIN or RST read), if it did. */
  endedAt: number | undefined;
  /** Whether the grader closed it because it was still open when the capture server closed. */
  closedByGrader = false;

  /** Makes the record of a connection just accepted. */
  constructor(label: string, remote: Deno.NetAddr, local: Deno.NetAddr, acceptedAt: number) {
    this.label = label;
    this.remoteAddress = unmapAddress(remote.hostname);
    this.remotePort = remote.port;
    this.localAddress = unmapAddress(local.hostname);
    this.localPort = local.port;
    this.acceptedAt = acceptedAt;
  }

  /** `address:port` of the client. */
  get from(): string {
    return formatAddress(this.remoteAddress, this.remotePort);
  }

  /** `address:port` the client reached. */
  get to(): string {
    return formatAddress(this.localAddress, this.localPort);
  }

  /** Every byte kept, in order. */
  bytes(): Uint8Array {
    const out = new Uint8Array(this.chunks.reduce((n, c) => n + c.bytes.length, 0));
    let offset = 0;
    for (const c of this.chunks) {
      out.set(c.bytes, offset);
      offset += c.bytes.length;
    }
    return out;
  }

  /** The number of bytes received, kept or not. */
  get size(): number {
    return this.chunks.reduce((n, c) => n + c.bytes.length, 0) + this.droppedBytes;
  }
}

interface Waiter {
  ready: () => boolean;
  resolve: (ok: boolean) => void;
}

/** The capture server; see the module doc. Dispose it (or `close()`) to end every connection. */
export class CaptureServer implements AsyncDisposable {
  /** The address it listens on. */
  readonly address: string;
  /** The port it listens on (the real one when 0 was asked). */
  readonly port: number;
  readonly #listener: Deno.TcpListener;
  readonly #connections: CapturedConnection[] = [];
  readonly #open = new Map<CapturedConnection, Deno.TcpConn>();
  readonly #loops: Promise<void>[] = [];
  readonly #waiters = new Set<Waiter>();
  readonly #internal = new Set<string>();
  readonly #syncAccepted = new Set<string>();
  readonly #maxBytes: number;
  #closing = false;
  #closed: Promise<void> | undefined;

  private constructor(listener: Deno.TcpListener, opts: CaptureOptions) {
    this.#listener = listener;
    this.address = unmapAddress(listener.addr.hostname);
    this.port = listener.addr.port;
    this.#maxBytes = opts.maxBytesPerConnection ?? 1024 * 1024;
    this.#loops.push(this.#acceptLoop());
  }

  /**
   * Starts listening. Throws the system's error (e.g. `Deno.errors.AddrInUse`) when it cannot:
   * that is the grader's problem, not the student's.
   */
  static listen(opts: CaptureOptions): CaptureServer {
    const listener = Deno.listen({ hostname: opts.hostname, port: opts.port, transport: "tcp" });
    return new CaptureServer(listener, opts);
  }

  /** Every connection accepted so far, in accept order. */
  get connections(): readonly CapturedConnection[] {
    return this.#connections;
  }

  /**
   * Resolves `true` as soon as `ready()` holds (checked now and after every event: accept, bytes,
   * end), or `false` when `timeoutMs` passes first or the server is closed.
   */
  waitFor(ready: () => boolean, timeoutMs: number): Promise<boolean> {
    if (ready()) return Promise.resolve(true);
    if (this.#closing || timeoutMs <= 0) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => finish(false), timeoutMs);
      const waiter: Waiter = { ready, resolve: (ok) => finish(ok) };
      const finish = (ok: boolean) => {
        clearTimeout(timer);
        this.#waiters.delete(waiter);
        resolve(ok);
      };
      this.#waiters.add(waiter);
    });
  }

  /** Waits until at least `count` connections were accepted. */
  waitForConnection(timeoutMs: number, count = 1): Promise<boolean> {
    return this.waitFor(() => this.#connections.length >= count, timeoutMs);
  }

  /** Waits until `conn` has ended (FIN or RST). */
  waitForConnectionEnd(conn: CapturedConnection, timeoutMs: number): Promise<boolean> {
    return this.waitFor(() => conn.end !== "open", timeoutMs);
  }

  /**
   * Waits until at least `minConnections` were accepted and every accepted connection has ended:
   * the client has nothing more in flight.
   */
  waitForAllEnded(timeoutMs: number, minConnections = 0): Promise<boolean> {
    return this.waitFor(
      () =>
        this.#connections.length >= minConnections &&
        this.#connections.every((c) => c.end !== "open"),
      timeoutMs,
    );
  }

  /**
   * Waits until every connection the kernel completed before this call has been accepted: it
   * opens a connection to itself and waits for it to be accepted (the kernel hands connections
   * out in order), then drops it without a trace. Returns false when that did not happen within
   * `timeoutMs`.
   */
  async sync(timeoutMs: number): Promise<boolean> {
    let self: Deno.TcpConn;
    try {
      self = await Deno.connect({ hostname: this.address, port: this.port });
    } catch {
      return false;
    }
    const key = formatAddress(self.localAddr.hostname, self.localAddr.port);
    this.#internal.add(key);
    const mine = (c: CapturedConnection) => c.from === key;
    const accepted = await this.waitFor(
      () => this.#syncAccepted.has(key) || this.#connections.some(mine),
      timeoutMs,
    );
    this.#syncAccepted.delete(key);
    // The connecting side closes first; the accepted side is closed by its read loop on the FIN.
    self.close();
    const index = this.#connections.findIndex(mine);
    if (index !== -1) {
      this.#connections.splice(index, 1);
      this.#connections.forEach((c, i) => c.label = `conn ${i + 1}`);
    }
    return accepted;
  }

  /**
   * Adds what was seen to an exchange: each connection's accept, chunks (escaped) and end, as
   * the client's actions, at the times they were observed.
   */
  record(recorder: ExchangeRecorder): void {
    for (const c of this.#connections) {
      const route = { connection: c.label, from: c.from, to: c.to };
      recorder.add({ actor: "client", kind: "connect", ...route }, c.acceptedAt);
      for (const chunk of c.chunks) {
        recorder.add(
          {
            actor: "client",
            kind: "send",
            ...route,
            data: escapeBytes(chunk.bytes, 512),
            size: chunk.bytes.length,
          },
          chunk.at,
        );
      }
      if (c.droppedBytes > 0) {
        recorder.add({
          actor: "capture",
          kind: "note",
          connection: c.label,
          data: `${c.droppedBytes} more bytes were received and not kept`,
        });
      }
      if (c.end === "fin") recorder.add({ actor: "client", kind: "close", ...route }, c.endedAt);
      else if (c.end === "rst") {
        recorder.add({ actor: "client", kind: "reset", ...route }, c.endedAt);
      } else {
        recorder.add({
          actor: "capture",
          kind: "note",
          connection: c.label,
          data: c.closedByGrader
            ? "still open when the check ended: closed by the grader"
            : "still open",
        });
      }
    }
  }

  /** Stops listening, closes every connection still open (marking it so) and waits. */
  close(): Promise<void> {
    this.#closed ??= this.#close();
    return this.#closed;
  }

  /** Same as {@linkcode close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #close(): Promise<void> {
    this.#closing = true;
    for (const waiter of [...this.#waiters]) waiter.resolve(false);
    this.#listener.close();
    for (const [record, conn] of this.#open) {
      record.closedByGrader = true;
      conn.close();
    }
    this.#open.clear();
    await Promise.all(this.#loops);
  }

  #changed(): void {
    for (const waiter of [...this.#waiters]) if (waiter.ready()) waiter.resolve(true);
  }

  async #acceptLoop(): Promise<void> {
    for (;;) {
      let conn: Deno.TcpConn;
      try {
        conn = await this.#listener.accept();
      } catch {
        return;
      }
      if (this.#closing) {
        conn.close();
        return;
      }
      const from = formatAddress(conn.remoteAddr.hostname, conn.remoteAddr.port);
      if (this.#internal.has(from)) {
        // Our own sync connection: its connecting side closes first (see the module doc).
        this.#syncAccepted.add(from);
        this.#loops.push(closeAfterPeer(conn));
        this.#changed();
        continue;
      }
      const record = new CapturedConnection(
        `conn ${this.#connections.length + 1}`,
        conn.remoteAddr,
        conn.localAddr,
        performance.now(),
      );
      this.#connections.push(record);
      this.#open.set(record, conn);
      this.#loops.push(this.#readLoop(record, conn));
      this.#changed();
    }
  }

  async #readLoop(record: CapturedConnection, conn: Deno.TcpConn): Promise<void> {
    const buffer = new Uint8Array(64 * 1024);
    for (;;) {
      let n: number | null;
      try {
        n = await conn.read(buffer);
      } catch (error) {
        if (this.#closing && !(error instanceof Deno.errors.ConnectionReset)) return;
        record.end = "rst";
        record.endedAt = performance.now();
        break;
      }
      const at = performance.now();
      if (n === null) {
        record.end = "fin";
        record.endedAt = at;
        break;
      }
      const bytes = buffer.slice(0, n);
      const room = Math.max(0, this.#maxBytes - (record.size - record.droppedBytes));
      if (room >= n) record.chunks.push({ at, bytes });
      else {
        if (room > 0) record.chunks.push({ at, bytes: bytes.subarray(0, room) });
        record.droppedBytes += n - room;
      }
      this.#changed();
    }
    if (this.#open.delete(record)) conn.close();
    this.#changed();
  }
}

/** Reads and drops everything until the peer ends the connection, then closes our side. */
async function closeAfterPeer(conn: Deno.TcpConn): Promise<void> {
  const buffer = new Uint8Array(4096);
  try {
    while (await conn.read(buffer) !== null) {
      // dropped
    }
  } catch {
    // reset or closed: nothing to keep
  }
  try {
    conn.close();
  } catch {
    // already closed
  }
}
