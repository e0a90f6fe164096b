/**
 * Capturing one output stream of a program: the raw bytes, capped to a head and a tail, and the
 * lines with the time each arrived, with event-driven waiting.
 *
 * Every line is seen, however much a program prints: each complete line is counted, and lines are
 * stored up to a total (the stored lines are always the start of the output; from the first line
 * that does not fit on, lines are only counted, see {@linkcode StreamCapture.linesDropped}).
 * A watched line (the spec's response) is recognised in every line, stored or not: it is counted
 * exactly and the time it arrived is kept, up to a count ({@linkcode StreamCapture.watched}).
 * At the end of other output it is counted apart as glued, except in a flood of lines (past the
 * stored lines' total), where concurrent writers interleave in the pipe and it counts as itself.
 * Sync markers the grader writes into the stream ({@linkcode StreamCapture.syncSeen}) are
 * recognised everywhere too and removed: from the lines (a program's line cut by one is joined
 * back) and from the raw bytes.
 *
 * Past the cap a line costs a byte scan and, for a line as long as the watched one, a byte
 * comparison: nothing is decoded or copied unless the line holds the marker's first byte.
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

/** What a capture recognises besides storing lines. */
export interface CaptureOptions {
  /** Cap of the raw bytes (half head, half tail) and of one stored line; lines total 4 ×. */
  captureBytes: number;
  /** A line counted and timed wherever it comes (a `\r` before its `\n` tolerated). */
  watchedLine?: string;
  /** How many watched lines keep their time (then they are only counted). Default 10,000. */
  maxWatchedTimes?: number;
  /**
   * The start of the grader's sync markers: `<syncPrefix><n>\x1e\n` (see
   * {@linkcode StreamCapture.syncSeen}). Its first byte should be one programs rarely print.
   */
  syncPrefix?: string;
}

/** Counters of a whole stream (see {@linkcode StreamCapture.counts}). */
export interface StreamCounts {
  /** Complete lines, sync markers excluded (a last line without `\n` counts at the end). */
  lines: number;
  /** How many of them were the watched line. */
  watched: number;
  /** Bytes that were not the watched lines nor sync markers, unterminated ones included. */
  otherBytes: number;
  /** Bytes of the line under way (no `\n` yet). */
  pendingBytes: number;
  /** Watched lines whose time was not kept (past `maxWatchedTimes`). */
  watchedTimesDropped: number;
  /**
   * Lines that end with the watched line after other text (it was printed without a newline
   * before it), before the output was a flood; in a flood they count in `watched`.
   */
  glued: number;
}

const NEWLINE = 0x0a;
const CR = 0x0d;
const NO_BYTE = -1;
const encoder = new TextEncoder();

/** Records a byte stream: head and tail of the raw bytes, and its lines as they complete. */
export class StreamCapture {
  /**
   * The complete lines so far, in order, up to the total cap (a live array; see
   * {@linkcode maxLineBytes} and {@linkcode linesDropped}).
   */
  readonly lines: CapturedLine[] = [];
  /** The watched lines so far with their times, up to `maxWatchedTimes` (a live array). */
  readonly watched: CapturedLine[] = [];
  /** Bytes seen in total, including the ones left out of {@linkcode bytes}. */
  totalBytes = 0;
  /** Whether the stream has ended. */
  ended = false;
  /** The highest sync marker number seen so far (0: none). */
  syncSeen = 0;

  readonly #headCap: number;
  readonly #tailCap: number;
  readonly #head: Uint8Array;
  #headLength = 0;
  #tail: Uint8Array[] = [];
  #tailLength = 0;

  readonly #maxLineBytes: number;
  readonly #maxStoredBytes: number;
  readonly #maxWatchedTimes: number;
  readonly #watchedText: string | undefined;
  readonly #watchedBytes: Uint8Array | undefined;
  readonly #syncPrefix: string | undefined;
  readonly #syncPrefixBytes: Uint8Array | undefined;
  readonly #syncByte: number;
  readonly #syncPattern: RegExp | undefined;
  #storedBytes = 0;
  /** Whether a line did not fit: from then on lines are only counted. */
  #full = false;
  #lineCount = 0;
  #watchedCount = 0;
  #glued = 0;
  #watchedByteCount = 0;
  #markerBytes = 0;
  /** The line under way: its first bytes (up to the line cap) and its whole length. */
  #partial: Uint8Array[] = [];
  #partialLength = 0;
  #partialTotal = 0;
  #partialFlagged = false;
  /** The last bytes of the line under way, for a marker at the end of a line past its cap. */
  #partialTail = new Uint8Array(0);
  /** A program's text cut by a sync marker: the start of the next line. */
  #carry: string | undefined;
  #decoder = new TextDecoder();
  #listeners = new Set<() => void>();

