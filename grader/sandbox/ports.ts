/**
 * Which sockets a server waits on, read from this network namespace's socket tables
 * (`proc_net.ts`), optionally only the sockets some processes hold: listening TCP sockets, bound
 * UDP sockets, listening Unix-domain stream sockets and bound Unix-domain datagram sockets.
 *
 * Readiness without a connection: a one-shot server is not used up by the probe, and the port or
 * path a server really waits on can be reported.
 *
 * @example
 * ```ts
 * import { listeningPorts } from "./ports.ts";
 * using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * const ports = await listeningPorts({ pids: [Deno.pid] });
 * if (!ports.some((p) => p.port === listener.addr.port)) throw new Error("not found");
 * ```
 * @module
 */

import { type Transport, TRANSPORTS } from "../spec.ts";
import {
  type InetSocket,
  readInetSockets,
  readUnixSockets,
  socketInodes,
  TCP_STATE,
  type UnixSocket,
} from "./proc_net.ts";

/** A listening (TCP) or bound (UDP) IP socket. */
export interface ListeningSocket {
  /** The local address: dotted IPv4 or RFC 5952 IPv6 (e.g. `0.0.0.0`, `::`, `127.0.0.1`). */
  address: string;
  /** The local port. */
  port: number;
}

/** A listening (stream) or bound (datagram) Unix-domain socket. */
export interface BoundPath {
  /** The path as the program bound it (relative when it gave a relative path). */
  path: string;
}

/** Where a server waits: an IP address and port, or a Unix-domain socket's path. */
export type ServerSocket = ListeningSocket | BoundPath;

/** Processes whose sockets count: a list, or a function called at each look (a growing tree). */
export type PidSource = readonly number[] | (() => readonly number[]);

function heldBy<T extends { inode: string }>(rows: T[], pids: PidSource | undefined): T[] {
  if (pids === undefined) return rows;
  const inodes = socketInodes(typeof pids === "function" ? pids() : pids);
  return rows.filter((row) => inodes.has(row.inode));
}

const ip = (rows: InetSocket[]): ListeningSocket[] =>
  rows.map((r) => ({ address: r.localAddress, port: r.localPort }));
const paths = (rows: UnixSocket[]): BoundPath[] => rows.map((r) => ({ path: r.path }));

/**
 * The sockets a server of `transport` waits on in this network namespace (held by `pids` when
 * given): listening TCP, bound UDP, listening Unix stream, bound Unix datagram.
 */
export async function serverSockets(
  transport: Transport,
  opts: { pids?: PidSource } = {},
): Promise<ServerSocket[]> {
  switch (transport) {
    case "tcp": {
      const rows = await readInetSockets(["tcp", "tcp6"]) ?? [];
      return ip(heldBy(rows.filter((r) => r.state === TCP_STATE.LISTEN), opts.pids));
    }
    case "udp": {
      const rows = await readInetSockets(["udp", "udp6"]) ?? [];
      return ip(heldBy(rows.filter((r) => r.localPort !== 0), opts.pids));
    }
    case "unix-stream":
    case "unix-dgram": {
      const rows = await readUnixSockets() ?? [];
      const wanted = (r: UnixSocket) =>
        r.path !== "" &&
        (transport === "unix-stream" ? r.type === "stream" && r.listening : r.type === "dgram");
      return paths(heldBy(rows.filter(wanted), opts.pids));
    }
  }
}

/** A socket a server waits on, with the transport it is of. */
export interface TransportSocket {
  /** The transport the socket is of. */
  transport: Transport;
  /** Where it waits. */
  socket: ServerSocket;
}

/**
 * Every socket `pids` wait on, of any transport: for a message such as "your server listens on
 * TCP port 6666, but the assignment is over UDP" when none of the spec's transport is found.
 */
export async function serverSocketsOfAnyTransport(pids: PidSource): Promise<TransportSocket[]> {
  const all = await Promise.all(
    TRANSPORTS.map(async (transport) =>
      (await serverSockets(transport, { pids })).map((socket) => ({ transport, socket }))
    ),
  );
  return all.flat();
}

/**
 * Lists listening TCP sockets (IPv4 and IPv6) of this network namespace, or only those held by
 * `pids` when given.
 */
export async function listeningPorts(
  opts: { pids?: PidSource } = {},
): Promise<ListeningSocket[]> {
  return await serverSockets("tcp", opts) as ListeningSocket[];
}

/**
 * Whether `socket` is the one wanted: on port `wanted`, or bound to path `wanted` (a relative
 * path a program bound matches the end of the absolute one).
 */
export function isWanted(socket: ServerSocket, wanted: number | string): boolean {
  if ("port" in socket) return socket.port === wanted;
  if (typeof wanted !== "string") return false;
  return socket.path === wanted ||
    (!socket.path.startsWith("/") && wanted.endsWith(`/${socket.path}`));
}

/**
 * Polls (every few ms, until `timeoutMs`) for a socket a `transport` server waits on, held by
 * `pids` (any process when undefined) and on `wanted` (a port or a path; anything when
 * undefined). When pids and `wanted` are both given, a socket of those pids elsewhere is returned
 * too, but the wanted one is preferred. Resolves with undefined on timeout or when `exited`
 * settles first.
 */
export async function waitForServerSocket(
  transport: Transport,
  pids: PidSource | undefined,
  wanted: number | string | undefined,
  timeoutMs: number,
  exited?: Promise<unknown>,
  intervalMs = 4,
): Promise<ServerSocket | undefined> {
  const deadline = performance.now() + timeoutMs;
  let gone = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let wake: () => void = () => {};
  exited?.then(() => (gone = true, wake()), () => (gone = true, wake()));
  try {
    for (;;) {
      if (gone) return undefined;
      const sockets = await serverSockets(transport, pids === undefined ? {} : { pids });
      const exact = wanted === undefined ? undefined : sockets.find((s) => isWanted(s, wanted));
      if (exact) return exact;
      if ((pids !== undefined || wanted === undefined) && sockets.length > 0) return sockets[0];
      const left = deadline - performance.now();
      if (left <= 0 || gone) return undefined;
      await new Promise<void>((resolve) => {
        wake = resolve;
        timer = setTimeout(resolve, Math.min(intervalMs, left));
      });
      clearTimeout(timer);
    }
  } finally {
    clearTimeout(timer);
    wake = () => {};
  }
}

/** {@linkcode waitForServerSocket} for a TCP server on `port`. */
export async function waitForListening(
  pids: PidSource | undefined,
  port: number | undefined,
  timeoutMs: number,
  exited?: Promise<unknown>,
  intervalMs = 4,
): Promise<ListeningSocket | undefined> {
  return await waitForServerSocket("tcp", pids, port, timeoutMs, exited, intervalMs) as
    | ListeningSocket
    | undefined;
}
