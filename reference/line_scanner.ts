/**
 * The reference server's line scanner for stream transports: a message ends at `\n` (a `\r`
 * before it is dropped) or where the stream closes, and a line longer than a limit is discarded
 * up to its newline. It does nothing per byte in JavaScript: each chunk is searched for `\n` with
 * `indexOf`, and a line that lies whole inside a chunk is handed on as a view of that chunk, not
 * copied. Only the unfinished tail of a chunk is kept, in one buffer that grows to the limit.
 *
 * @example
 * ```ts
 * import { LineScanner } from "./line_scanner.ts";
 * const lines: string[] = [];
 * const scanner = new LineScanner(64, (line) => lines.push(new TextDecoder().decode(line)));
 * const enc = new TextEncoder();
 * scanner.push(enc.encode("Client Qu"));
 * scanner.push(enc.encode("ery\r\nA\nB"));
 * scanner.end();
 * if (lines.join("|") !== "Client Query|A|B") throw new Error(lines.join("|"));
 * ```
 * @module
 */

/**
 * Receives one line, without its `\n` and the `\r` before it. The bytes are a view that is only
 * valid during the call: copy them to keep them.
 */
export type OnLine = (line: Uint8Array, endedBy: "newline" | "close") => void;

const NEWLINE = 10;
const CR = 13;
const FIRST_PENDING_BYTES = 256;

/** Incremental `\n` scanner with a bound on the bytes it holds. */
export class LineScanner {
  #pending = new Uint8Array(0);
  #pendingLength = 0;
  #discarding = 0;
  readonly #maxLineBytes: number;
  readonly #onLine: OnLine;
  readonly #onOversize: (discardedBytes: number) => void;

  /**
   * @param maxLineBytes the longest line kept (its `\r` counted); a longer one is discarded.
   * @param onLine receives each line.
   * @param onOversize hears each discarded line's length, once its newline (or close) arrives.
   */
  constructor(
    maxLineBytes: number,
    onLine: OnLine,
    onOversize: (discardedBytes: number) => void = () => {},
  ) {
    this.#maxLineBytes = maxLineBytes;
    this.#onLine = onLine;
    this.#onOversize = onOversize;
  }

  /** Feeds bytes read from the stream; lines they complete are handed on at once. */
  push(chunk: Uint8Array): void {
    let start = 0;
    let nl = chunk.indexOf(NEWLINE);
    if (this.#pendingLength > 0 || this.#discarding > 0) {
      const end = nl === -1 ? chunk.length : nl;
      this.#keep(chunk, 0, end);
      if (nl === -1) return;
      this.#finishPending("newline");
      start = nl + 1;
      nl = chunk.indexOf(NEWLINE, start);
    }
    while (nl !== -1) {
      this.#line(chunk, start, nl);
      start = nl + 1;
      nl = chunk.indexOf(NEWLINE, start);
    }
    if (start < chunk.length) this.#keep(chunk, start, chunk.length);
  }

  /** Signals the stream's close; an unfinished last line is handed on as ended by close. */
  end(): void {
    if (this.#pendingLength > 0 || this.#discarding > 0) this.#finishPending("close");
  }

  /** A whole line inside `chunk` from `start` to the newline at `end`. */
  #line(chunk: Uint8Array, start: number, end: number): void {
    const length = end - start;
    if (length > this.#maxLineBytes) {
      this.#onOversize(length);
      return;
    }
    const stop = length > 0 && chunk[end - 1] === CR ? end - 1 : end;
    this.#onLine(chunk.subarray(start, stop), "newline");
  }

  #keep(chunk: Uint8Array, start: number, end: number): void {
    const length = end - start;
    if (length === 0) return;
    if (this.#discarding > 0 || this.#pendingLength + length > this.#maxLineBytes) {
      this.#discarding += this.#pendingLength + length;
      this.#pendingLength = 0;
      return;
    }
    const needed = this.#pendingLength + length;
    if (needed > this.#pending.length) {
      const grown = new Uint8Array(
        Math.min(
          this.#maxLineBytes,
          Math.max(needed, this.#pending.length * 2, FIRST_PENDING_BYTES),
        ),
      );
      grown.set(this.#pending.subarray(0, this.#pendingLength));
      this.#pending = grown;
    }
    this.#pending.set(chunk.subarray(start, end), this.#pendingLength);
    this.#pendingLength = needed;
  }

  #finishPending(endedBy: "newline" | "close"): void {
    if (this.#discarding > 0) {
      const discarded = this.#discarding;
      this.#discarding = 0;
      this.#onOversize(discarded);
      return;
    }
    let length = this.#pendingLength;
    this.#pendingLength = 0;
    if (endedBy === "newline" && this.#pending[length - 1] === CR) length--;
    this.#onLine(this.#pending.subarray(0, length), endedBy);
  }
}
