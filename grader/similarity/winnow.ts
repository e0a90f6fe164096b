/**
 * Winnowing (Schleimer, Wilkerson and Aiken, "Winnowing: local algorithms for document
 * fingerprinting", 2003; the method of MOSS): hash every run of `k` consecutive tokens, then keep
 * the smallest hash of every window of `window` consecutive hashes. Two token streams that share
 * a run of at least `k + window - 1` tokens are guaranteed to share a fingerprint; runs shorter
 * than `k` never match, which keeps coincidences (`) ; } }`) out.
 *
 * @example
 * ```ts
 * import { winnow } from "./winnow.ts";
 * const words = "a b c d e f g h i j k l m n o p q r s t".split(" ");
 * const one = winnow(words, { k: 4, window: 3 }).map((f) => f.hash);
 * const two = winnow(["x", "y", ...words.slice(5)], { k: 4, window: 3 }).map((f) => f.hash);
 * if (!two.some((h) => one.includes(h))) throw new Error("a shared run was missed");
 * ```
 * @module
 */

import { fnv1a, mix } from "../text/hash.ts";

/** Winnowing parameters. */
export interface WinnowOptions {
  /** Tokens per hashed run (the noise threshold). */
  k: number;
  /** Hashes per window (a shared run of `k + window - 1` tokens is always found). */
  window: number;
  /** Mixed into every hash, so that streams of different languages never match. */
  seed?: number;
}

/** One selected hash and the position of the first token of its run. */
export interface Fingerprint {
  /** The run's hash (32 bits, unsigned). */
  hash: number;
  /** The index of the run's first token in the stream. */
  position: number;
}

/**
 * The winnowed fingerprints of a token stream, in stream order. A stream shorter than `k` has
 * none. Within a window the rightmost smallest hash is taken, and a hash is recorded once for as
 * long as it stays the smallest.
 */
export function winnow(tokens: readonly string[], options: WinnowOptions): Fingerprint[] {
  const { k, window } = options;
  const seed = options.seed ?? 0;
  const tokenHashes = tokens.map((t) => fnv1a(t));
  const grams: number[] = [];
  for (let i = 0; i + k <= tokenHashes.length; i++) {
    let h = seed >>> 0;
    for (let j = 0; j < k; j++) h = mix(Math.imul(h, 31) + tokenHashes[i + j]!);
    grams.push(h);
  }
  const prints: Fingerprint[] = [];
  if (grams.length === 0) return prints;
  const span = Math.min(window, grams.length);
  let chosen = -1;
  for (let end = span - 1; end < grams.length; end++) {
    const begin = end - span + 1;
    if (chosen < begin) {
      chosen = begin;
      for (let j = begin + 1; j <= end; j++) if (grams[j]! <= grams[chosen]!) chosen = j;
      prints.push({ hash: grams[chosen]!, position: chosen });
    } else if (grams[end]! <= grams[chosen]!) {
      chosen = end;
      prints.push({ hash: grams[chosen]!, position: chosen });
    }
  }
  return prints;
}
