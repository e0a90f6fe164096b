/**
 * What the stream and datagram halves of the reference server share: the address filter, the
 * trigger test, the response and the log. A message from an allowed peer is judged here, the
 * response printed the moment it is the trigger, and one log line written either way.
 *
 * @module
 */

import type { MessageJudge } from "./messages.ts";
import type { Peer } from "./peers.ts";

/** The server's settings and outputs, as both halves see them. */
export interface Serving {
  /** The allowed peer keys (IP addresses, or paths for Unix-domain transports). */
  readonly allow: ReadonlySet<string>;
  /** Tells the trigger and shows messages. */
  readonly judge: MessageJudge;
  /** The response line, without `\n`. */
  readonly response: string;
  /** The longest message kept, in bytes. */
  readonly maxLineBytes: number;
  /** A stream that sends nothing for this long is closed. */
  readonly idleTimeoutMs: number;
  /** Prints the response line once. */
  respond(): void;
  /** Writes one diagnostic line. */
  log(line: string): void;
}

/** A running half of the server. */
export interface Running {
  /** Stops taking messages, closes every socket, and resolves once all are closed. */
  close(): Promise<void>;
}

/** Judges one message from `peer`, prints the response if it is the trigger, and logs it. */
export function handleMessage(
  serving: Serving,
  peer: Peer,
  bytes: Uint8Array,
  endedBy: "newline" | "close" | "datagram",
): void {
  const matched = serving.judge.isTrigger(bytes);
  if (matched) serving.respond();
  const how = endedBy === "close" ? " (ended by close)" : "";
  serving.log(
    `${peer.shown}: message "${serving.judge.show(bytes, matched)}"${how} ${
      matched ? `-> printed "${serving.response}"` : "-> not the trigger"
    }`,
  );
}

/** Why a peer is turned away, as a log line's end. */
export function rejection(peer: Peer, transport: string): string {
  if (peer.key === "") {
    return "the client did not bind its socket to a path, so it cannot be told apart from any other: bind it to an allowed path";
  }
  const what = transport.startsWith("unix") ? "path" : "address";
  return `${peer.key} is not an allowed client ${what}`;
}
