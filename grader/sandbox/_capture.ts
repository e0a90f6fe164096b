/**
 * Capturing one output stream of a program: the raw bytes, capped to a head and a tail, and the
 * lines with the time each arrived, with event-driven waiting for a line.
 *
 * Lines are stored up to a total; from the first line that does not fit on, no line is stored
 * (the stored lines are always the start of the output) and every complete line is counted in
 * `linesDropped` instead, so callers know exactly how many they do not see.
 *
 * Only this folder imports it.
 *
 * @module
 */

/** One line of output: when it arrived (ms since the program started) and its text. */
export interface CapturedLine {
  /** Milliseconds since the program started. */
  atMs: number;
  /** The line without its `\n` (and without a `\r` before it). */
  text: string;
}

const NEWLINE = 0x0a;
const encoder = new TextEncoder();

/** Records a byte stream: head and tail of the raw bytes, and its lines as they complete. */
export class StreamCapture {
  /**
   * The complete lines so far, in order, up to the total cap (a live array; see
   * {@linkcode maxLineBytes} and {@linkcode linesDropped}).
   */
  readonly lines: CapturedLine[] = [];
  /** Bytes seen in total, including the ones left out of {@linkcode bytes}. */
  totalBytes = 0;
  /** Whether the stream has ended. */
  ended = false;

  readonly #headCap: number;
  readonly #tailCap: number;
  readonly #head: Uint8Array;
  #headLength = 0;
  #tail: Uint8Array[] = [];
  #tailLength = 0;

  readonly #maxLineBytes: number;
  readonly #maxStoredBytes: number;
  #storedBytes = 0;
  /** Whether a line did not fit: from then on lines are only counted. */
  #full = false;
  #dropped = 0;
  /** While full: whether bytes of a line without its `\n` yet have arrived. */
  #droppedPartial = false;
  #partial: Uint8Array[] = [];
  #partialLength = 0;
  #decoder = new TextDecoder();
  #listeners = new Set<() => void>();

  /**
   * @param captureBytes cap of {@linkcode bytes}: half head, half tail.
   * Lines are kept up to `captureBytes` each and `4 * captureBytes` in total; the line that
   * does not fit and every later one are dropped (a program that floods its output gains
   * nothing) and counted in {@linkcode linesDropped}.
   */
  constructor(captureBytes: number) {
    const cap = Math.max(2, Math.floor(captureBytes));
    this.#headCap = Math.ceil(cap / 2);
    this.#tailCap = cap - this.#headCap;
    this.#head = new Uint8Array(this.#headCap);
    this.#maxLineBytes = cap;
    this.#maxStoredBytes = 4 * cap;
  }

  /** The longest line kept, in bytes (longer lines are cut). */
  get maxLineBytes(): number {
    return this.#maxLineBytes;
  }

  /**
   * Complete lines not stored because the total cap was reached (see the module doc); a last
   * line without `\n` counts once the stream has ended.
   */
  get linesDropped(): number {
    return this.#dropped;
  }

