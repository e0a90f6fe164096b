/**
 * The grader's capture server, which the student's client talks to in the client checks: it
 * listens on one address and port (TCP) or one path (Unix-domain stream; a client is then known by
 * the path it bound, `(unbound)` when none), accepts every connection and records it (the peer's address,
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
 * Bounded whatever a client does (see {@linkcode CAPTURE_LIMITS}): it keeps at most a fixed number
 * of bytes per connection and in all, in at most a fixed number of chunks, and records at most a
 * fixed number of connections. Bytes past a bound are read and counted, not kept; connections past
 * the bound are read and counted too, up to a bound on how many are open at once, and past that
 * closed at once and counted. {@linkcode CaptureServer.overflow} says what was left out, for the
 * client check to fail with how much the client sent.
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

import { escapeBytes } from "../text/bytes.ts";
import type { ExchangeRecorder } from "./probe_client.ts";
import { formatAddress, unmapAddress } from "../sandbox/proc_net.ts";
import { removeSocketFile, UnixStreamSocket } from "./transports/_unix_socket.ts";
import { assertOwnFolder } from "./socket_folder_guard.ts";

/** How a client ended a connection: FIN, RST, or not at all (yet). */
export type ConnectionEnd = "fin" | "rst" | "open";

/** One read: the bytes and when they arrived (a `performance.now()` value). */
export interface CapturedChunk {
  /** When the bytes were read. */
  at: number;
  /** The bytes. */
  bytes: Uint8Array;
}

/** How much a capture server keeps, at most. */
export interface CaptureLimits {
  /** Bytes kept per connection; the rest are counted in `droppedBytes`. */
  maxBytesPerConnection: number;
  /** Bytes kept over all connections. */
  maxBytes: number;
  /** Chunks (reads) kept over all connections: the exchange has one event per chunk. */
  maxChunks: number;
  /** Connections recorded; later ones are only counted. */
  maxConnections: number;
  /** Connections past `maxConnections` read (and counted) at once; past that, closed unread. */
  maxUnrecordedOpen: number;
}

/**
 * The default bounds: far more than any client of the exercise sends (a few short lines on one
 * connection or one per message), and small enough that the grader's memory stays bounded.
 */
export const CAPTURE_LIMITS: Readonly<CaptureLimits> = {
  maxBytesPerConnection: 64 * 1024,
  maxBytes: 1024 * 1024,
  maxChunks: 8192,
  maxConnections: 64,
  maxUnrecordedOpen: 512,
};

/** What a capture server received beyond its bounds. */
export interface CaptureOverflow {
  /** Bytes received over all connections, kept or not. */
  receivedBytes: number;
  /** Bytes received and not kept. */
  droppedBytes: number;
  /** Connections the client opened, recorded or not. */
  connections: number;
  /** Connections past the recorded maximum (their bytes are counted in `receivedBytes`). */
  unrecordedConnections: number;
  /** Of those, connections closed at once without reading (their bytes are not counted). */
  unreadConnections: number;
  /** The bounds that applied. */
  limits: Readonly<CaptureLimits>;
}

/** A byte count in words: `512 bytes`, `64 KiB`, `6.7 MiB`, `1.2 GiB`. */
export function formatByteCount(n: number): string {
  if (n < 1024) return `${n} byte${n === 1 ? "" : "s"}`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let value = n / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const shown = Number.isInteger(value) ? String(value) : value.toFixed(1);
  return `${shown} ${units[unit]}`;
}

/**
 * What a client sent past the capture server's bounds, in one sentence for the student.
 *
 * @example
 * ```ts
 * import { CAPTURE_LIMITS, describeOverflow } from "./capture_server.ts";
 * const text = describeOverflow({
 *   receivedBytes: 3 * 1024 * 1024, droppedBytes: 2 * 1024 * 1024, connections: 2,
 *   unrecordedConnections: 0, unreadConnections: 0, limits: CAPTURE_LIMITS,
 * });
 * if (!text.startsWith("your client opened 2 connections and sent 3 MiB")) throw new Error(text);
 * ```
 */
