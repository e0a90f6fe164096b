/**
 * Small, stable, non-cryptographic hashes: FNV-1a over a string's UTF-16 code units, and
 * MurmurHash3's 32-bit finaliser to spread the bits of a hash. For file names, shard assignment
 * and fingerprints; never a security measure.
 *
 * @example
 * ```ts
 * import { fnv1a, mix } from "./hash.ts";
 * if (fnv1a("") !== 0x811c9dc5) throw new Error("the FNV offset basis");
 * if (fnv1a("a") !== 0xe40c292c) throw new Error("FNV-1a of 'a'");
 * if (mix(0) !== 0) throw new Error("the finaliser keeps 0");
 * ```
 * @module
 */

/** FNV-1a, 32 bits (unsigned), over the UTF-16 code units of `text`, from `seed`. */
export function fnv1a(text: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Mixes the bits of a 32-bit value (MurmurHash3's fmix32), unsigned. */
export function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