  /**
   * @param options the caps and what to recognise (see {@linkcode CaptureOptions}); a number is
   * `captureBytes`. Lines are kept up to `captureBytes` each and `4 * captureBytes` in total.
   */
  constructor(options: CaptureOptions | number) {
    const opts = typeof options === "number" ? { captureBytes: options } : options;
    const cap = Math.max(2, Math.floor(opts.captureBytes));
    this.#headCap = Math.ceil(cap / 2);
    this.#tailCap = cap - this.#headCap;
    this.#head = new Uint8Array(this.#headCap);
    this.#maxLineBytes = cap;
    this.#maxStoredBytes = 4 * cap;
    this.#maxWatchedTimes = Math.max(0, opts.maxWatchedTimes ?? 10_000);
    if (opts.watchedLine !== undefined && opts.watchedLine !== "") {
      this.#watchedText = opts.watchedLine;
      this.#watchedBytes = encoder.encode(opts.watchedLine);
    }
    if (opts.syncPrefix) {
      this.#syncPrefix = opts.syncPrefix;
      this.#syncPrefixBytes = encoder.encode(opts.syncPrefix);
      this.#syncByte = this.#syncPrefixBytes[0]!;
      this.#syncPattern = new RegExp(`${escapeRegExp(opts.syncPrefix)}(\\d+)\\x1e`, "g");
    } else {
      this.#syncByte = NO_BYTE;
    }
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
    return this.#lineCount - this.lines.length;
  }

  /** Counters of everything seen so far (see {@linkcode StreamCounts}). */
  counts(): StreamCounts {
    return {
      lines: this.#lineCount,
      watched: this.#watchedCount,
      otherBytes: this.totalBytes - this.#watchedByteCount - this.#markerBytes,
      pendingBytes: this.#partialTotal,
      watchedTimesDropped: this.#watchedCount - this.watched.length,
      glued: this.#glued,
    };
  }

  /** Adds a chunk that arrived `atMs` after the start. */
  push(chunk: Uint8Array, atMs: number): void {
    this.totalBytes += chunk.length;
    this.#keepRaw(chunk);
    const before = this.#lineCount + this.syncSeen + this.#watchedCount;
    const syncByte = this.#syncByte;
    const watched = this.#watchedBytes;
    const watchedLength = watched ? watched.length : -2;
    let start = 0;
    let flagged = false;
    let fast = this.#fast();
    // A plain loop: several times faster than indexOf() on short lines (measured). Past the cap,
    // a line is counted right here; only a line as long as the watched one is compared.
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (b === NEWLINE) {
        if (fast && !flagged) {
          this.#lineCount++;
          const length = i - start;
          if (
            (length === watchedLength || length === watchedLength + 1) &&
            this.#isWatched(chunk, start, i, watched!)
          ) {
            this.#countWatched(length + 1, atMs);
          } else if (
            watched && length > watchedLength && this.#endsWithWatched(chunk, start, i, watched)
          ) {
            this.#countGlued(atMs);
          }
        } else {
          this.#endLine(chunk, start, i, flagged, atMs);
          fast = this.#fast();
        }
        start = i + 1;
        flagged = false;
      } else if (b === syncByte) {
        flagged = true;
      }
    }
    if (start < chunk.length) {
      this.#addPartial(chunk.subarray(start));
      this.#partialFlagged ||= flagged;
    }
    if (this.#lineCount + this.syncSeen + this.#watchedCount !== before) this.#notify();
  }

  /** Marks the end of the stream; a last line without `\n` still counts as a line. */
  end(atMs: number): void {
    if (this.ended) return;
    if (this.#partialTotal > 0) this.#slowLine(atMs);
    else if (this.#carry !== undefined) this.#finishLine(this.#carry, this.#carry.length, atMs);
    this.#carry = undefined;
    this.ended = true;
    this.#notify();
  }

  /**
   * The raw bytes without sync markers: all of them, or the head and the tail with a marker
   * between.
   */
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
    return this.#syncPrefixBytes ? withoutMarkers(out, this.#syncPrefixBytes) : out;
  }

  /**
   * Resolves with the first stored line at index >= `fromIndex` whose text matches `pred`, or
   * undefined when `timeoutMs` passes or the stream ends first; rejects if `pred` throws.
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
    return this.#waitUntil(scan, timeoutMs);
  }

  /**
   * Resolves true as soon as `condition()` holds (checked now and whenever lines or sync markers
   * arrive), false when `timeoutMs` passes or the stream ends first; rejects if it throws.
   */
  async waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
    return await this.#waitUntil(() => condition() || undefined, timeoutMs) ?? false;
  }

