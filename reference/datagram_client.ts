/**
 * The reference client over datagram transports (`udp`, `unix-dgram`): each message is one
 * datagram, sent as it is (no `\n`: the datagram's end ends the message), from a socket bound
 * to the client's address or, over `unix-dgram`, to the client's path, which is how the server
 * tells who sent it. The socket file is removed afterwards.
 *
 * A datagram too large for the socket fails with `EMSGSIZE` (or `ENOBUFS` on some systems, the
 * article's closing pitfall for Unix-domain messages of 128 KiB or more); the client then says
 * plainly how large the message was and what the limit is, instead of an errno.
 *
 * @module
 */

import { removeSocketQuietly, removeStaleSocket } from "./socket_path.ts";

/** The largest UDP payload over IPv4: 65,535 minus the IP and UDP headers. */
export const UDP_MAX_PAYLOAD = 65_507;

/** Where the datagrams go, and where they come from. */
export type DatagramRoute =
  | { transport: "udp"; hostname: string; port: number; bind?: string }
  | { transport: "unix-dgram"; path: string; bindPath: string };

/** A datagram could not be sent; `tooLarge` when the system refused its size. */
export class DatagramSendError extends Error {
  override name = "DatagramSendError";
  /** Whether the datagram was refused for its size (`EMSGSIZE`, `ENOBUFS`). */
  readonly tooLarge: boolean;
  /** @param tooLarge whether the size was the reason. */
  constructor(message: string, tooLarge: boolean, options?: ErrorOptions) {
    super(message, options);
    this.tooLarge = tooLarge;
  }
}

/**
 * The errno a send refused for the datagram's size failed with: `EMSGSIZE` (90 on Linux) or
 * `ENOBUFS` (105; the article's, on systems whose limit is a fixed buffer), else undefined.
 */
export function sizeErrorCode(error: unknown): "EMSGSIZE" | "ENOBUFS" | undefined {
  const message = error instanceof Error ? error.message : String(error);
  if (/os error 90\b|EMSGSIZE|message too long/i.test(message)) return "EMSGSIZE";
  if (/os error 105\b|ENOBUFS|no buffer space/i.test(message)) return "ENOBUFS";
  return undefined;
}

/**
 * What Linux keeps back from a Unix-domain datagram socket's send buffer: a datagram may be at
 * most the buffer less these bytes (`unix_dgram_sendmsg` in `net/unix/af_unix.c`).
 */
const UNIX_DGRAM_RESERVE = 32;

/**
 * The largest Unix-domain datagram a new socket sends here: its send buffer, which starts at
 * `net.core.wmem_default`, less 32 bytes (212,992 − 32 = 212,960 with Linux's defaults, as
 * measured in docs/TRANSPORTS.md); undefined where that setting cannot be read.
 */
export function unixDatagramLimit(): number | undefined {
  try {
    const text = Deno.readTextFileSync("/proc/sys/net/core/wmem_default").trim();
    return /^\d+$/.test(text) ? Number(text) - UNIX_DGRAM_RESERVE : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The sentence for a datagram of `bytes` the system refused for its size, naming the errno it
 * got (`code`, when known) and the limit.
 */
export function tooLargeMessage(
  transport: "udp" | "unix-dgram",
  bytes: number,
  code?: "EMSGSIZE" | "ENOBUFS",
): string {
  const size = `${bytes.toLocaleString("en-US")} bytes`;
  const got = code ? ` (${code})` : "";
  if (transport === "udp") {
    return `the datagram of ${size} is too large for UDP${got}: at most ${
      UDP_MAX_PAYLOAD.toLocaleString("en-US")
    } bytes over IPv4, less where the path's MTU forbids fragments; send shorter messages`;
  }
  const limit = unixDatagramLimit();
  const shown = limit === undefined
    ? "at most the socket's send buffer"
    : `at most ${
      limit.toLocaleString("en-US")
    } bytes here (the socket's send buffer, net.core.wmem_default, less ${UNIX_DGRAM_RESERVE} bytes)`;
  return `the datagram of ${size} is too large for a Unix-domain datagram socket${got}: ${shown}, and 128 KiB or less on other systems (the article's ENOBUFS); send shorter messages, or use unix-stream, which has no such limit`;
}

/** An open datagram socket bound for the route, with the address it sends to. */
export interface DatagramLink {
  /** The local end, for the log. */
  local: string;
  /** Sends one datagram. */
  send(bytes: Uint8Array): Promise<void>;
  /** Closes the socket and removes its file. */
  close(): void;
}

/**
 * Binds the client's socket for `route` (a stale socket file at the client's path is replaced).
 *
 * @throws {Error} from Deno when binding fails; the caller turns it into a sentence.
 */
export function openDatagramLink(route: DatagramRoute): DatagramLink {
  if (route.transport === "unix-dgram") {
    removeStaleSocket(route.bindPath);
    const socket = Deno.listenDatagram({ transport: "unixpacket", path: route.bindPath });
    const to: Deno.UnixAddr = { transport: "unixpacket", path: route.path };
    return {
      local: route.bindPath,
      send: (bytes) => sendOne(socket, to, bytes, route.transport),
      close() {
        socket.close();
        removeSocketQuietly(route.bindPath);
      },
    };
  }
  const hostname = route.bind ?? (route.hostname.includes(":") ? "::" : "0.0.0.0");
  const socket = Deno.listenDatagram({ transport: "udp", hostname, port: 0 });
  const to: Deno.NetAddr = { transport: "udp", hostname: route.hostname, port: route.port };
  const local = socket.addr as Deno.NetAddr;
  return {
    local: local.hostname.includes(":")
      ? `[${local.hostname}]:${local.port}`
      : `${local.hostname}:${local.port}`,
    send: (bytes) => sendOne(socket, to, bytes, route.transport),
    close: () => socket.close(),
  };
}

async function sendOne(
  socket: Deno.DatagramConn,
  to: Deno.Addr,
  bytes: Uint8Array,
  transport: "udp" | "unix-dgram",
): Promise<void> {
  let sent: number;
  try {
    sent = await socket.send(bytes, to);
  } catch (error) {
    const code = sizeErrorCode(error);
    if (code) {
      throw new DatagramSendError(tooLargeMessage(transport, bytes.length, code), true, {
        cause: error,
      });
    }
    throw new DatagramSendError((error as Error).message, false, { cause: error });
  }
  if (sent !== bytes.length) {
    throw new DatagramSendError(
      `only ${sent} of the datagram's ${bytes.length} bytes were sent`,
      false,
    );
  }
}
