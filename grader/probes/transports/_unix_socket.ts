/**
 * A Unix-domain stream socket that binds its own path before it connects, through libc (FFI):
 * neither `Deno.connect` nor `node:net` can bind a client's Unix socket, and the address filter of
 * a `unix-stream` server compares exactly that path (EXERCISE.md §6). Non-blocking throughout, so
 * a server that never accepts or never reads cannot stall the grader: connect retries while the
 * backlog is full, send waits for room, and the peer's close is seen by `poll()` in short slices
 * on a worker thread.
 *
 * @module
 */

import { assertOwnFolder } from "../socket_folder_guard.ts";

const AF_UNIX = 1;
const SOCK_STREAM = 1;
const SOCK_DGRAM = 2;
const SOCK_NONBLOCK = 0o4000;
const SOCK_CLOEXEC = 0o2000000;
const MSG_DONTWAIT = 0x40;
const MSG_NOSIGNAL = 0x4000;
const SHUT_WR = 1;
const POLLIN = 0x1;
const POLLOUT = 0x4;
const POLLHUP = 0x10;
const POLLRDHUP = 0x2000;
const EAGAIN = 11;
const EINTR = 4;
const ECONNRESET = 104;
const ENOENT = 2;
const ECONNREFUSED = 111;
const EADDRINUSE = 98;
const EMSGSIZE = 90;
const ENOBUFS = 105;
const SOCKADDR_UN_SIZE = 110;
/** `ioctl(SIOCOUTQ)`: bytes sent and not yet read by the peer's program (Unix sockets). */
const SIOCOUTQ = 0x5411;
/** The longest `poll()` one worker-thread call makes, so none outlives a closing test for long. */
const POLL_SLICE_MS = 20;

let lib: ReturnType<typeof open> | undefined;
let users = 0;
function open() {
  return Deno.dlopen("libc.so.6", {
    socket: { parameters: ["i32", "i32", "i32"], result: "i32" },
    bind: { parameters: ["i32", "buffer", "u32"], result: "i32" },
    connect: { parameters: ["i32", "buffer", "u32"], result: "i32" },
    send: { parameters: ["i32", "buffer", "usize", "i32"], result: "isize" },
    recv: { parameters: ["i32", "buffer", "usize", "i32"], result: "isize" },
    sendto: {
      parameters: ["i32", "buffer", "usize", "i32", "buffer", "u32"],
      result: "isize",
    },
    shutdown: { parameters: ["i32", "i32"], result: "i32" },
    ioctl: { parameters: ["i32", "u64", "buffer"], result: "i32" },
    close: { parameters: ["i32"], result: "i32" },
    poll: { parameters: ["buffer", "u64", "i32"], result: "i32", nonblocking: true },
    __errno_location: { parameters: [], result: "pointer" },
  });
}
/** The library, open while some socket uses it (closed after the last, for resource sanitizers). */
function libc() {
  try {
    lib ??= open();
  } catch (error) {
    // Not the student's doing: a plain Error, so the check reports `error`, not `fail`.
    throw new Error(
      `The grader cannot load the C library (libc.so.6) it needs for Unix-domain probes (${
        (error as Error).message
      }): grade on a glibc system, e.g. the project's container image.`,
      { cause: error },
    );
  }
  return lib.symbols;
}
function acquire(): void {
  libc();
  users++;
}
function release(): void {
  if (--users === 0) {
    lib?.close();
    lib = undefined;
  }
}
function errno(): number {
  const p = libc().__errno_location();
  return p === null ? 0 : new Deno.UnsafePointerView(p).getInt32();
}

/** A libc call that failed; `code` is the errno name when known. */
export class UnixSocketError extends Error {
  override name = "UnixSocketError";
  /** E.g. `ECONNREFUSED`, `ENOENT`, `EADDRINUSE`. */
  readonly code: string;
  /** Makes the error. */
  constructor(message: string, code: string) {
    super(message);
    this.code = code;
  }
}

