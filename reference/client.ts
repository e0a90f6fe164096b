/**
 * The reference client's implementation; `../client.ts` is its public entry (importable and
 * runnable) and re-exports all of it. See that module for what it does.
 *
 * @module
 */

import net from "node:net";
import { isIP } from "node:net";
import { DEFAULT_SPEC } from "../grader/spec.ts";
import { escapeText } from "../grader/text/bytes.ts";
import { isUnixTransport, type Transport, TRANSPORTS } from "./transports.ts";
import { type DatagramRoute, DatagramSendError, openDatagramLink } from "./datagram_client.ts";
import { connectUnixBound, UnixStreamError } from "./unix_stream_client.ts";
import { NotASocketError } from "./socket_path.ts";

/** How {@linkcode runClient} is configured; every field has a default. */
export interface ClientOptions {
  /** The transport (default `tcp`). */
  transport?: Transport;
  /** `unix-stream`/`unix-dgram`: the server's socket path (required). */
  path?: string;
  /** `unix-stream`/`unix-dgram`: the path the client binds its own socket to (required). */
  bindPath?: string;
  /** The server's address (default `127.0.0.1`). */
  hostname?: string;
  /** The server's port (default the spec's `6666`). */
  port?: number;
  /** The messages to send, in order, without their `\n` (default the spec's three). */
  messages?: readonly string[];
  /** Give up connecting after this long (default 5 000 ms). */
  connectTimeoutMs?: number;
  /** The local address to connect from (default: chosen by the system). */
  bind?: string;
  /** After sending, how long to wait for the server to close the connection (default 1 000 ms). */
  closeWaitMs?: number;
  /** Receives each progress line (default: written to stderr at once). */
  log?: (line: string) => void;
}

/** What {@linkcode runClient} did. */
export interface ClientResult {
  /** The messages sent, in order, without their `\n`. */
  sent: string[];
  /** How many bytes were sent in all, newlines included. */
  bytes: number;
  /**
   * Whether the server closed the connection within the wait (otherwise the client closed it);
   * always `false` over datagrams, which have no connection.
   */
  serverClosed: boolean;
}

/** The client could not connect or send; its message says what happened and what to do. */
export class ClientError extends Error {
  override name = "ClientError";
}

/** The default connect timeout: five seconds. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
/** The default wait for the server to close after the client half-closed: one second. */
export const DEFAULT_CLOSE_WAIT_MS = 1_000;

const encoder = new TextEncoder();

/** One connected TCP stream, whichever API opened it. */
interface Link {
  /** The local end, as `host:port`. */
  local: string;
  write(bytes: Uint8Array): Promise<void>;
  closeWrite(): Promise<void>;
  /** Reads and drops whatever arrives until the server closes; `false` after `ms` without it. */
  waitForEnd(ms: number): Promise<boolean>;
  close(): void;
}

function hostPort(hostname: string, port: number): string {
  return hostname.includes(":") ? `[${hostname}]:${port}` : `${hostname}:${port}`;
}

function seconds(ms: number): string {
  return `${ms / 1000} s`;
}

function connectError(
  code: string,
  message: string,
  where: string,
  options: { bind?: string; timeoutMs: number },
): ClientError {
  switch (code) {
    case "ConnectionRefused":
    case "ECONNREFUSED":
      return new ClientError(
        `nothing is listening on ${where} (connection refused): start the server first, or check the address and port`,
      );
    case "TimedOut":
    case "ETIMEDOUT":
      return new ClientError(
        `could not connect to ${where} within ${
          seconds(options.timeoutMs)
        }: check that the server is running and reachable, or raise --connect-timeout`,
      );
    case "NetworkUnreachable":
    case "ENETUNREACH":
    case "EHOSTUNREACH":
      return new ClientError(
        `${where} cannot be reached from this machine (network unreachable): check the server address`,
      );
    case "AddrNotAvailable":
    case "EADDRNOTAVAIL":
      return new ClientError(
        options.bind === undefined
          ? `cannot connect to ${where} (address not available): check the server address`
          : `cannot connect from ${options.bind}: it is not an address of this machine, so pass one of its addresses to --bind or leave --bind out`,
      );
    case "NotCapable":
      return new ClientError(
        `Deno may not connect to ${where}: run it with --allow-net (deno task client does)`,
      );
    default:
      return new ClientError(`could not connect to ${where}: ${message}`);
  }
}

