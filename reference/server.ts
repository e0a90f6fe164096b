/**
 * The reference server's implementation; `../server.ts` is its public entry (importable and
 * runnable) and re-exports all of it. See that module for what it does.
 *
 * @module
 */

import { isIP } from "node:net";
import { DEFAULT_SPEC } from "../grader/spec.ts";
import { escapeBytes, escapeText } from "../grader/text/bytes.ts";
import { TurnOutput, writeAllSync } from "./turn_output.ts";
import { MessageJudge } from "./messages.ts";
import { formatHostPort, normalizeAddress } from "./peers.ts";
import { NotASocketError, removeSocketQuietly, removeStaleSocket } from "./socket_path.ts";
import type { Running, Serving } from "./serving.ts";
import { serveStreams } from "./stream_server.ts";
import { serveDatagrams } from "./datagram_server.ts";

import { isUnixTransport, type Transport, TRANSPORTS } from "./transports.ts";

export { isUnixTransport, normalizeAddress, type Transport, TRANSPORTS };

/** How {@linkcode serve} is configured; every field has a default. */
export interface ServeOptions {
  /** The transport (default `tcp`). */
  transport?: Transport;
  /**
   * The clients whose messages are accepted: IP addresses (default `["127.0.0.1"]`), or for the
   * Unix-domain transports the paths they bind their sockets to (required).
   */
  allow?: readonly string[];
  /** `tcp`/`udp`: the port to listen on (default the spec's `6666`; `0` picks a free port). */
  port?: number;
  /** `tcp`/`udp`: the address to listen on (default `0.0.0.0`, or `::` when an allowed address is IPv6). */
  hostname?: string;
  /** `unix-stream`/`unix-dgram`: the socket's path (required); a stale socket file there is replaced. */
  path?: string;
  /** The message that makes the server print (default `Client Query`). */
  trigger?: string;
  /** The line printed for it (default `Receive Query`). */
  response?: string;
  /** The longest message kept, in bytes; a longer line is discarded to its newline (default 64 KiB). */
  maxLineBytes?: number;
  /** A connection that sends nothing for this long is closed (default 120 000 ms). */
  idleTimeoutMs?: number;
  /** Receives each response line, without `\n` (default: written to stdout in the turn it is due). */
  onResponse?: (line: string) => void;
  /** Receives each diagnostic line (default: written to stderr in the same turn). */
  log?: (line: string) => void;
  /** Aborting it closes the server like {@linkcode ServerHandle.close}. */
  signal?: AbortSignal;
}

/** Where a server listens. */
export type ServerAddress =
  | { transport: "tcp" | "udp"; hostname: string; port: number }
  | { transport: "unix-stream" | "unix-dgram"; path: string };

/** A running server. */
export interface ServerHandle extends AsyncDisposable {
  /** Where it really listens (the port is the real one when `0` was asked for). */
  readonly addr: ServerAddress;
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

const stdout = new TurnOutput(
  (bytes) => writeAllSync(Deno.stdout, bytes),
  (error) => stderr.write(`could not print the response: ${error.message}\n`),
);
const stderr = new TurnOutput((bytes) => writeAllSync(Deno.stderr, bytes));

function listenError(
  error: unknown,
  where: string,
  transport: Transport,
  port?: number,
): ListenError {
  if (error instanceof NotASocketError) return new ListenError(error.message);
  if (error instanceof Deno.errors.AddrInUse) {
    return new ListenError(
      port === undefined
        ? `${where} is already in use: stop the other server or pass another path`
        : `port ${port} is already in use${
          transport === "udp" ? " (UDP)" : ""
        }: stop the other server or pass another port`,
    );
  }
  if (error instanceof Deno.errors.PermissionDenied) {
    return new ListenError(
      port === undefined
        ? `permission denied to create the socket ${where}: pass a path in a folder you may write to`
        : `permission denied to listen on ${where}: ports below 1024 need extra privileges, so pass a port of 1024 or above`,
    );
  }
  if (error instanceof Deno.errors.AddrNotAvailable) {
    return new ListenError(
      `address ${where} is not available on this machine: pass one of its addresses as --hostname, or leave --hostname out to listen on all of them`,
    );
  }
  if (error instanceof Deno.errors.NotFound) {
    return new ListenError(`the folder of ${where} does not exist: create it or pass another path`);
  }
  if (error instanceof Deno.errors.NotCapable) {
    return new ListenError(
      `Deno may not listen on ${where}: run it with --allow-net --allow-read --allow-write (deno task server does)`,
    );
  }
  if (error instanceof TypeError && /unstable/i.test(error.message)) {
    return new ListenError(
      `Deno's ${transport} sockets are unstable: run it with --unstable-net (deno task server does)`,
    );
  }
  return new ListenError(`cannot listen on ${where}: ${(error as Error).message}`, {
    cause: error,
  });
}

function checkOptions(options: ServeOptions): void {
  const { transport = "tcp", allow, port, path, maxLineBytes, idleTimeoutMs } = options;
  if (!TRANSPORTS.includes(transport)) {
    throw new TypeError(`"${transport}" is not a transport: pass one of ${TRANSPORTS.join(", ")}.`);
  }
  if (allow !== undefined && allow.length === 0) {
    throw new TypeError("serve() needs at least one allowed client.");
  }
  if (isUnixTransport(transport)) {
    if (allow === undefined || allow.some((a) => a === "")) {
      throw new TypeError(`A ${transport} server needs the paths its clients bind to as allow.`);
    }
    if (path === undefined || path === "") {
      throw new TypeError(`A ${transport} server needs the path of its socket.`);
    }
  } else {
    const bad = allow?.find((a) => isIP(a) === 0);
    if (bad !== undefined) {
      throw new TypeError(`"${bad}" is not an IP address: allow IPv4 or IPv6 addresses only.`);
    }
    if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65535)) {
      throw new RangeError(`${port} is not a port: pass an integer from 0 to 65535.`);
    }
  }
  if (maxLineBytes !== undefined && !(Number.isInteger(maxLineBytes) && maxLineBytes > 0)) {
    throw new RangeError(`maxLineBytes must be a positive integer, not ${maxLineBytes}.`);
  }
  if (idleTimeoutMs !== undefined && !(idleTimeoutMs > 0 && idleTimeoutMs <= 2 ** 31 - 1)) {
    throw new RangeError(`idleTimeoutMs must be a positive number of milliseconds.`);
  }
}