  /** Adds a chunk that arrived `atMs` after the start. */
  push(chunk: Uint8Array, atMs: number): void {
    this.totalBytes += chunk.length;
    this.#keepRaw(chunk);
    let start = 0;
    let added = false;
    while (!this.#full) {
      const nl = chunk.indexOf(NEWLINE, start);
      if (nl < 0) break;
      this.#addPartial(chunk.subarray(start, nl));
      added = this.#completeLine(atMs) || added;
      start = nl + 1;
    }
    const rest = chunk.subarray(start);
    if (this.#full) this.#countDropped(rest);
    else if (rest.length > 0) this.#addPartial(rest);
    if (added) this.#notify();
  }

  /** Marks the end of the stream; a last line without `\n` still counts as a line. */
  end(atMs: number): void {
    if (this.ended) return;
    if (this.#full) {
      if (this.#droppedPartial) this.#dropped++;
    } else if (this.#partialLength > 0) {
      this.#completeLine(atMs);
    }
    this.ended = true;
    this.#notify();
  }

  /** The raw bytes: all of them, or the head and the tail with a marker between. */
  bytes(): Uint8Array {
    const left = this.totalBytes - this.#headLength - this.#tailLength;
    const marker = left > 0 ? encoder.encode(`…[${left} bytes left out]…`) : new Uint8Array();
    const out = new Uint8Array(this.#headLength + marker.length + this.#tailLength);
    out.set(this.#head.subarray(0, this.#headLength), 0);
    out.set(marker, this.#headLength);
    let at = this.#headLength + marker.length;
    for (const piece of this.#tail) {
      out.set(piece, at);
      at += piece.length;
    }
    return out;
  }

  /**
   * Resolves with the first line at index >= `fromIndex` whose text matches `pred`, or undefined
   * when `timeoutMs` passes or the stream ends first; rejects if `pred` throws.
   */
  waitForLine(
    pred: (line: string) => boolean,
    timeoutMs: number,
    fromIndex = 0,
  ): Promise<CapturedLine | undefined> {
    let next = Math.max(0, fromIndex);
    const scan = (): CapturedLine | undefined => {
      for (; next < this.lines.length; next++) {
        const line = this.lines[next]!;
        if (pred(line.text)) return line;
      }
      return undefined;
    };
    let found: CapturedLine | undefined;
    try {
      found = scan();
    } catch (error) {
      return Promise.reject(error);
    }
    if (found || this.ended || timeoutMs <= 0) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const stop = () => {
        clearTimeout(timer);
        this.#listeners.delete(listener);
      };
      const finish = (line: CapturedLine | undefined) => {
        stop();
        resolve(line);
      };
      // A throwing `pred` rejects this wait only; the stream goes on being read.
      const listener = () => {
        try {
          const line = scan();
          if (line || this.ended) finish(line);
        } catch (error) {
          stop();
          reject(error);
        }
      };
      const timer = setTimeout(() => finish(undefined), timeoutMs);
      this.#listeners.add(listener);
    });
  }

  #notify(): void {
    for (const listener of [...this.#listeners]) listener();
  }

  #keepRaw(chunk: Uint8Array): void {
    let rest = chunk;
    if (this.#headLength < this.#headCap) {
      const take = Math.min(this.#headCap - this.#headLength, rest.length);
      this.#head.set(rest.subarray(0, take), this.#headLength);
      this.#headLength += take;
      rest = rest.subarray(take);
    }
    if (rest.length === 0 || this.#tailCap === 0) return;
    if (rest.length >= this.#tailCap) {
      this.#tail = [rest.slice(rest.length - this.#tailCap)];
      this.#tailLength = this.#tailCap;
      return;
    }
    this.#tail.push(rest.slice());
    this.#tailLength += rest.length;
    while (this.#tailLength > this.#tailCap) {
      const first = this.#tail[0]!;
      const excess = this.#tailLength - this.#tailCap;
      if (first.length <= excess) {
        this.#tail.shift();
        this.#tailLength -= first.length;
      } else {
        this.#tail[0] = first.subarray(excess);
        this.#tailLength -= excess;
      }
    }
  }

  #addPartial(piece: Uint8Array): void {
    const room = this.#maxLineBytes - this.#partialLength;
    if (room <= 0 || piece.length === 0) return;
    const kept = piece.length > room ? piece.slice(0, room) : piece.slice();
    this.#partial.push(kept);
    this.#partialLength += kept.length;
  }

  /** Counts the lines a chunk completes once the capture is full (no per-line work: `yes`). */
  #countDropped(piece: Uint8Array): void {
    if (piece.length === 0) return;
    // A plain loop: several times faster than indexOf() on short lines (measured).
    let count = 0;
    for (let i = 0; i < piece.length; i++) if (piece[i] === NEWLINE) count++;
    this.#dropped += count;
    this.#droppedPartial = piece[piece.length - 1] !== NEWLINE;
  }

  /** Turns the pending bytes into a line; false when it did not fit (the capture is now full). */
  #completeLine(atMs: number): boolean {
    const bytes = new Uint8Array(this.#partialLength);
    let at = 0;
    for (const piece of this.#partial) {
      bytes.set(piece, at);
      at += piece.length;
    }
    this.#partial = [];
    this.#partialLength = 0;
    if (this.#storedBytes + bytes.length > this.#maxStoredBytes) {
      this.#full = true;
      this.#dropped++;
      return false;
    }
    this.#storedBytes += bytes.length;
    let text = this.#decoder.decode(bytes);
    if (text.endsWith("\r")) text = text.slice(0, -1);
    this.lines.push({ atMs, text });
    return true;
  }
}
