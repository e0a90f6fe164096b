/**
 * The reference server of the homework: it listens on a TCP port, accepts connections only from
 * the configured client addresses, frames each connection's bytes into lines
 * ({@linkcode LineFramer}) and prints the response (`Receive Query`) the moment a line is exactly
 * the trigger (`Client Query`). Stdout carries only response lines; everything else (listening,
 * connections accepted or rejected, each message shown escaped) goes to stderr.
 *
 * Every connection is served on its own, so an idle or slow client never delays another; memory
 * per connection is bounded by the line limit, and idle connections are closed after a timeout.
 *
 * Run it with `deno task server [allowed-client-address] [port]`, or directly with
 * `deno run --allow-net --allow-read server.ts [allowed-client-address] [port]`.
 *
 * @example
 * ```ts
 * import { serve } from "./server.ts";
 * const lines: string[] = [];
 * await using server = serve({ port: 0, hostname: "127.0.0.1", onResponse: (l) => lines.push(l), log: () => {} });
 * const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.addr.port });
 * await conn.write(new TextEncoder().encode("Client Query\nCleint Query\n"));
 * await conn.closeWrite();
 * while ((await conn.read(new Uint8Array(64))) !== null);
 * conn.close();
 * if (lines.join() !== "Receive Query") throw new Error(lines.join());
 * ```
 * @module
 */

import { isIP } from "node:net";
import { DEFAULT_SPEC } from "./grader/spec.ts";
import { type FramedMessage, LineFramer } from "./grader/framing.ts";
import { escapeBytes, escapeText } from "./grader/bytes.ts";

/** How {@linkcode serve} is configured; every field has a default. */
export interface ServeOptions {
  /** The client addresses whose messages are accepted (default `["127.0.0.1"]`). */
  allow?: readonly string[];
  /** The port to listen on (default the spec's `6666`; `0` picks a free port). */
  port?: number;
  /** The address to listen on (default `0.0.0.0`, or `::` when an allowed address is IPv6). */
  hostname?: string;
  /** The message that makes the server print (default `Client Query`). */
  trigger?: string;
  /** The line printed for it (default `Receive Query`). */
  response?: string;
  /** The longest line kept, in bytes; a longer one is discarded to its newline (default 64 KiB). */
  maxLineBytes?: number;
  /** A connection that sends nothing for this long is closed (default 120 000 ms). */
  idleTimeoutMs?: number;
  /** Receives each response line, without `\n` (default: written to stdout at once). */
  onResponse?: (line: string) => void;
  /** Receives each diagnostic line (default: written to stderr at once). */
  log?: (line: string) => void;
  /** Aborting it closes the server like {@linkcode ServerHandle.close}. */
  signal?: AbortSignal;
}

/** A running server. */
export interface ServerHandle extends AsyncDisposable {
  /** Where it really listens (the port is the real one when `0` was asked for). */
  readonly addr: { hostname: string; port: number };
  /** Settles once the listener and every connection are closed. */
  readonly closed: Promise<void>;
  /** Stops accepting, closes every connection, and resolves once all are closed. */
  close(): Promise<void>;
}

/** The server could not listen; its message says what happened and what to do. */
export class ListenError extends Error {
  override name = "ListenError";
}

/** The default idle timeout: two minutes. */
export const DEFAULT_IDLE_TIMEOUT_MS = 120_000;
/** The default line limit: 64 KiB. */
export const DEFAULT_MAX_LINE_BYTES = 64 * 1024;

const READ_BUFFER_BYTES = 8 * 1024;
const ACCEPT_RETRY_MS = 100;
const encoder = new TextEncoder();

/**
 * Puts an IP address in the form peers are compared in: IPv4-mapped IPv6 (`::ffff:a.b.c.d`)
 * becomes `a.b.c.d`, IPv6 is lower-cased and compressed. Anything else is returned unchanged.
 */
export function normalizeAddress(address: string): string {
  if (isIP(address) !== 6) return address;
  let canonical: string;
  try {
    canonical = new URL(`http://[${address}]/`).hostname.slice(1, -1);
  } catch {
    return address.toLowerCase();
  }
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(canonical);
  if (!mapped) return canonical;
  const high = parseInt(mapped[1]!, 16);
  const low = parseInt(mapped[2]!, 16);
  return [high >> 8, high & 255, low >> 8, low & 255].join(".");
}

