/**
 * Comparing a class: every submission's own fingerprints (those not in the base code) against
 * every other's, through an index from hash to submissions, so the cost grows with the number of
 * fingerprints shared rather than with every pair's whole code. A pair is listed when the share
 * of either one's fingerprints that the other has too, outside the base code, reaches the
 * threshold and they share at least {@linkcode MIN_SHARED} (a few lines in common are not a
 * copy). The base code counts in that share's denominator but never as shared: two submissions
 * that are mostly the article's code do not pair up for their little code of their own. A
 * submission whose fingerprints are mostly the base's is listed as based on it.
 *
 * @module
 */

import type { MatchingRegion, SimilarPair, SourceRegion } from "../result.ts";
import { K, type Located, type SubmissionPrints, WINDOW } from "./fingerprints.ts";

/** Fewer shared fingerprints than this (about 70 tokens, 10 to 15 lines) is never a pair. */
export const MIN_SHARED = 20;
/** At most this many regions are shown per pair. */
export const MAX_REGIONS = 6;
/** A region's text is cut after this many lines. */
export const MAX_REGION_LINES = 40;
/** Only the most similar pairs get their regions (a class of variants of one program has many). */
export const MAX_PAIRS_WITH_REGIONS = 100;

/** One submission to compare. */
export interface Compared {
  /** The student id. */
  id: string;
  /** Its fingerprints. */
  prints: SubmissionPrints;
}

/** The comparison of a class. */
export interface Comparison {
  /** Per submission (in the order given): its distinct fingerprints and the base's share. */
  shares: { id: string; fingerprints: number; baseShare: number }[];
  /** Pairs at or above the threshold, most similar first. */
  pairs: SimilarPair[];
}

/** Rounds a share to three decimals for the report. */
function round(share: number): number {
  return Math.round(share * 1000) / 1000;
}

/** Compares every submission with every other; `base` holds the base code's hashes. */
export function compareClass(
  submissions: readonly Compared[],
  base: ReadonlySet<number>,
  threshold: number,
): Comparison {
  const own = submissions.map((s) => new Set([...s.prints.hashes].filter((h) => !base.has(h))));
  const shares = submissions.map((s, i) => ({
    id: s.id,
    fingerprints: s.prints.hashes.size,
    baseShare: s.prints.hashes.size
      ? round((s.prints.hashes.size - own[i]!.size) / s.prints.hashes.size)
      : 0,
  }));
  const holders = new Map<number, number[]>();
  own.forEach((hashes, i) => {
    for (const h of hashes) {
      const list = holders.get(h);
      if (list) list.push(i);
      else holders.set(h, [i]);
    }
  });
  const shared = new Map<number, number>();
  const n = submissions.length;
  for (const list of holders.values()) {
    for (let x = 0; x < list.length; x++) {
      for (let y = x + 1; y < list.length; y++) {
        const key = list[x]! * n + list[y]!;
        shared.set(key, (shared.get(key) ?? 0) + 1);
      }
    }
  }
  const pairs: { pair: SimilarPair; i: number; j: number }[] = [];
  for (const [key, count] of shared) {
    if (count < MIN_SHARED) continue;
    const i = Math.floor(key / n);
    const j = key % n;
    const shareOfA = count / submissions[i]!.prints.hashes.size;
    const shareOfB = count / submissions[j]!.prints.hashes.size;
    const similarity = Math.max(shareOfA, shareOfB);
    if (similarity < threshold) continue;
    pairs.push({
      pair: {
        a: submissions[i]!.id,
        b: submissions[j]!.id,
        similarity: round(similarity),
        shareOfA: round(shareOfA),
        shareOfB: round(shareOfB),
        sharedFingerprints: count,
        regions: [],
      },
      i,
      j,
    });
  }
  pairs.sort(({ pair: p }, { pair: q }) =>
    q.similarity - p.similarity || q.sharedFingerprints - p.sharedFingerprints ||
    (p.a < q.a ? -1 : p.a > q.a ? 1 : p.b < q.b ? -1 : p.b > q.b ? 1 : 0)
  );
  for (const { pair, i, j } of pairs.slice(0, MAX_PAIRS_WITH_REGIONS)) {
    pair.regions = matchingRegions(
      submissions[i]!.prints,
      submissions[j]!.prints,
      own[i]!,
      own[j]!,
    );
  }
  return { shares, pairs: pairs.map((p) => p.pair) };
}

/** How far apart (in tokens) two fingerprints of one region may be. */
const REGION_GAP = K + 2 * WINDOW;

interface Run {
  a: Located[];
  b: Located[];
}

/**
 * The regions of `a` whose fingerprints `b` has too, each with the matching region of `b`:
 * a's shared fingerprints in order, grouped while they stay close together in one file of a and
 * their first occurrences stay close together in one file of b. The largest
 * {@linkcode MAX_REGIONS} are kept, in a's order.
 */
export function matchingRegions(
  a: SubmissionPrints,
  b: SubmissionPrints,
  ownA: ReadonlySet<number>,
  ownB: ReadonlySet<number>,
): MatchingRegion[] {
  const firstInB = new Map<number, Located>();
  for (const p of b.prints) if (ownB.has(p.hash) && !firstInB.has(p.hash)) firstInB.set(p.hash, p);
  const runs: Run[] = [];
  let run: Run | undefined;
  for (const p of a.prints) {
    const q = ownA.has(p.hash) ? firstInB.get(p.hash) : undefined;
    if (!q) continue;
    const lastA = run?.a.at(-1);
    const lastB = run?.b.at(-1);
    const continues = run && lastA && lastB && lastA.file === p.file &&
      p.position - lastA.position <= REGION_GAP && lastB.file === q.file &&
      Math.abs(q.position - lastB.position) <= REGION_GAP;
    if (continues) {
      run!.a.push(p);
      run!.b.push(q);
    } else {
      run = { a: [p], b: [q] };
      runs.push(run);
    }
  }
  const largest = runs.map((r, order) => ({ r, order }))
    .sort((x, y) => y.r.a.length - x.r.a.length || x.order - y.order)
    .slice(0, MAX_REGIONS)
    .sort((x, y) => x.order - y.order);
  return largest.map(({ r }) => ({
    a: region(a, r.a),
    b: region(b, r.b),
    fingerprints: r.a.length,
  }));
}

function region(s: SubmissionPrints, prints: readonly Located[]): SourceRegion {
  const file = s.files[prints[0]!.file]!;
  const startLine = Math.min(...prints.map((p) => p.startLine));
  const endLine = Math.max(...prints.map((p) => p.endLine));
  const lines = file.text.split("\n").slice(startLine - 1, endLine);
  const shown = lines.length > MAX_REGION_LINES
    ? [...lines.slice(0, MAX_REGION_LINES), `… (${lines.length - MAX_REGION_LINES} more lines)`]
    : lines;
  return {
    file: file.path,
    startLine,
    endLine,
    text: shown.map((l) => l.replace(/\r$/, "")).join("\n"),
  };
}