export function describeOverflow(o: CaptureOverflow): string {
  const l = o.limits;
  const unread = o.unreadConnections > 0
    ? ` (and more on ${o.unreadConnections} connections closed unread)`
    : "";
  return `your client opened ${o.connections} ${
    o.connections === 1 ? "connection" : "connections"
  } and sent ${
    formatByteCount(o.receivedBytes)
  }${unread}, more than the grader reads for this check (at most ${
    formatByteCount(l.maxBytes)
  } in all, ${
    formatByteCount(l.maxBytesPerConnection)
  } per connection, ${l.maxConnections} connections)`;
}

/** Where and how to listen: an address and port (TCP) or a path (Unix-domain stream). */
export type CaptureOptions =
  & ({
    /** The address to listen on, e.g. the spec's server address or 127.0.0.1. */
    hostname: string;
    /** The port (0 = any free port, for tests). */
    port: number;
  } | {
    /** The Unix-domain socket path to listen on (removed again when the server closes). */
    path: string;
  })
  & {
    /** Other bounds than {@linkcode CAPTURE_LIMITS} (for tests). */
    limits?: Partial<CaptureLimits>;
  };

/**
 * Lets every user connect to (or send to) the grader's socket file at `path`: `connect()` and
 * `sendto()` need write permission on it, and a student's program may run as a user of its own
 * (E3); who reaches the file at all is decided by the folder it is in. `chmod` follows links, so
 * the file is first checked to be the socket itself (in its guarded folder, just made, with no
 * student program running), never a link put in its place.
 */
export function openSocketFile(path: string): void {
  assertOwnFolder(path);
  if (!Deno.lstatSync(path).isSocket) {
    throw new Error(`${path} is no longer the socket sockgrade made, so it is left as it is`);
  }
  Deno.chmodSync(path, 0o777);
}

/** How a Unix-domain client that did not bind a path is shown (it has no address to show). */
export const UNBOUND_CLIENT = "(unbound)";

/** Whether `accept` failed for one connection the client already reset, not for the listener. */
function isGoneBeforeAccept(error: unknown): boolean {
  return error instanceof Deno.errors.NotConnected ||
    error instanceof Deno.errors.ConnectionReset ||
    error instanceof Deno.errors.ConnectionAborted;
}

/** The text a peer's address is known by: `address:port`, or a Unix socket's path. */
function addrText(addr: Deno.Addr): string {
  if ("hostname" in addr) return formatAddress(addr.hostname, addr.port);
  return ("path" in addr ? addr.path : "") || UNBOUND_CLIENT;
}

/** An address's host: the IP address (unmapped) or the Unix socket's path. */
function hostOf(addr: Deno.Addr): string {
  // Deno gives an unbound Unix peer's path as null, whatever its type says.
  return "hostname" in addr ? unmapAddress(addr.hostname) : "path" in addr ? addr.path ?? "" : "";
}

/** What the capture server saw of one connection. */
export class CapturedConnection {
  /** Its label in the exchange: "conn 1", "conn 2", … in accept order. */
  label: string;
  /** The client's address (IPv4-mapped IPv6 shown as IPv4), or its bound path (Unix). */
  readonly remoteAddress: string;
  /** The client's port (0 for Unix-domain sockets). */
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
  /** Bytes kept (in `chunks`). */
  keptBytes = 0;
  /** How it ended so far. */
  end: ConnectionEnd = "open";
  /** When it ended (FIN or RST read), if it did. */
  endedAt: number | undefined;
  /** Whether the grader closed it because it was still open when the capture server closed. */
  closedByGrader = false;

  readonly #from: string;
  readonly #to: string;

  /** Makes the record of a connection just accepted. */
  constructor(label: string, remote: Deno.Addr, local: Deno.Addr, acceptedAt: number) {
    this.label = label;
    this.remoteAddress = hostOf(remote);
    this.remotePort = "port" in remote ? remote.port : 0;
    this.localAddress = hostOf(local);
    this.localPort = "port" in local ? local.port : 0;
    this.acceptedAt = acceptedAt;
    this.#from = addrText(remote);
    this.#to = addrText(local);
  }

  /** `address:port` of the client, or its bound path (`(unbound)` when it bound none). */
  get from(): string {
    return this.#from;
  }

  /** `address:port` (or the path) the client reached. */
  get to(): string {
    return this.#to;
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
    return this.keptBytes + this.droppedBytes;
  }
}

/** How many connections closed unread `sync()` may still recognise as its own. */
const RECENT_UNREAD = 64;

interface Waiter {
  ready: () => boolean;
  resolve: (ok: boolean) => void;
}

