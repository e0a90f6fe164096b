/**
 * The reference client of the homework: it connects to the server, sends the spec's messages in
 * order (`Client Query test`, `Cleint Query` with its typo, `Client Query Quit`), each ending in
 * `\n`, on one connection, half-closes it, waits briefly for the server to close, and is done.
 * Progress goes to stderr; stdout stays empty.
 *
 * Run it with `deno task client [server-address] [port]`, or directly with
 * `deno run --allow-net --allow-read client.ts [server-address] [port]`.
 *
 * @example
 * ```ts
 * import { runClient } from "./client.ts";
 * using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * const sending = runClient({ port: listener.addr.port, log: () => {} });
 * using conn = await listener.accept();
 * const received = await new Response(conn.readable).text();
 * const result = await sending;
 * if (received !== "Client Query test\nCleint Query\nClient Query Quit\n") throw new Error(received);
 * if (result.bytes !== received.length) throw new Error(`${result.bytes}`);
 * ```
 * @module
 */

import net from "node:net";
import { isIP } from "node:net";
import { DEFAULT_SPEC } from "./grader/spec.ts";
import { escapeText } from "./grader/bytes.ts";

/** How {@linkcode runClient} is configured; every field has a default. */
export interface ClientOptions {
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
  /** Whether the server closed the connection within the wait (otherwise the client closed it). */
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
  const { hostname, port, messages, bind, connectTimeoutMs, closeWaitMs } = options;
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
  const hostname = options.hostname ?? "127.0.0.1";
  const port = options.port ?? DEFAULT_SPEC.port;
  const messages = [...(options.messages ?? DEFAULT_SPEC.messages)];
  const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const closeWaitMs = options.closeWaitMs ?? DEFAULT_CLOSE_WAIT_MS;
  const log = options.log ?? ((line: string) => console.error(line));
  const where = hostPort(hostname, port);

  const link = options.bind === undefined
    ? await connectDeno(hostname, port, connectTimeoutMs)
    : await connectNode(hostname, port, options.bind, connectTimeoutMs);
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

if (import.meta.main) {
  import("./cli/client_command.ts").then(async ({ runClientCli }) => {
    Deno.exitCode = await runClientCli(Deno.args);
  });
}