const NAMES: Record<number, string> = {
  [ENOENT]: "ENOENT",
  [ECONNREFUSED]: "ECONNREFUSED",
  [EADDRINUSE]: "EADDRINUSE",
  [EAGAIN]: "EAGAIN",
  [ECONNRESET]: "ECONNRESET",
  [EMSGSIZE]: "EMSGSIZE",
  [ENOBUFS]: "ENOBUFS",
};
const codeName = (n: number) => NAMES[n] ?? `errno ${n}`;

function sockaddr(path: string): Uint8Array<ArrayBuffer> {
  const bytes = new TextEncoder().encode(path);
  if (bytes.length > SOCKADDR_UN_SIZE - 3) {
    throw new RangeError(`The socket path ${path} is longer than a socket address holds.`);
  }
  const out = new Uint8Array(SOCKADDR_UN_SIZE);
  new DataView(out.buffer).setUint16(0, AF_UNIX, true);
  out.set(bytes, 2);
  return out;
}

async function pollFor(fd: number, events: number, timeoutMs: number): Promise<number> {
  const fds = new Uint8Array(8);
  const view = new DataView(fds.buffer);
  view.setInt32(0, fd, true);
  view.setInt16(4, events, true);
  const ready = await libc().poll(
    fds,
    1n,
    Math.ceil(Math.max(0, Math.min(POLL_SLICE_MS, timeoutMs))),
  );
  return ready > 0 ? view.getInt16(6, true) : 0;
}

/**
 * How much of what `fd` sent the peer's program has not read yet (`SIOCOUTQ`: a Unix socket's
 * sent data stays charged to the sender, in the kernel's units, until the receiver reads it): 0
 * once everything was read; undefined when it cannot be told.
 */
function unread(fd: number): number | undefined {
  if (fd < 0) return undefined;
  const out = new Int32Array(1);
  return libc().ioctl(fd, BigInt(SIOCOUTQ), out) === 0 ? out[0] : undefined;
}

/** How the peer ended: FIN-like end of stream, reset, or still open. */
export type UnixPeerEnd = "fin" | "rst" | "open";

/** One connected Unix-domain stream socket; see the module doc. */
export class UnixStreamSocket {
  /** The path this socket is bound to (`""` when unbound). */
  readonly localPath: string;
  /** The server's path. */
  readonly remotePath: string;
  #fd: number;
  #peerEnd: UnixPeerEnd = "open";
  #polling: Promise<unknown> = Promise.resolve();

  private constructor(fd: number, localPath: string, remotePath: string) {
    this.#fd = fd;
    this.localPath = localPath;
    this.remotePath = remotePath;
  }