/** The capture server; see the module doc. Dispose it (or `close()`) to end every connection. */
export class CaptureServer implements AsyncDisposable {
  /** The address it listens on (its path for a Unix-domain socket). */
  readonly address: string;
  /** The port it listens on (the real one when 0 was asked; 0 for a Unix-domain socket). */
  readonly port: number;
  /** The Unix-domain socket path it listens on, if it does. */
  readonly path: string | undefined;
  readonly #listener: Deno.Listener;
  readonly #connections: CapturedConnection[] = [];
  readonly #open = new Map<CapturedConnection, Deno.Conn>();
  #syncCount = 0;
  /** The accept and read loops still running. */
  readonly #loops = new Set<Promise<void>>();
  readonly #waiters = new Set<Waiter>();
  readonly #internal = new Set<string>();
  readonly #syncAccepted = new Set<string>();
  readonly #limits: Readonly<CaptureLimits>;
  /** Connections past the recorded maximum, still open, with the client's `address:port`. */
  readonly #unrecorded = new Map<Deno.Conn, string>();
  /** The last connections closed unread, by the client's `address:port` (for `sync()`). */
  readonly #recentUnread: string[] = [];
  #keptBytes = 0;
  #keptChunks = 0;
  #droppedBytes = 0;
  #unrecordedConnections = 0;
  #unreadConnections = 0;
  #lostBeforeAccept = 0;
  #closing = false;
  #closed: Promise<void> | undefined;

  private constructor(listener: Deno.Listener, opts: CaptureOptions) {
    this.#listener = listener;
    const addr = listener.addr;
    this.address = hostOf(addr);
    this.port = "port" in addr ? addr.port : 0;
    this.path = "path" in opts ? opts.path : undefined;
    this.#limits = { ...CAPTURE_LIMITS, ...opts.limits };
    this.#track(this.#acceptLoop());
  }

  /**
   * Starts listening. Throws the system's error (e.g. `Deno.errors.AddrInUse`) when it cannot:
   * that is the grader's problem, not the student's; on a path whose folder was made a link,
   * `SocketFolderMoved`.
   */
  static listen(opts: CaptureOptions): CaptureServer {
    if (!("path" in opts)) {
      const listener = Deno.listen({ hostname: opts.hostname, port: opts.port, transport: "tcp" });
      return new CaptureServer(listener, opts);
    }
    assertOwnFolder(opts.path);
    const listener = Deno.listen({ path: opts.path, transport: "unix" });
    try {
      openSocketFile(opts.path);
    } catch (error) {
      listener.close();
      throw error;
    }
    return new CaptureServer(listener, opts);
  }

  /** Every connection accepted so far, in accept order. */
  get connections(): readonly CapturedConnection[] {
    return this.#connections;
  }

