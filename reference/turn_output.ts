/**
 * Output batched per event-loop turn: every text written while the loop handles one batch of
 * ready sockets is joined and written with one system call when that batch is done, so a server
 * answering 1,000 connections that became readable together makes one `write(2)`, not 1,000.
 * Nothing is held back past the turn in which it was written: each response still leaves "the
 * moment it is due". The batch is encoded into one buffer kept from turn to turn (grown to the
 * largest batch), so a busy server does not map fresh pages for every write.
 *
 * @example
 * ```ts
 * import { TurnOutput } from "./turn_output.ts";
 * const writes: string[] = [];
 * const out = new TurnOutput((bytes) => void writes.push(new TextDecoder().decode(bytes)));
 * out.write("Receive Query\n");
 * out.write("Receive Query\n");
 * await out.flushed();
 * if (writes.length !== 1 || writes[0] !== "Receive Query\nReceive Query\n") throw new Error();
 * ```
 * @module
 */

const encoder = new TextEncoder();
const FIRST_BUFFER_BYTES = 64 * 1024;

/** Writes all bytes to a synchronous file-like sink, looping over partial writes. */
export function writeAllSync(sink: { writeSync(p: Uint8Array): number }, bytes: Uint8Array): void {
  let offset = 0;
  while (offset < bytes.length) offset += sink.writeSync(bytes.subarray(offset));
}

/**
 * Collects text and writes it to `sink` once per event-loop turn (or at {@linkcode flush}).
 * A sink that throws loses that batch; `onError` hears why.
 */
export class TurnOutput {
  #parts: string[] = [];
  #buffer = new Uint8Array(FIRST_BUFFER_BYTES);
  #scheduled = false;
  #waiters: (() => void)[] = [];
  readonly #sink: (bytes: Uint8Array) => void;
  readonly #onError: (error: Error) => void;

  /**
   * @param sink receives each batch as bytes (e.g. `(b) => writeAllSync(Deno.stdout, b)`); they
   *   are a view of a buffer the next batch reuses, so a sink writes them before it returns.
   * @param onError hears a batch the sink could not take (default: ignored).
   */
  constructor(sink: (bytes: Uint8Array) => void, onError: (error: Error) => void = () => {}) {
    this.#sink = sink;
    this.#onError = onError;
  }

  /** Queues `text` for this turn's write. */
  write(text: string): void {
    this.#parts.push(text);
    if (this.#scheduled) return;
    this.#scheduled = true;
    // Two microtask hops: the continuations of every read that completed in this turn are
    // queued before the second hop runs, so their output joins this batch.
    queueMicrotask(() => queueMicrotask(() => this.flush()));
  }

  /** Writes what is queued now. */
  flush(): void {
    this.#scheduled = false;
    if (this.#parts.length > 0) {
      const text = this.#parts.length === 1 ? this.#parts[0]! : this.#parts.join("");
      this.#parts = [];
      try {
        this.#sink(this.#encode(text));
      } catch (error) {
        this.#onError(error as Error);
      }
    }
    for (const wake of this.#waiters.splice(0)) wake();
  }

  /** `text` as UTF-8, in the kept buffer (a view of it, valid until the next batch). */
  #encode(text: string): Uint8Array {
    // UTF-8 takes at most 3 bytes per UTF-16 code unit.
    if (text.length * 3 > this.#buffer.length) {
      this.#buffer = new Uint8Array(Math.max(text.length * 3, this.#buffer.length * 2));
    }
    const { written } = encoder.encodeInto(text, this.#buffer);
    return this.#buffer.subarray(0, written);
  }

  /** Resolves once everything written so far has gone to the sink. */
  flushed(): Promise<void> {
    if (!this.#scheduled) return Promise.resolve();
    return new Promise<void>((wake) => this.#waiters.push(wake));
  }
}
