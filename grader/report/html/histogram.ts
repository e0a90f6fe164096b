/**
 * The class score histogram as an inline SVG bar chart: ten bins of the score in percent of the
 * maximum (0–9 %, 10–19 %, …, 90–100 %), each bar labelled with its count.
 *
 * @example
 * ```ts
 * import { scoreBins, scoreHistogram } from "./histogram.ts";
 * const bins = scoreBins([{ score: 100, maxScore: 100 }, { score: 55, maxScore: 100 }]);
 * if (bins[9] !== 1 || bins[5] !== 1) throw new Error(String(bins));
 * if (!scoreHistogram(bins).value.startsWith("<svg")) throw new Error("no svg");
 * ```
 * @module
 */

import { html, type SafeHtml } from "./markup.ts";

const WIDTH = 560;
const HEIGHT = 240;
const LEFT = 40;
const BOTTOM = 40;
const TOP = 24;

/** Counts scores into ten bins by percent of the maximum (100 % goes into the last bin). */
export function scoreBins(scores: ReadonlyArray<{ score: number; maxScore: number }>): number[] {
  const bins = new Array<number>(10).fill(0);
  for (const { score, maxScore } of scores) {
    const percent = maxScore > 0 ? (100 * score) / maxScore : 0;
    const bin = Math.min(9, Math.max(0, Math.floor(percent / 10)));
    bins[bin]!++;
  }
  return bins;
}

/** The bins as an SVG bar chart with axis labels and a count above each non-empty bar. */
export function scoreHistogram(bins: readonly number[]): SafeHtml {
  const max = Math.max(1, ...bins);
  const plotWidth = WIDTH - LEFT - 10;
  const plotHeight = HEIGHT - TOP - BOTTOM;
  const barWidth = plotWidth / bins.length;
  const bars = bins.map((count, i) => {
    const h = (count / max) * plotHeight;
    const x = LEFT + i * barWidth;
    const y = TOP + plotHeight - h;
    const range = i === bins.length - 1 ? "90–100" : `${i * 10}–${i * 10 + 9}`;
    return html`<g class="bin"><title>${range} %: ${count} submission${
      count === 1 ? "" : "s"
    }</title>
<rect x="${(x + 3).toFixed(1)}" y="${y.toFixed(1)}" width="${(barWidth - 6).toFixed(1)}" height="${
      h.toFixed(1)
    }" fill="${i === bins.length - 1 ? "#2e7d32" : "#3b82f6"}"/>
${
      count > 0
        ? html`<text x="${(x + barWidth / 2).toFixed(1)}" y="${
          (y - 5).toFixed(1)
        }" text-anchor="middle">${count}</text>`
        : ""
    }
<text x="${(x + barWidth / 2).toFixed(1)}" y="${
      TOP + plotHeight + 16
    }" text-anchor="middle" font-size="11">${range}</text></g>`;
  });
  return html`
    <svg class="histogram" xmlns="http://www.w3.org/2000/svg" role="img" width="${WIDTH}"
      height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-size="12"
      font-family="system-ui, sans-serif">
    <title>Score distribution</title>
    <line x1="${LEFT}" y1="${TOP + plotHeight}" x2="${WIDTH - 10}" y2="${TOP +
      plotHeight}" stroke="#6b7280"/>
    <line x1="${LEFT}" y1="${TOP}" x2="${LEFT}" y2="${TOP + plotHeight}" stroke="#6b7280"/>
    <text x="${LEFT - 6}" y="${TOP + 4}" text-anchor="end">${max}</text>
    <text x="${LEFT - 6}" y="${TOP + plotHeight}" text-anchor="end">0</text>
    ${bars}
    <text x="${LEFT + plotWidth / 2}" y="${HEIGHT -
      6}" text-anchor="middle">score, % of the maximum</text>
    </svg>
  `.trim();
}