/** Binds the socket of `transport`; returns where it listens and the running half. */
function bind(
  options: ServeOptions,
  transport: Transport,
  allow: ReadonlySet<string>,
  serving: Serving,
): { addr: ServerAddress; running: Running; cleanup: () => void } {
  if (isUnixTransport(transport)) {
    const path = options.path!;
    try {
      removeStaleSocket(path);
      const running = transport === "unix-stream"
        ? serveStreams(Deno.listen({ transport: "unix", path }), serving, transport)
        : serveDatagrams(
          Deno.listenDatagram({ transport: "unixpacket", path }),
          serving,
          transport,
        );
      return { addr: { transport, path }, running, cleanup: () => removeSocketQuietly(path) };
    } catch (error) {
      throw listenError(error, path, transport);
    }
  }
  const port = options.port ?? DEFAULT_SPEC.port;
  const hostname = options.hostname ??
    ([...allow].some((a) => isIP(a) === 6) ? "::" : "0.0.0.0");
  try {
    if (transport === "tcp") {
      const listener = Deno.listen({ hostname, port, transport: "tcp" });
      const addr = { transport, hostname: listener.addr.hostname, port: listener.addr.port };
      return { addr, running: serveStreams(listener, serving, transport), cleanup: () => {} };
    }
    const socket = Deno.listenDatagram({ hostname, port, transport: "udp" });
    const local = socket.addr as Deno.NetAddr;
    const addr = { transport, hostname: local.hostname, port: local.port };
    return { addr, running: serveDatagrams(socket, serving, transport), cleanup: () => {} };
  } catch (error) {
    throw listenError(error, formatHostPort(hostname, port), transport, port);
  }
}

function describe(addr: ServerAddress): string {
  const where = "path" in addr ? addr.path : formatHostPort(addr.hostname, addr.port);
  return `${where}; transport ${addr.transport}`;
}

/**
 * Starts the reference server and returns at once with its handle; the socket is bound before
 * it returns, so a client may connect (or send) right away.
 *
 * @throws {ListenError} when the port, address or path cannot be listened on.
 * @throws {TypeError | RangeError} when an option is not valid.
 */
export function serve(options: ServeOptions = {}): ServerHandle {
  checkOptions(options);
  const transport = options.transport ?? "tcp";
  const allow = new Set(
    isUnixTransport(transport)
      ? options.allow!
      : (options.allow ?? ["127.0.0.1"]).map(normalizeAddress),
  );
  const trigger = new TextEncoder().encode(options.trigger ?? DEFAULT_SPEC.trigger);
  const response = options.response ?? DEFAULT_SPEC.response;
  const onResponse = options.onResponse ?? ((line: string) => stdout.write(`${line}\n`));
  const log = options.log ?? ((line: string) => stderr.write(`${line}\n`));
  const serving: Serving = {
    allow,
    judge: new MessageJudge(trigger),
    response,
    maxLineBytes: options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES,
    idleTimeoutMs: options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
    respond() {
      try {
        onResponse(response);
      } catch (error) {
        log(`could not print the response: ${(error as Error).message}`);
      }
    },
    log,
  };

  const { addr, running, cleanup } = bind(options, transport, allow, serving);
  log(
    `listening on ${describe(addr)}; accepting messages from ${[...allow].join(", ")}; printing "${
      escapeText(response)
    }" for each message "${escapeBytes(trigger)}"`,
  );

  const { promise: closed, resolve: resolveClosed } = Promise.withResolvers<void>();
  let stopping: Promise<void> | undefined;
  const close = () =>
    stopping ??= (async () => {
      options.signal?.removeEventListener("abort", onAbort);
      await running.close();
      cleanup();
      log("stopped");
      stdout.flush();
      stderr.flush();
      resolveClosed();
    })();
  const onAbort = () => void close();
  options.signal?.addEventListener("abort", onAbort, { once: true });
  if (options.signal?.aborted) onAbort();

  return { addr, closed, close, [Symbol.asyncDispose]: close };
}
