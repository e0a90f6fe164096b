/**
 * Line framing (spec `framing: "line"`): a message ends at `\n` (a `\r` before it is dropped) or
 * where the connection closes. Pure and incremental, so messages split over many reads or packed
 * into one read come out exactly; a line longer than a limit is discarded up to its newline.
 *
 * @example
 * ```ts
 * import { LineFramer } from "./framing.ts";
 * const framer = new LineFramer();
 * const enc = new TextEncoder();
 * const got = [...framer.push(enc.encode("Client Qu")), ...framer.push(enc.encode("ery\r\nA\nB"))];
 * got.push(...framer.end());
 * const texts = got.map((m) => new TextDecoder().decode(m.bytes));
 * if (texts.join("|") !== "Client Query|A|B") throw new Error(texts.join("|"));
 * ```
 * @module
 */

/** One framed message. */
export interface FramedMessage {
  /** The message's bytes, without its `\n` and the `\r` before it. */
  bytes: Uint8Array;
  /** How it ended: a newline, the connection's close (no newline), or a datagram's end. */
  endedBy: "newline" | "close" | "datagram";
}

/** What a framer reports besides messages: a line over the limit that was discarded. */
export interface OversizeLine {
  /** How many bytes of it were discarded. */
  discardedBytes: number;
}

/** Incremental `\n` framer with a bound on the bytes it holds. */
export class LineFramer {
  #pending: Uint8Array[] = [];
  #pendingLength = 0;
  #discarding = 0;
  readonly #maxLineBytes: number;
  readonly #onOversize: (line: OversizeLine) => void;

  /**
   * @param maxLineBytes the longest line kept; a longer one is discarded up to its newline.
   * @param onOversize called once for each discarded line, when its newline (or close) arrives.
   */
  constructor(
    maxLineBytes = 64 * 1024,
    onOversize: (line: OversizeLine) => void = () => {},
  ) {
    this.#maxLineBytes = maxLineBytes;
    this.#onOversize = onOversize;
  }

  /** Feeds bytes read from the connection; returns the messages they complete. */
  push(chunk: Uint8Array): FramedMessage[] {
    const out: FramedMessage[] = [];
    let start = 0;
    while (start < chunk.length) {
      const nl = chunk.indexOf(10, start);
      const end = nl === -1 ? chunk.length : nl;
      this.#take(chunk.subarray(start, end));
      if (nl === -1) break;
      const message = this.#finish("newline");
      if (message) out.push(message);
      start = nl + 1;
    }
    return out;
  }

  /** Signals the connection's close; returns the last message if bytes were pending. */
  end(): FramedMessage[] {
    if (this.#pendingLength === 0 && this.#discarding === 0) return [];
    const message = this.#finish("close");
    return message ? [message] : [];
  }

  #take(part: Uint8Array): void {
    if (part.length === 0) return;
    if (this.#discarding > 0 || this.#pendingLength + part.length > this.#maxLineBytes) {
      this.#discarding += this.#pendingLength + part.length;
      this.#pending = [];
      this.#pendingLength = 0;
      return;
    }
    this.#pending.push(part.slice());
    this.#pendingLength += part.length;
  }

  #finish(endedBy: FramedMessage["endedBy"]): FramedMessage | undefined {
    if (this.#discarding > 0) {
      this.#onOversize({ discardedBytes: this.#discarding });
      this.#discarding = 0;
      return undefined;
    }
    const bytes = new Uint8Array(this.#pendingLength);
    let offset = 0;
    for (const p of this.#pending) {
      bytes.set(p, offset);
      offset += p.length;
    }
    this.#pending = [];
    this.#pendingLength = 0;
    const trimmed = endedBy === "newline" && bytes.at(-1) === 13 ? bytes.subarray(0, -1) : bytes;
    return { bytes: trimmed, endedBy };
  }
}

/** Frames a whole byte stream at once (the connection closed after the last byte). */
export function frameAll(bytes: Uint8Array, maxLineBytes?: number): FramedMessage[] {
  const framer = new LineFramer(maxLineBytes);
  return [...framer.push(bytes), ...framer.end()];
}

/**
 * Frames one datagram (EXERCISE.md §6, `udp` and `unix-dgram`): the datagram is the message, one
 * trailing `\n` tolerated and dropped (only one: a second is part of the message).
 *
 * @example
 * ```ts
 * import { frameDatagram } from "./framing.ts";
 * const m = frameDatagram(new TextEncoder().encode("Client Query\n"));
 * if (new TextDecoder().decode(m.bytes) !== "Client Query") throw new Error("not dropped");
 * ```
 */
export function frameDatagram(bytes: Uint8Array): FramedMessage {
  return { bytes: bytes.at(-1) === 10 ? bytes.subarray(0, -1) : bytes, endedBy: "datagram" };
}