  /** What was received beyond the bounds, or undefined when everything was kept. */
  get overflow(): CaptureOverflow | undefined {
    if (this.#droppedBytes === 0 && this.#unrecordedConnections === 0) return undefined;
    return {
      receivedBytes: this.#keptBytes + this.#droppedBytes,
      droppedBytes: this.#droppedBytes,
      connections: this.#connections.length + this.#unrecordedConnections,
      unrecordedConnections: this.#unrecordedConnections,
      unreadConnections: this.#unreadConnections,
      limits: this.#limits,
    };
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
    let self: { close(): void | Promise<void>; key: string };
    try {
      self = await this.#connectSelf(timeoutMs);
    } catch {
      return false;
    }
    const key = self.key;
    this.#internal.add(key);
    const mine = (c: CapturedConnection) => c.from === key;
    // Accepted before it was known as ours: as a connection, recorded or past the maximum.
    const unrecorded = () =>
      [...this.#unrecorded.values()].includes(key) || this.#recentUnread.includes(key);
    const accepted = await this.waitFor(
      () => this.#syncAccepted.has(key) || this.#connections.some(mine) || unrecorded(),
      timeoutMs,
    );
    this.#syncAccepted.delete(key);
    if (unrecorded()) {
      this.#unrecordedConnections--;
      if (![...this.#unrecorded.values()].includes(key)) this.#unreadConnections--;
    }
    // The connecting side closes first; the accepted side is closed by its read loop on the FIN.
    await self.close();
    if (this.path !== undefined) await removeSocketFile(key);
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
    if (this.#lostBeforeAccept > 0) {
      recorder.add({
        actor: "capture",
        kind: "note",
        data: `${this.#lostBeforeAccept} more connection(s) were reset by the client before ` +
          "they could be accepted; nothing they sent could be kept",
      });
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
    for (const conn of this.#unrecorded.keys()) conn.close();
    this.#unrecorded.clear();
    await Promise.all(this.#loops);
    if (this.path !== undefined) await removeSocketFile(this.path);
  }

  /**
   * Connects to itself with a socket whose address no client can have: TCP's own ephemeral port,
   * or, for a Unix-domain socket, a path of its own bound beside the capture's socket.
   */
  async #connectSelf(timeoutMs: number): Promise<{ close(): void | Promise<void>; key: string }> {
    if (this.path === undefined) {
      const conn = await Deno.connect({ hostname: this.address, port: this.port });
      return { close: () => conn.close(), key: addrText(conn.localAddr) };
    }
    const bindPath = `${this.path}.sync${++this.#syncCount}`;
    const socket = await UnixStreamSocket.connect({ path: this.path, bindPath, timeoutMs });
    return { close: () => socket.close(), key: bindPath };
  }

  #track(loop: Promise<void>): void {
    this.#loops.add(loop);
    loop.finally(() => this.#loops.delete(loop));
  }

  #changed(): void {
    for (const waiter of [...this.#waiters]) if (waiter.ready()) waiter.resolve(true);
  }

  async #acceptLoop(): Promise<void> {
    for (;;) {
      let conn: Deno.Conn;
      try {
        conn = await this.#listener.accept();
      } catch (error) {
        // A client that reset its connection before it was accepted: the kernel still hands it
        // out, and Deno fails on its gone peer address. Nothing of it can be kept; the rest can.
        if (this.#closing || !isGoneBeforeAccept(error)) return;
        this.#lostBeforeAccept++;
        this.#changed();
        continue;
      }
      if (this.#closing) {
        conn.close();
        return;
      }
      const from = addrText(conn.remoteAddr);
      if (this.#internal.has(from)) {
        // Our own sync connection: its connecting side closes first (see the module doc).
        this.#syncAccepted.add(from);
        this.#track(closeAfterPeer(conn));
        this.#changed();
        continue;
      }
      if (this.#connections.length >= this.#limits.maxConnections) {
        this.#unrecordedConnections++;
        if (this.#unrecorded.size >= this.#limits.maxUnrecordedOpen) {
          this.#unreadConnections++;
          this.#recentUnread.push(from);
          if (this.#recentUnread.length > RECENT_UNREAD) this.#recentUnread.shift();
          conn.close();
        } else {
          this.#unrecorded.set(conn, from);
          this.#track(this.#countLoop(conn));
        }
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
      this.#track(this.#readLoop(record, conn));
      this.#changed();
    }
  }

  async #readLoop(record: CapturedConnection, conn: Deno.Conn): Promise<void> {
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
      const limits = this.#limits;
      const room = this.#keptChunks >= limits.maxChunks ? 0 : Math.max(
        0,
        Math.min(
          limits.maxBytesPerConnection - record.keptBytes,
          limits.maxBytes - this.#keptBytes,
        ),
      );
      const kept = Math.min(room, n);
      if (kept > 0) {
        record.chunks.push({ at, bytes: buffer.slice(0, kept) });
        record.keptBytes += kept;
        this.#keptBytes += kept;
        this.#keptChunks++;
      }
      record.droppedBytes += n - kept;
      this.#droppedBytes += n - kept;
      this.#changed();
    }
    if (this.#open.delete(record)) conn.close();
    this.#changed();
  }

  /** Reads a connection past the recorded maximum until it ends, counting its bytes. */
  async #countLoop(conn: Deno.Conn): Promise<void> {
    const buffer = new Uint8Array(4096);
    for (;;) {
      let n: number | null;
      try {
        n = await conn.read(buffer);
      } catch {
        break;
      }
      if (n === null) break;
      this.#droppedBytes += n;
    }
    if (this.#unrecorded.delete(conn)) conn.close();
    this.#changed();
  }
}

/** Reads and drops everything until the peer ends the connection, then closes our side. */
async function closeAfterPeer(conn: Deno.Conn): Promise<void> {
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