/** Writes all bytes to a synchronous sink, looping over partial writes. */
function writeAllSync(sink: { writeSync(p: Uint8Array): number }, bytes: Uint8Array): void {
  let offset = 0;
  while (offset < bytes.length) offset += sink.writeSync(bytes.subarray(offset));
}

function stderrLine(line: string): void {
  try {
    writeAllSync(Deno.stderr, encoder.encode(`${line}\n`));
  } catch {
    // stderr is gone: there is nowhere left to report to, and the server keeps serving.
  }
}

function stdoutLine(line: string): void {
  writeAllSync(Deno.stdout, encoder.encode(`${line}\n`));
}

function formatHostPort(hostname: string, port: number): string {
  return hostname.includes(":") ? `[${hostname}]:${port}` : `${hostname}:${port}`;
}

function listenError(error: unknown, hostname: string, port: number): ListenError {
  const where = formatHostPort(hostname, port);
  if (error instanceof Deno.errors.AddrInUse) {
    return new ListenError(
      `port ${port} is already in use: stop the other server or pass another port`,
    );
  }
  if (error instanceof Deno.errors.PermissionDenied) {
    return new ListenError(
      `permission denied to listen on ${where}: ports below 1024 need extra privileges, so pass a port of 1024 or above`,
    );
  }
  if (error instanceof Deno.errors.AddrNotAvailable) {
    return new ListenError(
      `address ${hostname} is not available on this machine: pass one of its addresses as --hostname, or leave --hostname out to listen on all of them`,
    );
  }
  if (error instanceof Deno.errors.NotCapable) {
    return new ListenError(
      `Deno may not listen on ${where}: run it with --allow-net (deno task server does)`,
    );
  }
  return new ListenError(`cannot listen on ${where}: ${(error as Error).message}`, {
    cause: error,
  });
}

function checkOptions(options: ServeOptions): void {
  const { allow, port, maxLineBytes, idleTimeoutMs } = options;
  if (allow !== undefined) {
    if (allow.length === 0) throw new TypeError("serve() needs at least one allowed address.");
    const bad = allow.find((a) => isIP(a) === 0);
    if (bad !== undefined) {
      throw new TypeError(`"${bad}" is not an IP address: allow IPv4 or IPv6 addresses only.`);
    }
  }
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65535)) {
    throw new RangeError(`${port} is not a port: pass an integer from 0 to 65535.`);
  }
  if (maxLineBytes !== undefined && !(Number.isInteger(maxLineBytes) && maxLineBytes > 0)) {
    throw new RangeError(`maxLineBytes must be a positive integer, not ${maxLineBytes}.`);
  }
  if (idleTimeoutMs !== undefined && !(idleTimeoutMs > 0 && idleTimeoutMs <= 2 ** 31 - 1)) {
    throw new RangeError(`idleTimeoutMs must be a positive number of milliseconds.`);
  }
}

/**
 * Starts the reference server and returns at once with its handle; the listener is bound
 * before it returns, so a client may connect right away.
 *
 * @throws {ListenError} when the port or address cannot be listened on.
 * @throws {TypeError | RangeError} when an option is not valid.
 */
