/**
 * What the checks need from a transport (EXERCISE.md §6), as one interface with one
 * implementation per transport in `transports/` (`tcp`, `udp`, `unix-stream`, `unix-dgram`) and
 * one contract test run against each (`transports/contract_test.ts`):
 *
 * - **readiness**: is the server listening (streams) or bound (datagrams) on the expected port or
 *   path? Read from this namespace's socket tables (`sandbox/proc_net.ts`), never by connecting,
 *   so a one-shot server is not used up;
 * - **a probe session** to a student's server: from a chosen source address (IP) or a bound path
 *   (Unix), send messages; streams also end (half-close), reset, and observe the server's close.
 *   What the server makes of the messages is read from its stdout, not from the socket;
 * - **a capture** of what a student's client sends: every message framed per §6 (a line on a
 *   stream, a datagram with one trailing `\n` tolerated), where it came from (the IP address or
 *   the bound path), and for streams how each connection ended.
 *
 * @module
 */

import type { Transport } from "../spec.ts";
import type { PidSource } from "../sandbox/ports.ts";
import type {
  CapturedConnection,
  CaptureLimits,
  CaptureOverflow,
  ConnectionEnd,
} from "./capture_server.ts";
import type { ExchangeRecorder, PeerEnd, SendResult } from "./probe_client.ts";

/** Where a socket is: an IP address and port, or a Unix-domain socket's path. */
export type Endpoint = { address: string; port: number } | { path: string };

/**
 * How an endpoint is written in reports: `address:port` (IPv6 in brackets) or the path.
 *
 * @example
 * ```ts
 * import { formatEndpoint } from "./transport.ts";
 * if (formatEndpoint({ address: "::1", port: 6666 }) !== "[::1]:6666") throw new Error();
 * if (formatEndpoint({ path: "/tmp/run/server.sock" }) !== "/tmp/run/server.sock") throw new Error();
 * ```
 */
export function formatEndpoint(endpoint: Endpoint): string {
  if ("path" in endpoint) return endpoint.path;
  const a = endpoint.address;
  return a.includes(":") ? `[${a}]:${endpoint.port}` : `${a}:${endpoint.port}`;
}

/** One message a client sent, framed per EXERCISE.md §6. */
export interface CapturedMessage {
  /** Where it came from: `address:port`, or the client's bound path (`(unbound)` when none). */
  from: string;
  /** The message without its framing (`\n`, a `\r` before it on streams). */
  bytes: Uint8Array;
  /** When its last byte arrived (a `performance.now()` value). */
  at: number;
  /** Streams: the connection it came on ("conn 1", …); datagrams: undefined. */
  connection?: string;
}

/** How a stream connection to a capture ended; datagram captures have none. */
export interface CapturedEnd {
  /** The connection. */
  connection: string;
  /** Where it came from. */
  from: string;
  /** FIN, RST, or still open. */
  end: ConnectionEnd;
}

/** A running capture of what clients send; dispose it to stop and remove what it made. */
export interface Capture extends AsyncDisposable {
  /** Where it listens or is bound (the real port when 0 was asked). */
  readonly at: Endpoint;
  /** Every complete message so far, in arrival order (per connection for streams). */
  messages(): CapturedMessage[];
  /** Waits until at least `count` messages arrived; false at the deadline. */
  waitForMessages(count: number, timeoutMs: number): Promise<boolean>;
  /** Streams: each connection's end so far; datagrams: empty. */
  ends(): CapturedEnd[];
  /** Streams: waits until every connection (at least `min`) ended; datagrams: true at once. */
  waitForAllEnded(timeoutMs: number, min?: number): Promise<boolean>;
  /**
   * Waits until everything sent to the capture before this call has been received: the capture
   * sends to itself (a connection, or a datagram from its own socket) and waits for that to
   * arrive, after what the kernel queued before it. False at the deadline.
   */
  sync(timeoutMs: number): Promise<boolean>;
  /** Streams: every connection as recorded (raw bytes, times, end); datagrams: none. */
  connections(): readonly CapturedConnection[];
  /** What arrived beyond the capture's bounds, or undefined when everything was kept. */
  overflow(): CaptureOverflow | undefined;
  /** Adds what was seen to an exchange (the report's sequence diagram). */
  record(recorder: ExchangeRecorder): void;
  /** Stops, ends what is open and removes its socket file, if any. */
  close(): Promise<void>;
}