/** Connects with Deno's own API (no local address to bind). */
async function connectDeno(hostname: string, port: number, timeoutMs: number): Promise<Link> {
  const where = hostPort(hostname, port);
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  let conn: Deno.TcpConn;
  try {
    conn = await Deno.connect({ hostname, port, signal: abort.signal });
  } catch (error) {
    const code = abort.signal.aborted ? "TimedOut" : (error as Error).name;
    throw connectError(code, (error as Error).message, where, { timeoutMs });
  } finally {
    clearTimeout(timer);
  }
  let open = true;
  const close = () => {
    if (open) conn.close();
    open = false;
  };
  return {
    local: hostPort(conn.localAddr.hostname, conn.localAddr.port),
    async write(bytes) {
      let offset = 0;
      while (offset < bytes.length) offset += await conn.write(bytes.subarray(offset));
    },
    closeWrite: () => conn.closeWrite(),
    async waitForEnd(ms) {
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        close();
      }, ms);
      const buffer = new Uint8Array(4096);
      try {
        while ((await conn.read(buffer)) !== null);
        return true;
      } catch (error) {
        if (timedOut) return false;
        if (error instanceof Deno.errors.ConnectionReset) return true;
        throw error;
      } finally {
        clearTimeout(timer);
      }
    },
    close,
  };
}

/** Connects with `node:net`, which can bind the local address first. */
function connectNode(
  hostname: string,
  port: number,
  bind: string,
  timeoutMs: number,
): Promise<Link> {
  const where = hostPort(hostname, port);
  return new Promise<Link>((resolve, reject) => {
    const socket = net.createConnection({ host: hostname, port, localAddress: bind });
    let ended = false;
    let onEnd = () => {};
    const timer = setTimeout(() => {
      socket.destroy();
      reject(connectError("ETIMEDOUT", "timed out", where, { bind, timeoutMs }));
    }, timeoutMs);
    socket.once("error", (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(connectError(error.code ?? "", error.message, where, { bind, timeoutMs }));
    });
    socket.once("connect", () => {
      clearTimeout(timer);
      socket.removeAllListeners("error");
      let failure: Error | undefined;
      socket.on("error", (error) => failure = error);
      socket.on("data", () => {});
      socket.once("close", () => {
        ended = true;
        onEnd();
      });
      resolve({
        local: hostPort(socket.localAddress ?? bind, socket.localPort ?? 0),
        write: (bytes) =>
          new Promise<void>((done, fail) =>
            socket.write(bytes, (error) => error ? fail(error) : done())
          ),
        closeWrite: () => new Promise<void>((done) => socket.end(done)),
        waitForEnd: (ms) =>
          new Promise<boolean>((done, fail) => {
            if (ended) return failure ? fail(failure) : done(true);
            const wait = setTimeout(() => {
              onEnd = () => done(false);
              socket.destroy();
            }, ms);
            onEnd = () => {
              clearTimeout(wait);
              done(true);
            };
          }),
        close: () => socket.destroy(),
      });
    });
  });
}

function checkOptions(options: ClientOptions): void {
  const { transport = "tcp", hostname, port, messages, bind, connectTimeoutMs, closeWaitMs } =
    options;
  if (!TRANSPORTS.includes(transport)) {
    throw new TypeError(`"${transport}" is not a transport: pass one of ${TRANSPORTS.join(", ")}.`);
  }
  if (isUnixTransport(transport) && (!options.path || !options.bindPath)) {
    throw new TypeError(
      `A ${transport} client needs the server's socket path and a path to bind its own socket to.`,
    );
  }
  if (hostname !== undefined && isIP(hostname) === 0 && hostname !== "localhost") {
    throw new TypeError(`"${hostname}" is not an IP address: pass an IPv4 or IPv6 address.`);
  }
  if (bind !== undefined && isIP(bind) === 0) {
    throw new TypeError(`"${bind}" is not an IP address: bind to an IPv4 or IPv6 address.`);
  }
  if (port !== undefined && !(Number.isInteger(port) && port >= 1 && port <= 65535)) {
    throw new RangeError(`${port} is not a port: pass an integer from 1 to 65535.`);
  }
  if (messages?.some((m) => /[\r\n]/.test(m))) {
    throw new TypeError("A message must be a single line: leave out \\r and \\n.");
  }
  for (
    const [name, value] of [["connectTimeoutMs", connectTimeoutMs], [
      "closeWaitMs",
      closeWaitMs,
    ]] as const
  ) {
    if (value !== undefined && !(value > 0 && value <= 2 ** 31 - 1)) {
      throw new RangeError(`${name} must be a positive number of milliseconds.`);
    }
  }
}

/**
 * Connects, sends each message followed by `\n` (one write per message), half-closes, and waits
 * up to `closeWaitMs` for the server to close. Resolves with what was sent.
 *
 * @throws {ClientError} when it cannot connect (refused, unreachable, timed out, bad bind
 * address) or the connection fails while sending.
 * @throws {TypeError | RangeError} when an option is not valid.
 */