  #waitUntil<T>(probe: () => T | undefined, timeoutMs: number): Promise<T | undefined> {
    let found: T | undefined;
    try {
      found = probe();
    } catch (error) {
      return Promise.reject(error);
    }
    if (found !== undefined || this.ended || timeoutMs <= 0) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const stop = () => {
        clearTimeout(timer);
        this.#listeners.delete(listener);
      };
      const finish = (value: T | undefined) => {
        stop();
        resolve(value);
      };
      // A throwing probe rejects this wait only; the stream goes on being read.
      const listener = () => {
        try {
          const value = probe();
          if (value !== undefined || this.ended) finish(value);
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
    this.#partialTotal += piece.length;
    if (this.#partialTotal > this.#maxLineBytes) {
      const keep = Math.max(this.#syncPrefixBytes?.length ?? 0, this.#watchedBytes?.length ?? 0) +
        24;
      const joined = new Uint8Array(Math.min(keep, this.#partialTail.length + piece.length));
      const fromPiece = Math.min(piece.length, joined.length);
      const fromTail = joined.length - fromPiece;
      joined.set(this.#partialTail.subarray(this.#partialTail.length - fromTail), 0);
      joined.set(piece.subarray(piece.length - fromPiece), fromTail);
      this.#partialTail = joined;
    }
    const room = this.#maxLineBytes - this.#partialLength;
    if (room <= 0 || piece.length === 0) return;
    const kept = piece.length > room ? piece.slice(0, room) : piece.slice();
    this.#partial.push(kept);
    this.#partialLength += kept.length;
  }

  /** Whether lines are only counted now: past the cap, nothing pending, nothing carried. */
  #fast(): boolean {
    return this.#full && this.#partialTotal === 0 && this.#carry === undefined;
  }

  /** A line `chunk[start, end)` ended by `\n`: counted (fast past the cap) or stored. */
  #endLine(chunk: Uint8Array, start: number, end: number, flagged: boolean, atMs: number): void {
    if (
      this.#full && this.#partialTotal === 0 && !flagged && this.#carry === undefined
    ) {
      this.#lineCount++;
      const watched = this.#watchedBytes;
      if (watched && this.#isWatched(chunk, start, end, watched)) {
        this.#countWatched(end - start + 1, atMs);
      } else if (watched && this.#endsWithWatched(chunk, start, end, watched)) {
        this.#countGlued(atMs);
      }
      return;
    }
    this.#addPartial(chunk.subarray(start, end));
    this.#partialFlagged ||= flagged;
    this.#slowLine(atMs);
  }

  /** Whether `chunk[start, end)` is the watched line, with or without a `\r` at its end. */
  #isWatched(chunk: Uint8Array, start: number, end: number, watched: Uint8Array): boolean {
    let length = end - start;
    if (length === watched.length + 1 && chunk[end - 1] === CR) length--;
    if (length !== watched.length) return false;
    for (let k = 0; k < length; k++) if (chunk[start + k] !== watched[k]) return false;
    return true;
  }

  /** Whether `chunk[start, end)` ends with the watched line after other bytes (`\r` tolerated). */
  #endsWithWatched(chunk: Uint8Array, start: number, end: number, watched: Uint8Array): boolean {
    let last = end;
    if (last > start && chunk[last - 1] === CR) last--;
    const from = last - watched.length;
    if (from <= start) return false;
    for (let k = 0; k < watched.length; k++) if (chunk[from + k] !== watched[k]) return false;
    return true;
  }

  /**
   * The watched line at the end of other output. In a flood of lines (past the stored lines'
   * total) it counts as the watched line: another writer's write larger than `PIPE_BUF` may be
   * split around it in the pipe, so its place says nothing of the program that printed it, and
   * the flood itself is what is wrong. Otherwise (and after a line longer than the cap: output
   * without newlines) it was printed without a newline before it and is only counted as glued.
   */
  #countGlued(atMs: number): void {
    if (this.#full) this.#countWatched(this.#watchedBytes!.length + 1, atMs);
    else this.#glued++;
  }

  #countWatched(lineBytes: number, atMs: number): void {
    this.#watchedCount++;
    this.#watchedByteCount += lineBytes;
    if (this.watched.length < this.#maxWatchedTimes) {
      this.watched.push({ atMs, text: this.#watchedText! });
    }
  }

  /** The pending bytes as a line: decoded, sync markers removed, then finished. */
  #slowLine(atMs: number): void {
    const bytes = new Uint8Array(this.#partialLength);
    let at = 0;
    for (const piece of this.#partial) {
      bytes.set(piece, at);
      at += piece.length;
    }
    const total = this.#partialTotal;
    const flagged = this.#partialFlagged;
    // A line longer than the cap was cut: a marker that ended it is only in the tail.
    const tail = total > this.#partialLength ? this.#decoder.decode(this.#partialTail) : "";
    this.#partialTail = new Uint8Array(0);
    this.#partial = [];
    this.#partialLength = 0;
    this.#partialTotal = 0;
    this.#partialFlagged = false;
    let text = this.#decoder.decode(bytes);
    if (flagged && this.#syncPrefix && tail.includes(this.#syncPrefix)) {
      const at = tail.lastIndexOf(this.#syncPrefix!);
      const found = this.#syncPattern!.exec(tail.slice(at));
      this.#syncPattern!.lastIndex = 0;
      if (found && at + found[0].length === tail.length) {
        this.syncSeen = Math.max(this.syncSeen, Number(found[1]));
        this.#markerBytes += found[0].length + 1;
        this.#carry = (this.#carry ?? "") + text;
        return;
      }
    }
    if (flagged && this.#syncPattern && text.includes(this.#syncPrefix!)) {
      let found = false;
      text = text.replace(this.#syncPattern, (marker, n: string) => {
        this.syncSeen = Math.max(this.syncSeen, Number(n));
        this.#markerBytes += encoder.encode(marker).length;
        found = true;
        return "";
      });
      if (found) {
        this.#markerBytes++; // the marker's own "\n"
        // A marker ends its line: text before it is a program's line it cut, continued next.
        if (text !== "") this.#carry = (this.#carry ?? "") + text;
        return;
      }
    }
    let lineBytes = total + 1;
    if (this.#carry !== undefined) {
      lineBytes += encoder.encode(this.#carry).length;
      text = this.#carry + text;
      this.#carry = undefined;
    }
    // A line cut at the cap: only its tail tells whether the watched line ended it.
    if (tail !== "" && this.#watchedText !== undefined) {
      const end = tail.endsWith("\r") ? tail.slice(0, -1) : tail;
      if (end.endsWith(this.#watchedText)) this.#glued++;
    }
    this.#finishLine(text, lineBytes, atMs);
  }

  /** Counts a complete line, recognises the watched line, and stores it while it fits. */
  #finishLine(raw: string, lineBytes: number, atMs: number): void {
    const text = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    this.#lineCount++;
    if (this.#watchedText !== undefined && text === this.#watchedText) {
      this.#countWatched(lineBytes, atMs);
    } else if (
      this.#watchedText !== undefined && text.length > this.#watchedText.length &&
      text.endsWith(this.#watchedText)
    ) {
      this.#countGlued(atMs);
    }
    if (this.#full) return;
    const size = encoder.encode(text).length;
    if (this.#storedBytes + size > this.#maxStoredBytes) {
      this.#full = true;
      return;
    }
    this.#storedBytes += size;
    this.lines.push({ atMs, text });
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** `bytes` without sync markers: each `prefix…\n` wherever it landed. */
function withoutMarkers(bytes: Uint8Array, prefix: Uint8Array): Uint8Array {
  const pieces: Uint8Array[] = [];
  let kept = 0;
  let from = 0;
  let i = bytes.indexOf(prefix[0]!);
  while (i !== -1) {
    const nl = startsWith(bytes, i, prefix) ? bytes.indexOf(NEWLINE, i) : -1;
    if (nl !== -1) {
      pieces.push(bytes.subarray(from, i));
      kept += i - from;
      from = nl + 1;
      i = bytes.indexOf(prefix[0]!, from);
    } else {
      i = bytes.indexOf(prefix[0]!, i + 1);
    }
  }
  if (from === 0) return bytes;
  pieces.push(bytes.subarray(from));
  kept += bytes.length - from;
  const out = new Uint8Array(kept);
  let at = 0;
  for (const piece of pieces) {
    out.set(piece, at);
    at += piece.length;
  }
  return out;
}

function startsWith(bytes: Uint8Array, at: number, prefix: Uint8Array): boolean {
  if (at + prefix.length > bytes.length) return false;
  for (let k = 0; k < prefix.length; k++) if (bytes[at + k] !== prefix[k]) return false;
  return true;
}
