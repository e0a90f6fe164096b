/**
 * Copy detection across a class: reads each submission's sources, fingerprints them (winnowing,
 * as MOSS does) and lists the pairs of submissions whose own code is more alike than a
 * threshold, with the matching regions side by side, and the submissions that are mostly the
 * base code: the article's example server and client, plus a teacher's starter code if given.
 * Base fingerprints never count towards a pair: two students who both copied the article are
 * both "based on the article", not copies of each other. It is an alert for the teacher and
 * never changes a score.
 *
 * @example
 * ```ts
 * import { detectCopies } from "./mod.ts";
 * const dir = await Deno.makeTempDir();
 * const code = [
 *   "import socket, sys",
 *   "def serve(port, allowed):",
 *   "    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)",
 *   "    s.bind(('', int(port)))",
 *   "    s.listen(5)",
 *   "    while True:",
 *   "        conn, (host, _) = s.accept()",
 *   "        if host != allowed:",
 *   "            conn.close()",
 *   "            continue",
 *   "        data = conn.recv(4096).decode().strip()",
 *   "        if data == 'Client Query':",
 *   "            print('Receive Query', flush=True)",
 *   "        conn.close()",
 *   "serve(sys.argv[2], sys.argv[1])",
 * ].join("\n");
 * await Deno.mkdir(`${dir}/ann`);
 * await Deno.mkdir(`${dir}/ben`);
 * await Deno.writeTextFile(`${dir}/ann/server.py`, code);
 * await Deno.writeTextFile(`${dir}/ben/server.py`, code.replaceAll("conn", "c"));
 * const report = await detectCopies([
 *   { id: "ann", path: `${dir}/ann` },
 *   { id: "ben", path: `${dir}/ben` },
 * ]);
 * if (report.pairs[0]?.a !== "ann" || report.pairs[0]?.b !== "ben") throw new Error("missed");
 * await Deno.remove(dir, { recursive: true });
 * ```
 * @module
 */

import type { SimilarityReport } from "../result.ts";
import { ARTICLE_CODE } from "./article_code.ts";
import { compareClass, type Compared, MAX_PAIRS_WITH_REGIONS } from "./compare.ts";
import { fingerprintSources, K, WINDOW } from "./fingerprints.ts";
import { readSources, type SourceFile } from "./sources.ts";

/** The default similarity from which a pair is listed. */
export const DEFAULT_THRESHOLD = 0.6;
/** The share of base fingerprints from which a submission is "mostly the base code". */
export const BASE_THRESHOLD = 0.5;

/** Options for {@linkcode detectCopies}. */
export interface CopyOptions {
  /** Pairs whose similarity reaches this are listed (default {@linkcode DEFAULT_THRESHOLD}). */
  threshold?: number;
  /** Folders of starter code that is part of the base, as the article's code is. */
  baseDirs?: readonly string[];
}

/** Compares the submissions' sources (see the module doc). */
export async function detectCopies(
  submissions: readonly { id: string; path: string }[],
  options: CopyOptions = {},
): Promise<SimilarityReport> {
  const started = performance.now();
  const threshold = options.threshold ?? DEFAULT_THRESHOLD;
  const notes: string[] = [];
  const baseFiles: SourceFile[] = ARTICLE_CODE.map(({ label, text }) => ({
    path: label,
    language: "c",
    text,
  }));
  const base = ARTICLE_CODE.map((c) => c.label);
  for (const dir of options.baseDirs ?? []) {
    const { files, skipped } = await readSources(dir);
    baseFiles.push(...files);
    base.push(`starter code in ${dir} (${files.length} source files)`);
    notes.push(...skipped.map((s) => `starter code: ${s}`));
  }
  const baseHashes = fingerprintSources(baseFiles).hashes;
  const compared: Compared[] = [];
  const files: string[][] = [];
  for (const { id, path } of submissions) {
    const sources = await readSources(path);
    notes.push(...sources.skipped.map((s) => `${id}: ${s}`));
    if (sources.files.length === 0) notes.push(`${id}: no source files to compare.`);
    compared.push({ id, prints: fingerprintSources(sources.files) });
    files.push(sources.files.map((f) => f.path));
  }
  const { shares, pairs } = compareClass(compared, baseHashes, threshold);
  if (pairs.length > MAX_PAIRS_WITH_REGIONS) {
    notes.push(
      `${pairs.length} pairs reached the threshold: the matching regions are shown for the ` +
        `${MAX_PAIRS_WITH_REGIONS} most alike. Raise --similarity-threshold to see fewer pairs.`,
    );
  }
  return {
    method: `token fingerprints (identifiers, literals and comments normalised away), ` +
      `winnowing with k = ${K} tokens and a window of ${WINDOW}, as MOSS does; base code excluded`,
    k: K,
    window: WINDOW,
    threshold,
    baseThreshold: BASE_THRESHOLD,
    base,
    submissions: shares.map((s, i) => ({ ...s, files: files[i]! })),
    mostlyBase: shares.filter((s) => s.baseShare >= BASE_THRESHOLD).map((s) => s.id),
    pairs,
    notes,
    durationMs: Math.round(performance.now() - started),
  };
}