export async function runClient(options: ClientOptions = {}): Promise<ClientResult> {
  checkOptions(options);
  const transport = options.transport ?? "tcp";
  const messages = [...(options.messages ?? DEFAULT_SPEC.messages)];
  const log = options.log ?? ((line: string) => console.error(line));
  if (transport === "udp" || transport === "unix-dgram") {
    const route: DatagramRoute = transport === "udp"
      ? {
        transport,
        hostname: options.hostname ?? "127.0.0.1",
        port: options.port ?? DEFAULT_SPEC.port,
        bind: options.bind,
      }
      : { transport, path: options.path!, bindPath: options.bindPath! };
    return await sendDatagrams(route, messages, log);
  }
  const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  let where: string;
  let link: Link;
  if (transport === "unix-stream") {
    where = options.path!;
    link = await connectUnix(options.path!, options.bindPath!, connectTimeoutMs);
  } else {
    const hostname = options.hostname ?? "127.0.0.1";
    const port = options.port ?? DEFAULT_SPEC.port;
    where = hostPort(hostname, port);
    link = options.bind === undefined
      ? await connectDeno(hostname, port, connectTimeoutMs)
      : await connectNode(hostname, port, options.bind, connectTimeoutMs);
  }
  return await sendOnStream(
    link,
    where,
    messages,
    options.closeWaitMs ?? DEFAULT_CLOSE_WAIT_MS,
    log,
  );
}

/** Sends each message and `\n` on the connection, half-closes, and waits for the server's close. */
async function sendOnStream(
  link: Link,
  where: string,
  messages: string[],
  closeWaitMs: number,
  log: (line: string) => void,
): Promise<ClientResult> {
  let bytes = 0;
  try {
    log(`connected to ${where} from ${link.local}`);
    for (const message of messages) {
      const data = encoder.encode(`${message}\n`);
      try {
        await link.write(data);
      } catch (error) {
        throw new ClientError(
          `the connection to ${where} failed while sending "${escapeText(message)}" (${
            (error as Error).message
          }): check that the server accepts this client's address`,
          { cause: error },
        );
      }
      bytes += data.length;
      log(`sent "${escapeText(message)}\\n"`);
    }
    await link.closeWrite().catch(() => {});
    const serverClosed = await link.waitForEnd(closeWaitMs).catch(() => true);
    const what = `${messages.length} message${messages.length === 1 ? "" : "s"} (${bytes} bytes)`;
    log(
      serverClosed
        ? `done: sent ${what}; the server closed the connection`
        : `done: sent ${what}; the server kept the connection open for ${
          seconds(closeWaitMs)
        }, so the client closed it`,
    );
    return { sent: messages, bytes, serverClosed };
  } finally {
    link.close();
  }
}

/** Connects a Unix stream socket bound to `bindPath`; failures become sentences. */
async function connectUnix(path: string, bindPath: string, timeoutMs: number): Promise<Link> {
  try {
    const link = await connectUnixBound(path, bindPath, timeoutMs);
    return { local: bindPath, ...link };
  } catch (error) {
    if (error instanceof NotASocketError) throw new ClientError(error.message);
    if (!(error instanceof UnixStreamError)) throw error;
    switch (error.code) {
      case "ECONNREFUSED":
      case "ENOENT":
        throw new ClientError(
          `nothing is listening at ${path} (${error.message}): start the server first, or check the path`,
        );
      case "ETIMEDOUT":
        throw new ClientError(
          `could not connect to ${path} within ${
            seconds(timeoutMs)
          }: check that the server is running, or raise --connect-timeout`,
        );
      case "EADDRINUSE":
      case "EACCES":
        throw new ClientError(
          `cannot bind the client's socket to ${bindPath} (${error.code}): pass a path in a folder you may write to where nothing else is`,
        );
      default:
        throw new ClientError(error.message);
    }
  }
}

/** Sends each message as one datagram. */
async function sendDatagrams(
  route: DatagramRoute,
  messages: string[],
  log: (line: string) => void,
): Promise<ClientResult> {
  const where = route.transport === "udp" ? hostPort(route.hostname, route.port) : route.path;
  let link;
  try {
    link = openDatagramLink(route);
  } catch (error) {
    if (error instanceof NotASocketError) throw new ClientError(error.message);
    const from = route.transport === "udp" ? route.bind ?? "any address" : route.bindPath;
    throw new ClientError(
      `cannot bind the client's socket to ${from} (${
        (error as Error).message
      }): pass an address of this machine, or a path in a folder you may write to`,
      { cause: error },
    );
  }
  let bytes = 0;
  try {
    log(`sending ${route.transport} datagrams to ${where} from ${link.local}`);
    for (const message of messages) {
      const data = encoder.encode(message);
      try {
        await link.send(data);
      } catch (error) {
        if (error instanceof DatagramSendError && error.tooLarge) {
          throw new ClientError(error.message, { cause: error });
        }
        throw new ClientError(
          `could not send "${escapeText(message, 64)}" to ${where} (${(error as Error).message}): ${
            route.transport === "udp"
              ? "check the server's address and port"
              : "start the server first, or check its path"
          }`,
          { cause: error },
        );
      }
      bytes += data.length;
      log(`sent the datagram "${escapeText(message, 256)}"`);
    }
    const what = `${messages.length} datagram${messages.length === 1 ? "" : "s"} (${bytes} bytes)`;
    log(`done: sent ${what}`);
    return { sent: messages, bytes, serverClosed: false };
  } finally {
    link.close();
  }
}
