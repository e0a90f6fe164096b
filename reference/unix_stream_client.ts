/**
 * A Unix-domain stream connection from a socket bound to a path. The server tells its clients
 * apart by that path (EXERCISE.md §6), but Deno's `Deno.connect({ transport: "unix" })` cannot
 * bind the connecting socket first, so this opens it through libc with Deno's FFI: `socket`,
 * `bind`, `connect`, then `write`, `shutdown` and `poll`/`read` to wait for the server's close.
 * It needs `--allow-ffi`; without it {@linkcode connectUnixBound} says so in a sentence.
 *
 * @module
 */

import { removeSocketQuietly, removeStaleSocket } from "./socket_path.ts";

const AF_UNIX = 1;
const SOCK_STREAM = 1;
const SHUT_WR = 1;
const POLLIN = 1;
const SUN_PATH_BYTES = 108;

const SYMBOLS = {
  socket: { parameters: ["i32", "i32", "i32"], result: "i32" },
  bind: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  connect: { parameters: ["i32", "buffer", "u32"], result: "i32", nonblocking: true },
  write: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  read: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  poll: { parameters: ["buffer", "u64", "i32"], result: "i32", nonblocking: true },
  shutdown: { parameters: ["i32", "i32"], result: "i32" },
  close: { parameters: ["i32"], result: "i32" },
  __errno_location: { parameters: [], result: "pointer" },
} as const;

type Libc = Deno.DynamicLibrary<typeof SYMBOLS>;

/** A system call failed; `code` is its errno name where known (e.g. `ECONNREFUSED`). */
export class UnixStreamError extends Error {
  override name = "UnixStreamError";
  /** The errno's name, or `""`. */
  readonly code: string;
  /** @param code the errno's name. */
  constructor(message: string, code: string) {
    super(message);
    this.code = code;
  }
}

const ERRNO_NAMES: Record<number, string> = {
  1: "EPERM",
  2: "ENOENT",
  4: "EINTR",
  13: "EACCES",
  32: "EPIPE",
  36: "ENAMETOOLONG",
  98: "EADDRINUSE",
  104: "ECONNRESET",
  111: "ECONNREFUSED",
};

/** A `struct sockaddr_un` for `path`, and its length. */
export function sockaddrUn(path: string): Uint8Array {
  const bytes = new TextEncoder().encode(path);
  if (bytes.length === 0 || bytes.length >= SUN_PATH_BYTES) {
    throw new UnixStreamError(
      `the socket path ${path} is ${bytes.length} bytes; a Unix-domain socket path must be 1 to ${
        SUN_PATH_BYTES - 1
      } bytes: pass a shorter one`,
      "ENAMETOOLONG",
    );
  }
  const addr = new Uint8Array(2 + bytes.length + 1);
  new DataView(addr.buffer).setUint16(0, AF_UNIX, true);
  addr.set(bytes, 2);
  return addr;
}

/** A connected, bound Unix stream socket. */
export interface UnixStreamLink {
  /** Writes all bytes. */
  write(bytes: Uint8Array): Promise<void>;
  /** Half-closes: the server reads the end of the stream. */
  closeWrite(): Promise<void>;
  /** Reads and drops until the server closes; `false` after `ms` without it. */
  waitForEnd(ms: number): Promise<boolean>;
  /** Closes the socket and removes its file. */
  close(): void;
}

function openLibc(): Libc {
  try {
    return Deno.dlopen("libc.so.6", SYMBOLS);
  } catch (error) {
    if (error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied) {
      throw new UnixStreamError(
        "binding a Unix stream client socket to a path needs Deno's FFI (Deno's own API cannot bind one): run the client with --allow-ffi, e.g. deno run --allow-net --allow-read --allow-write --allow-ffi client.ts --transport unix-stream <server-path> <client-path>",
        "NotCapable",
      );
    }
    throw error;
  }
}

/**
 * Binds a Unix stream socket to `bindPath` (a stale socket file there is replaced) and connects
 * it to the server's socket at `path`, giving up after `timeoutMs`.
 *
 * @throws {UnixStreamError} when a step fails; `code` names the errno.
 */
export async function connectUnixBound(
  path: string,
  bindPath: string,
  timeoutMs: number,
): Promise<UnixStreamLink> {
  const serverAddr = sockaddrUn(path);
  const clientAddr = sockaddrUn(bindPath);
  removeStaleSocket(bindPath);
  const libc = openLibc();
  const { symbols } = libc;
  const fail = (what: string): UnixStreamError => {
    const errno = new Deno.UnsafePointerView(symbols.__errno_location()!).getInt32();
    const code = ERRNO_NAMES[errno] ?? `errno ${errno}`;
    return new UnixStreamError(`${what} failed (${code})`, code);
  };
  const fd = symbols.socket(AF_UNIX, SOCK_STREAM, 0);
  if (fd < 0) {
    const error = fail("socket()");
    libc.close();
    throw error;
  }
  let open = true;
  const close = () => {
    if (!open) return;
    open = false;
    symbols.close(fd);
    libc.close();
    removeSocketQuietly(bindPath);
  };
  try {
    if (symbols.bind(fd, clientAddr, clientAddr.length) !== 0) throw fail(`bind(${bindPath})`);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), timeoutMs);
    });
    const connecting = symbols.connect(fd, serverAddr, serverAddr.length);
    const outcome = await Promise.race([connecting, timeout]);
    clearTimeout(timer);
    if (outcome === "timeout") {
      throw new UnixStreamError(`connect(${path}) timed out`, "ETIMEDOUT");
    }
    if (outcome !== 0) {
      // The call ran on another thread, whose errno is not this one's: ask the path instead.
      throw await connectFailure(path);
    }
  } catch (error) {
    close();
    throw error;
  }

  const pollOnce = async (ms: number): Promise<boolean> => {
    const fds = new Uint8Array(8);
    const view = new DataView(fds.buffer);
    view.setInt32(0, fd, true);
    view.setInt16(4, POLLIN, true);
    return (await symbols.poll(fds, 1n, Math.max(0, Math.ceil(ms)))) > 0;
  };

  return {
    write(bytes) {
      let offset = 0;
      while (offset < bytes.length) {
        const n = Number(symbols.write(fd, bytes.subarray(offset), BigInt(bytes.length - offset)));
        if (n < 0) {
          const error = fail("write()");
          if (error.code === "EINTR") continue;
          return Promise.reject(error);
        }
        offset += n;
      }
      return Promise.resolve();
    },
    closeWrite() {
      symbols.shutdown(fd, SHUT_WR);
      return Promise.resolve();
    },
    async waitForEnd(ms) {
      const deadline = performance.now() + ms;
      const buffer = new Uint8Array(4096);
      while (true) {
        const left = deadline - performance.now();
        if (left <= 0 || !(await pollOnce(left))) return false;
        const n = Number(symbols.read(fd, buffer, BigInt(buffer.length)));
        if (n <= 0) return true;
      }
    },
    close,
  };
}

/** Why connecting to the socket at `path` failed, told from what is at the path. */
async function connectFailure(path: string): Promise<UnixStreamError> {
  try {
    const info = await Deno.lstat(path);
    return info.isSocket
      ? new UnixStreamError(`nothing accepts connections at ${path}`, "ECONNREFUSED")
      : new UnixStreamError(`${path} is not a socket`, "ENOTSOCK");
  } catch {
    return new UnixStreamError(`no socket exists at ${path}`, "ENOENT");
  }
}