  /**
   * Binds `bindPath` (when given) and connects to `path`, retrying while the server's backlog is
   * full, until `timeoutMs`. Throws {@linkcode UnixSocketError} (`ECONNREFUSED`, `ENOENT`,
   * `EADDRINUSE` for the bind, `ETIMEDOUT`).
   */
  static async connect(
    opts: { path: string; bindPath?: string; timeoutMs: number },
  ): Promise<UnixStreamSocket> {
    acquire();
    const c = libc();
    const fd = c.socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      const code = codeName(errno());
      release();
      throw new UnixSocketError("cannot make a Unix socket", code);
    }
    let bound = false;
    try {
      if (opts.bindPath !== undefined) {
        assertOwnFolder(opts.bindPath);
        if (c.bind(fd, sockaddr(opts.bindPath), SOCKADDR_UN_SIZE)) {
          const code = codeName(errno());
          throw new UnixSocketError(`could not bind ${opts.bindPath} (${code})`, code);
        }
        bound = true;
      }
      const address = sockaddr(opts.path);
      const deadline = performance.now() + opts.timeoutMs;
      for (;;) {
        if (c.connect(fd, address, SOCKADDR_UN_SIZE) === 0) break;
        const e = errno();
        if (e !== EAGAIN && e !== EINTR) {
          throw new UnixSocketError(
            `could not connect to ${opts.path} (${codeName(e)})`,
            codeName(e),
          );
        }
        if (performance.now() >= deadline) {
          throw new UnixSocketError(
            `no connection to ${opts.path} within ${opts.timeoutMs} ms (its backlog is full)`,
            "ETIMEDOUT",
          );
        }
        await new Promise((r) => setTimeout(r, 2));
      }
    } catch (error) {
      c.close(fd);
      release();
      if (bound) await removeSocketFile(opts.bindPath!);
      throw error;
    }
    return new UnixStreamSocket(fd, opts.bindPath ?? "", opts.path);
  }

  /** How the peer has ended the connection so far. */
  get peerEnd(): UnixPeerEnd {
    return this.#peerEnd;
  }

  /** Whether this side is closed. */
  get closed(): boolean {
    return this.#fd < 0;
  }

  /** Writes every byte, waiting for room until `timeoutMs`; never throws. */
  async send(bytes: Uint8Array, timeoutMs: number): Promise<"sent" | "timeout" | "closed"> {
    const deadline = performance.now() + timeoutMs;
    let offset = 0;
    while (offset < bytes.length) {
      if (this.#fd < 0) return "closed";
      const rest = bytes.slice(offset);
      const n = Number(libc().send(this.#fd, rest, BigInt(rest.length), MSG_NOSIGNAL));
      if (n >= 0) {
        offset += n;
        continue;
      }
      const e = errno();
      if (e !== EAGAIN && e !== EINTR) return "closed";
      const left = deadline - performance.now();
      if (left <= 0) return "timeout";
      await this.#poll(POLLOUT, left);
    }
    return "sent";
  }

  /** What was sent and not yet read by the server's program: 0 when all was read (see `unread`). */
  unread(): number | undefined {
    return unread(this.#fd);
  }

  /** Ends our sending side (the server's `recv()` returns 0); keeps reading. */
  shutdown(): void {
    if (this.#fd >= 0) libc().shutdown(this.#fd, SHUT_WR);
  }

  /** Waits up to `timeoutMs` for the server to close (bytes it sends are read and dropped). */
  async waitPeerEnd(timeoutMs: number): Promise<UnixPeerEnd> {
    const deadline = performance.now() + timeoutMs;
    const buffer = new Uint8Array(4096);
    while (this.#peerEnd === "open" && this.#fd >= 0) {
      const n = Number(libc().recv(this.#fd, buffer, BigInt(buffer.length), MSG_DONTWAIT));
      if (n === 0) this.#peerEnd = "fin";
      else if (n < 0) {
        const e = errno();
        if (e === ECONNRESET) this.#peerEnd = "rst";
        else if (e !== EAGAIN && e !== EINTR) this.#peerEnd = "rst";
      }
      if (n > 0 || this.#peerEnd !== "open") continue;
      const left = deadline - performance.now();
      if (left <= 0) break;
      await this.#poll(POLLIN | POLLRDHUP | POLLHUP, left);
    }
    return this.#peerEnd;
  }

  /**
   * Closes the socket at once (a Unix stream has no RST: the peer reads end of stream, or
   * `ECONNRESET` when bytes it sent were left unread) and resolves once no call is in flight.
   */
  async close(): Promise<void> {
    if (this.#fd < 0) {
      await this.#polling;
      return;
    }
    libc().close(this.#fd);
    this.#fd = -1;
    await this.#polling;
    release();
  }

  #poll(events: number, timeoutMs: number): Promise<number> {
    const polled = pollFor(this.#fd, events, timeoutMs);
    this.#polling = polled.catch(() => 0);
    return polled;
  }
}

/**
 * A Unix datagram socket, bound to a path or left unbound (`Deno.listenDatagram` always binds a
 * path: an unbound one is what a client that forgot `bind()` sends from, for the address filter to
 * refuse). Through libc so that {@linkcode UnixDatagramSocket.unread} can tell whether the
 * server's program has read what it sent.
 */
export class UnixDatagramSocket {
  /** The bound path (`""` when unbound). */
  readonly localPath: string;
  #fd: number;

  private constructor(fd: number, localPath: string) {
    this.#fd = fd;
    this.localPath = localPath;
  }

  /**
   * Makes the socket, bound to `bindPath` when given; throws {@linkcode UnixSocketError} when it
   * cannot (`EADDRINUSE` when the path exists).
   */
  static open(bindPath?: string): UnixDatagramSocket {
    acquire();
    const c = libc();
    const fd = c.socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      const code = codeName(errno());
      release();
      throw new UnixSocketError("cannot make a Unix datagram socket", code);
    }
    if (bindPath !== undefined) {
      try {
        assertOwnFolder(bindPath);
      } catch (error) {
        c.close(fd);
        release();
        throw error;
      }
    }
    if (bindPath !== undefined && c.bind(fd, sockaddr(bindPath), SOCKADDR_UN_SIZE)) {
      const code = codeName(errno());
      c.close(fd);
      release();
      throw new UnixSocketError(`could not bind ${bindPath} (${code})`, code);
    }
    return new UnixDatagramSocket(fd, bindPath ?? "");
  }

  /**
   * Sends one datagram to `path`, retrying while the server's queue is full (`EAGAIN`) until
   * `timeoutMs`; throws {@linkcode UnixSocketError} (e.g. `ENOENT`, `EMSGSIZE`, `ETIMEDOUT`).
   */
  async send(bytes: Uint8Array, path: string, timeoutMs = 1000): Promise<void> {
    const copy = bytes.slice();
    const address = sockaddr(path);
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      if (this.#fd < 0) throw new UnixSocketError("the socket is closed", "EBADF");
      const n = libc().sendto(
        this.#fd,
        copy,
        BigInt(copy.length),
        MSG_NOSIGNAL,
        address,
        SOCKADDR_UN_SIZE,
      );
      if (n >= 0) return;
      const e = errno();
      if ((e !== EAGAIN && e !== EINTR) || performance.now() >= deadline) {
        const code = e === EAGAIN ? "ETIMEDOUT" : codeName(e);
        throw new UnixSocketError(`could not send to ${path} (${code})`, code);
      }
      await new Promise((r) => setTimeout(r, 2));
    }
  }

  /** What was sent and not yet read by the server's program: 0 when all was read (see `unread`). */
  unread(): number | undefined {
    return unread(this.#fd);
  }

  /** Closes the socket and leaves its bound path's file behind (a stale socket file). */
  closeKeepingFile(): void {
    if (this.#fd < 0) return;
    libc().close(this.#fd);
    this.#fd = -1;
    release();
  }

  /** Closes the socket and removes its bound path's file. */
  async close(): Promise<void> {
    if (this.#fd < 0) return;
    libc().close(this.#fd);
    this.#fd = -1;
    release();
    if (this.localPath) await removeSocketFile(this.localPath);
  }
}

/**
 * Leaves a stale socket file at `path`, as a server that crashed leaves one: a socket bound there
 * and closed (Deno's listeners remove their file on close). A server that does not remove it
 * before `bind()` gets `EADDRINUSE`. Throws {@linkcode UnixSocketError} when it cannot.
 */
export function leaveStaleSocket(path: string): void {
  UnixDatagramSocket.open(path).closeKeepingFile();
}

/**
 * Removes a socket file the grader made, if one is still there; anything else at `path` is left
 * (the socket folder is the student's programs' to write: one could have put something else
 * there). Throws `SocketFolderMoved` when the folder was made a link to elsewhere.
 */
export async function removeSocketFile(path: string): Promise<void> {
  assertOwnFolder(path);
  try {
    if (!(await Deno.lstat(path)).isSocket) return;
    await Deno.remove(path);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
}

/** {@linkcode removeSocketFile}, synchronously. */
export function removeSocketFileSync(path: string): void {
  assertOwnFolder(path);
  try {
    if (!Deno.lstatSync(path).isSocket) return;
    Deno.removeSync(path);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
}
