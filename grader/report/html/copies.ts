/**
 * The class overview's copies section (the result's `similarity`): how to read it, the
 * submissions that are mostly the article's (or the teacher's starter) code, and the pairs of
 * submissions above the threshold, each opening onto its matching regions side by side. An alert
 * for the teacher, never a grade: nothing here changes a score.
 *
 * @module
 */

import type { SimilarityReport, SourceRegion } from "../../result.ts";
import { compareIds, formatDuration } from "../_text.ts";
import { html, type SafeHtml } from "./markup.ts";

function percent(share: number): string {
  return `${Math.round(share * 100)} %`;
}

/** A student's name, linked to their page when there is one. */
function student(id: string, files: ReadonlyMap<string, string>): SafeHtml {
  const href = files.get(id);
  return href ? html`<a href="${href}">${id}</a>` : html`${id}`;
}

function lines(region: SourceRegion): string {
  return region.startLine === region.endLine
    ? `line ${region.startLine}`
    : `lines ${region.startLine}–${region.endLine}`;
}

const HOW_TO_READ = html`
  <p><strong>How to read this.</strong> Each submission's sources are reduced to the shape of the
  code (names, literals, comments and layout are ignored) and fingerprinted as MOSS does. A
  pair's percentage is the share of one submission's code that the other has too; the larger of
  the two shares is listed. Code from the article's example (and from starter code you gave with
  <code>--similarity-base</code>) never counts as shared: two students who both started from the
  article are listed as <em>mostly the article's code</em>, not as copies of each other.</p>
  <p>A high share is a reason to look, not proof: solutions of one small exercise look alike, and
  students may have been allowed to work together. Open a pair to compare its matching regions
  side by side; renaming, reformatting, reordering functions and rewriting comments do not hide
  a copy, so read the code, not the names. Nothing here changes a score.</p>
`;

/** The copies section of the class overview; `files` maps student ids to their pages. */
export function copiesSection(
  report: SimilarityReport,
  files: ReadonlyMap<string, string>,
): SafeHtml {
  const base = [...report.submissions]
    .filter((s) => report.mostlyBase.includes(s.id))
    .sort((a, b) => compareIds(a.id, b.id));
  const pairRows = report.pairs.map((p, i) =>
    html`
      <tr>
        <td>${student(p.a, files)}</td>
        <td>${student(p.b, files)}</td>
        <td class="num"><a href="#pair-${i + 1}">${percent(p.similarity)}</a></td>
        <td class="num">${percent(p.shareOfA)}</td>
        <td class="num">${percent(p.shareOfB)}</td>
        <td class="num">${p.sharedFingerprints}</td>
      </tr>
    `
  );
  const pairs = report.pairs.map((p, i) =>
    html`
      <details class="pair"
        id="pair-${i + 1}"><summary>${p.a} ~ ${p.b}: ${percent(
          p.similarity,
        )} alike (${p.regions.length} matching region${p.regions.length === 1
          ? ""
          : "s"} shown)</summary>
      ${p.regions.map((r) =>
        html`
          <div class="sidebyside">
            <div>
              <p class="muted">${p.a}: <code>${r.a.file}</code> ${lines(
                r.a,
              )}</p>
              <pre>${r.a.text}</pre>
            </div>
            <div>
              <p class="muted">${p.b}: <code>${r.b
                .file}</code> ${lines(r.b)}</p>
              <pre>${r.b.text}</pre>
            </div>
          </div>
        `
      )}
      </details>
    `
  );
  return html`
    <h2 id="copies">Copies</h2>
    <div class="card">
      ${HOW_TO_READ}
      <p class="muted">${report.submissions.length} submissions compared in ${formatDuration(
        report.durationMs,
      )} · pairs listed from ${percent(report.threshold)} · mostly base code from ${percent(
        report.baseThreshold,
      )} · base: ${report.base.join("; ")}</p>
    </div>
    <h3>Mostly the article's code</h3>
    ${base.length === 0
      ? html`<p class="muted">No submission is mostly the article's (or the starter) code.</p>`
      : html`
        <table class="copies">
          <thead>
            <tr>
              <th>student</th>
              <th class="num">share of base code</th>
            </tr>
          </thead>
          <tbody>${base
            .map((s) =>
              html`
                <tr>
                  <td>${student(s.id, files)}</td>
                  <td class="num">${percent(
                    s.baseShare,
                  )}</td>
                </tr>
              `
            )}</tbody>
        </table>
      `}
    <h3>Pairs at or above ${percent(report.threshold)}</h3>
    ${report.pairs.length === 0
      ? html`<p class="muted">No pair of submissions reached the threshold.</p>`
      : html`
        <table class="copies">
          <thead>
            <tr>
              <th>student</th>
              <th>student</th>
              <th
                class="num">alike</th>
              <th class="num">of the first</th>
              <th
                class="num">of the second</th>
              <th class="num">fingerprints shared</th>
            </tr>
          </thead>
          <tbody>${pairRows}</tbody>
        </table>${pairs}
      `}
    ${report.notes.length
      ? html`<ul class="muted">${report.notes.map((n) => html`<li>${n}</li>`)}</ul>`
      : ""}
  `;
}