export function serve(options: ServeOptions = {}): ServerHandle {
  checkOptions(options);
  const allow = new Set((options.allow ?? ["127.0.0.1"]).map(normalizeAddress));
  const port = options.port ?? DEFAULT_SPEC.port;
  const hostname = options.hostname ??
    ([...allow].some((a) => isIP(a) === 6) ? "::" : "0.0.0.0");
  const trigger = encoder.encode(options.trigger ?? DEFAULT_SPEC.trigger);
  const response = options.response ?? DEFAULT_SPEC.response;
  const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  const onResponse = options.onResponse ?? stdoutLine;
  const log = options.log ?? stderrLine;

  let listener: Deno.TcpListener;
  try {
    listener = Deno.listen({ hostname, port, transport: "tcp" });
  } catch (error) {
    throw listenError(error, hostname, port);
  }
  const addr = { hostname: listener.addr.hostname, port: listener.addr.port };

  const conns = new Set<Deno.TcpConn>();
  const tasks = new Set<Promise<void>>();
  let closing = false;
  let wakeAcceptRetry = () => {};

  const respond = (line: string) => {
    try {
      onResponse(line);
    } catch (error) {
      log(`could not print the response: ${(error as Error).message}`);
    }
  };

  const isTrigger = (bytes: Uint8Array) =>
    bytes.length === trigger.length && bytes.every((b, i) => b === trigger[i]);

  const onMessage = (peer: string, message: FramedMessage) => {
    const matched = isTrigger(message.bytes);
    if (matched) respond(response);
    const how = message.endedBy === "close" ? " (ended by close)" : "";
    log(
      `${peer}: message "${escapeBytes(message.bytes, 256)}"${how} ${
        matched ? `-> printed "${response}"` : "-> not the trigger"
      }`,
    );
  };

  const serveConn = async (conn: Deno.TcpConn, peer: string) => {
    const framer = new LineFramer(maxLineBytes, ({ discardedBytes }) => {
      log(
        `${peer}: discarded a line of ${discardedBytes} bytes (longer than ${maxLineBytes} bytes)`,
      );
    });
    const buffer = new Uint8Array(READ_BUFFER_BYTES);
    let timedOut = false;
    let lastActivity = performance.now();
    const checkIdle = () => {
      const idleFor = performance.now() - lastActivity;
      if (idleFor < idleTimeoutMs) {
        timer = setTimeout(checkIdle, idleTimeoutMs - idleFor);
        return;
      }
      timedOut = true;
      conn.close();
      conns.delete(conn);
    };
    let timer = setTimeout(checkIdle, idleTimeoutMs);
    let ending = "the client closed the connection";
    try {
      while (true) {
        const n = await conn.read(buffer);
        if (n === null) {
          for (const message of framer.end()) onMessage(peer, message);
          break;
        }
        lastActivity = performance.now();
        for (const message of framer.push(buffer.subarray(0, n))) onMessage(peer, message);
      }
    } catch (error) {
      ending = timedOut
        ? `sent nothing for ${idleTimeoutMs} ms: closed the connection`
        : closing
        ? "closed the connection as the server stops"
        : error instanceof Deno.errors.ConnectionReset
        ? "reset the connection (an unfinished line is dropped)"
        : `connection failed (${(error as Error).message}); an unfinished line is dropped`;
    } finally {
      clearTimeout(timer);
      if (conns.delete(conn)) conn.close();
    }
    log(`${peer}: ${ending}`);
  };

  const acceptLoop = async () => {
    while (!closing) {
      let conn: Deno.TcpConn;
      try {
        conn = await listener.accept();
      } catch (error) {
        if (closing || error instanceof Deno.errors.BadResource) break;
        log(`accepting a connection failed (${(error as Error).message}); trying again`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, ACCEPT_RETRY_MS);
          wakeAcceptRetry = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        continue;
      }
      const { hostname: peerHost, port: peerPort } = conn.remoteAddr;
      const ip = normalizeAddress(peerHost);
      const peer = formatHostPort(ip, peerPort);
      if (closing) {
        conn.close();
        break;
      }
      if (!allow.has(ip)) {
        conn.close();
        log(`${peer}: rejected the connection (${ip} is not an allowed client address)`);
        continue;
      }
      log(`${peer}: accepted the connection`);
      conns.add(conn);
      const task = serveConn(conn, peer);
      tasks.add(task);
      task.finally(() => tasks.delete(task));
    }
  };

  log(
    `listening on ${formatHostPort(addr.hostname, addr.port)}; accepting messages from ${
      [...allow].join(", ")
    }; printing "${escapeText(response)}" for each message "${escapeBytes(trigger)}"`,
  );
  const accepting = acceptLoop();

  const { promise: closed, resolve: resolveClosed } = Promise.withResolvers<void>();
  let stopping: Promise<void> | undefined;
  const close = () =>
    stopping ??= (async () => {
      closing = true;
      options.signal?.removeEventListener("abort", onAbort);
      listener.close();
      wakeAcceptRetry();
      await accepting;
      for (const conn of conns) conn.close();
      conns.clear();
      await Promise.all(tasks);
      log("stopped");
      resolveClosed();
    })();
  const onAbort = () => void close();
  options.signal?.addEventListener("abort", onAbort, { once: true });
  if (options.signal?.aborted) onAbort();

  const handle: ServerHandle = {
    addr,
    closed,
    close,
    [Symbol.asyncDispose]: close,
  };
  return handle;
}

if (import.meta.main) {
  import("./cli/server_command.ts").then(async ({ runServerCli }) => {
    Deno.exitCode = await runServerCli(Deno.args);
  });
}
