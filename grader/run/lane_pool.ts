/**
 * Lanes that take items from one queue, whose number may change while they run: `resize(n)`
 * starts lanes at once when `n` is more than run now, and when it is fewer, lanes stop as they
 * finish their item (an item in hand is never abandoned). Every item is taken exactly once, in
 * order. Each lane gets the lowest index no other running lane holds (a lane that has stopped
 * taking items still holds its index until its function returns).
 *
 * @example
 * ```ts
 * import { LanePool } from "./lane_pool.ts";
 * const done: number[] = [];
 * const pool = new LanePool(5, 2, async (_lane, take) => {
 *   for (let item = take(); item !== undefined; item = take()) {
 *     await Promise.resolve();
 *     done.push(item);
 *   }
 * });
 * await pool.done();
 * if (done.length !== 5) throw new Error("every item once");
 * ```
 *
 * @module
 */

/** A lane's body: it calls `take()` for its next item until it gets undefined. */
export type LaneBody = (index: number, take: () => number | undefined) => Promise<void>;

/** Runs items 0 to `total - 1` in a changing number of lanes. */
export class LanePool {
  readonly #total: number;
  readonly #body: LaneBody;
  readonly #held = new Set<number>();
  readonly #runs: Promise<void>[] = [];
  #target: number;
  #active = 0;
  #next = 0;
  #error: unknown;

  /** Starts `lanes` lanes (at least one) over items 0 to `total - 1`. */
  constructor(total: number, lanes: number, body: LaneBody) {
    this.#total = total;
    this.#body = body;
    this.#target = Math.max(1, lanes);
    this.#fill();
  }

  /** Lanes taking items now. */
  get lanes(): number {
    return this.#active;
  }

  /** Items not taken yet. */
  get waiting(): number {
    return this.#total - this.#next;
  }

  /** The number of lanes asked for now. */
  get target(): number {
    return this.#target;
  }

  /** Asks for `lanes` lanes (at least one): more start now, surplus ones stop between items. */
  resize(lanes: number): void {
    this.#target = Math.max(1, lanes);
    this.#fill();
  }

  /** Resolves when every lane has returned; rejects with the first error a lane threw. */
  async done(): Promise<void> {
    for (let seen = 0; seen < this.#runs.length;) {
      const batch = this.#runs.slice(seen);
      seen = this.#runs.length;
      await Promise.allSettled(batch);
    }
    if (this.#error !== undefined) throw this.#error;
  }

  #fill(): void {
    while (this.#active < this.#target && this.#next < this.#total) {
      let index = 0;
      while (this.#held.has(index)) index++;
      this.#start(index);
    }
  }

  #start(index: number): void {
    this.#held.add(index);
    this.#active++;
    let taking = true;
    const stop = () => {
      if (taking) this.#active--;
      taking = false;
    };
    const take = () => {
      if (!taking) return undefined;
      if (this.#next >= this.#total || this.#active > this.#target) {
        stop();
        return undefined;
      }
      return this.#next++;
    };
    const run = (async () => {
      try {
        // A lane's body starts after the constructor has returned, so it may use the pool.
        await Promise.resolve();
        await this.#body(index, take);
      } catch (error) {
        this.#error ??= error;
      } finally {
        stop();
        this.#held.delete(index);
      }
    })();
    this.#runs.push(run);
  }
}
