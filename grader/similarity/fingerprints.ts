/**
 * The fingerprints of a submission: its source files tokenised ({@linkcode tokenize}) and winnowed
 * ({@linkcode winnow}), each fingerprint kept with the file and lines it covers so that matches
 * can be shown side by side. C and C++ share a hash seed (a C++ file may be C copied); the other
 * languages each have their own, so code in two different languages never matches.
 *
 * @example
 * ```ts
 * import { fingerprintSources } from "./fingerprints.ts";
 * const text = "int main(void) { int a = 1; int b = 2; return a + b + 3 * 4; }\n";
 * const one = fingerprintSources([{ path: "a.c", language: "c", text }]);
 * const two = fingerprintSources([{ path: "b.c", language: "c", text: text.replaceAll("a", "x") }]);
 * if (![...one.hashes].every((h) => two.hashes.has(h))) throw new Error("renaming changed it");
 * ```
 * @module
 */

import type { SourceFile } from "./sources.ts";
import { familyOf, tokenize } from "./tokenize.ts";
import { winnow } from "./winnow.ts";
import { fnv1a } from "../text/hash.ts";

/** Tokens per hashed run: runs shorter than this never match. */
export const K = 12;
/** Hashes per window: a shared run of `K + WINDOW - 1` tokens is always found. */
export const WINDOW = 6;

/** One fingerprint of a file, with where it is. */
export interface Located {
  /** The hash. */
  hash: number;
  /** The index of the file in {@linkcode SubmissionPrints.files}. */
  file: number;
  /** The index of the run's first token in its file. */
  position: number;
  /** The line of the run's first token. */
  startLine: number;
  /** The line of its last token. */
  endLine: number;
}

/** A submission's fingerprints. */
export interface SubmissionPrints {
  /** Its files (paths and texts), in the order read. */
  files: readonly { path: string; text: string }[];
  /** Every fingerprint, file by file, in token order. */
  prints: Located[];
  /** The distinct hashes. */
  hashes: Set<number>;
}

/** Fingerprints the given files. */
export function fingerprintSources(files: readonly SourceFile[]): SubmissionPrints {
  const prints: Located[] = [];
  files.forEach((source, file) => {
    const tokens = tokenize(source.text, source.language);
    const found = winnow(tokens.map((t) => t.text), {
      k: K,
      window: WINDOW,
      seed: fnv1a(familyOf(source.language)),
    });
    for (const { hash, position } of found) {
      prints.push({
        hash,
        file,
        position,
        startLine: tokens[position]!.line,
        endLine: tokens[position + K - 1]!.line,
      });
    }
  });
  return {
    files: files.map(({ path, text }) => ({ path, text })),
    prints,
    hashes: new Set(prints.map((p) => p.hash)),
  };
}