/** A probe's conversation with a student's server. */
export interface ProbeSession extends AsyncDisposable {
  /** Where the probe sends from (`address:port` or the bound path). */
  readonly from: string;
  /** How the server has ended the session so far (datagrams: always `open`). */
  readonly peerEnd: PeerEnd;
  /** Streams: whether the server ended the connection before the probe ended its side. */
  readonly serverClosedFirst: boolean;
  /** Sends one message (streams: one write; datagrams: one datagram). Never throws. */
  send(data: string | Uint8Array, timeoutMs?: number): Promise<SendResult>;
  /**
   * Streams: sends `data` and half-closes right behind it (a server that closes after reading
   * finds the end already there); datagrams: sends it. Never throws.
   */
  sendAndEnd(data: string | Uint8Array, timeoutMs?: number): Promise<SendResult>;
  /**
   * Waits until the server's program has read everything the session sent: `true`, `false` at
   * the deadline (it is not reading), `undefined` when it cannot be told.
   */
  waitConsumed(timeoutMs: number): Promise<boolean | undefined>;
  /** Streams: half-closes (the server reads end of stream); datagrams: nothing to do. */
  end(): Promise<void>;
  /** Streams: resets (TCP RST; a Unix stream just closes); datagrams: closes. */
  reset(): Promise<void>;
  /** Streams: waits for the server to close, and says how; datagrams: always `open`. */
  waitPeerEnd(timeoutMs: number): Promise<PeerEnd>;
  /** Closes and releases everything the session made (a bound path's file too). */
  close(): Promise<void>;
}

/** Options of {@linkcode ProbeTransport.waitReady}. */
export interface ReadyOptions {
  /** Where the server should be. */
  at: Endpoint;
  /** Only sockets these processes hold count (any process when undefined). */
  pids?: PidSource;
  /** How long to wait. */
  timeoutMs: number;
  /** Stop waiting when this settles (the server exited). */
  exited?: Promise<unknown>;
}

/** Options of {@linkcode ProbeTransport.open}. */
export interface OpenOptions {
  /** The server. */
  to: Endpoint;
  /**
   * Where to send from: an IP address (its port is ignored: the system picks one) or a path to
   * bind (Unix). Unset: the system's choice of address, or, for Unix sockets, no path at all (a
   * client that forgot `bind()`, which the capture shows as `(unbound)`).
   */
  from?: Endpoint;
  /** Deadline to connect (streams) or bind. */
  timeoutMs: number;
  /** Where events are recorded. */
  recorder: ExchangeRecorder;
  /** The session's label in the exchange (default "conn"). */
  connection?: string;
}

/** Options of {@linkcode ProbeTransport.capture}. */
export interface CaptureAt {
  /** Where to listen or bind (port 0: any free port, for tests). */
  at: Endpoint;
  /** Other bounds than the default (for tests). */
  limits?: Partial<CaptureLimits>;
}

/** One transport; see the module doc. */
export interface ProbeTransport {
  /** Its name in the spec. */
  readonly name: Transport;
  /** Whether it carries datagrams (no connection, no close to observe). */
  readonly datagram: boolean;
  /** Waits until a server waits at `at` (the socket found; a pid's socket elsewhere too). */
  waitReady(opts: ReadyOptions): Promise<Endpoint | undefined>;
  /** Opens a probe session; throws a `ProbeConnectError` (probe_client.ts) when it cannot. */
  open(opts: OpenOptions): Promise<ProbeSession>;
  /** Starts a capture; throws the system's error when it cannot listen or bind. */
  capture(opts: CaptureAt): Promise<Capture>;
}
