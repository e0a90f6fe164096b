/**
 * The two kinds of page of the HTML report: the class overview (`index.html`: score histogram,
 * per-check pass rates, the list of students, copy detection when it ran) and one page per student (every check with its
 * status, points, message, hint and evidence, and a sequence diagram for every exchange). Staff
 * pages: nothing is hidden, but checks students cannot see are tagged.
 *
 * @module
 */

import { CHECK_IDS } from "../../checks/catalogue.ts";
import { hasFullMarks } from "../../score.ts";
import type {
  CheckResult,
  CheckStatus,
  Exchange,
  GradeResult,
  SubmissionResult,
} from "../../result.ts";
import { exchangeLines, splitEscapedLines } from "../_evidence.ts";
import { runGroups, runLabel } from "../_runs.ts";
import {
  descriptionOf,
  firstThingToFix,
  nothingToFixLine,
  titleOf,
  visibilityOf,
} from "../_student.ts";
import { compareIds, formatDuration, formatPoints, STATUS_MARK, STATUS_WORD } from "../_text.ts";
import { scoreBins, scoreHistogram } from "./histogram.ts";
import { page } from "./layout.ts";
import { html, type SafeHtml } from "./markup.ts";
import { CLASS_LIST_SCRIPT } from "./class_list_script.ts";
import { copiesSection } from "./copies.ts";
import { evidenceFields } from "./evidence_fields.ts";
import { sequenceDiagram } from "./sequence.ts";

const STATUSES: readonly CheckStatus[] = ["pass", "warn", "fail", "skip", "error"];

function percent(score: number, max: number): number {
  return max > 0 ? Math.round((1000 * score) / max) / 10 : 0;
}

function bar(fraction: number, label: string): SafeHtml {
  const width = Math.round(Math.min(1, Math.max(0, fraction)) * 100);
  return html`
    <div class="bar" role="img" aria-label="${label}"
      title="${label}"><span style="width: ${width}%"></span></div>
  `;
}

function runMeta(result: GradeResult): SafeHtml {
  const reason = result.isolationReason ? ` (${result.isolationReason})` : "";
  return html`<p class="meta">Graded ${result.startedAt} in ${
    formatDuration(result.durationMs)
  } · isolation: ${result.isolation}${reason}${result.shard ? ` · shard ${result.shard}` : ""}</p>
${runList(result)}`;
}

/** For a merged result, the runs its grades came from, each with its students. */
function runList(result: GradeResult): SafeHtml | string {
  const groups = runGroups(result);
  if (groups.length === 0) return "";
  return html`
    <p class="meta">Grades from ${groups.length} run${groups.length === 1 ? "" : "s"}:</p>
    <ul class="meta runs">${groups.map((g) =>
      html`<li>${g.label}: ${
        g.ids.length <= 10 ? g.ids.join(", ") : `${g.ids.length} students`
      }</li>`
    )}</ul>
  `;
}

function failingIds(s: SubmissionResult): string {
  const note: Partial<Record<CheckStatus, string>> = {
    error: " (grader error)",
    warn: " (warning)",
    skip: " (skipped)",
  };
  return s.checks.filter((c) => c.status !== "pass" && (c.status !== "skip" || c.maxPoints > 0))
    .map((c) => `${c.id}${note[c.status] ?? ""}`).join(", ");
}

/** The class overview page; `files` maps each student id to its page path relative to index. */
export function indexPage(result: GradeResult, files: ReadonlyMap<string, string>): SafeHtml {
  const subs = [...result.submissions].sort((a, b) => compareIds(a.id, b.id));
  const percents = subs.map((s) => percent(s.score, s.maxScore));
  const mean = percents.length ? percents.reduce((a, b) => a + b, 0) / percents.length : 0;
  const ids = [...CHECK_IDS as readonly string[]];
  for (const c of subs.flatMap((s) => s.checks)) if (!ids.includes(c.id)) ids.push(c.id);
  const checkRows = ids.map((id) => {
    const results = subs.flatMap((s) => s.checks.filter((c) => c.id === id));
    const count = (status: CheckStatus) => results.filter((c) => c.status === status).length;
    const graded = results.length - count("error");
    const passed = count("pass") + count("warn");
    const rate = graded > 0 ? passed / graded : 0;
    const points = results.reduce((sum, c) => sum + c.points, 0);
    const max = results.reduce((sum, c) => sum + c.maxPoints, 0);
    const visibility = visibilityOf(result.spec, id as CheckResult["id"]);
    return html`<tr><td><code>${id}</code>${
      visibility !== "visible" ? html`<span class="tag">${visibility}</span>` : ""
    }<br><small>${titleOf(id)}</small></td>
${STATUSES.map((s) => html`<td class="num">${count(s)}</td>`)}
<td>${graded > 0 ? bar(rate, `${Math.round(rate * 100)} % passed`) : "—"}</td>
<td class="num">${graded > 0 ? `${Math.round(rate * 100)} %` : "—"}</td>
<td class="num">${results.length ? formatPoints(points / results.length) : "—"} / ${
      results.length ? formatPoints(max / results.length) : "—"
    }</td></tr>`;
  });
  const studentRows = subs.map((s, i) =>
    html`
      <tr data-order="${i}" data-percent="${percents[i]!}" data-language="${s.language}"
        data-full="${hasFullMarks(s) ? "1" : "0"}">
        <td><a href="${files.get(s.id)!}">${s.id}</a></td>
        <td class="num">${formatPoints(s.score)} / ${formatPoints(s.maxScore)}</td>
        <td>${bar(percents[i]! / 100, `${percents[i]} %`)}</td>
        <td>${s.language}</td>
        <td><small>${failingIds(s) || "—"}</small></td>
      </tr>
    `
  );
  return page(
    "sockgrade: class report",
    html`
      <h1>Class report</h1>
      ${runMeta(result)}
      <div
        class="card"><p><strong>${subs.length}</strong> submission${subs.length === 1
          ? ""
          : "s"} · mean <strong>${formatPoints(mean)} %</strong> · full marks: <strong>${subs
          .filter(hasFullMarks).length}</strong></p>
      ${scoreHistogram(scoreBins(subs))}</div>
      <h2>Checks</h2>
      <table class="checks">
        <thead>
          <tr><th>check</th>${STATUSES.map((s) =>
            html`<th class="num">${s}</th>`
          )}<th>pass rate</th><th class="num">%</th><th class="num">mean points</th></tr>
        </thead>
        <tbody>${checkRows}</tbody>
      </table>
      <h2>Students</h2>
      <p class="controls"><label>Filter <input id="student-filter" type="search"
        placeholder="id, language or check"></label> <label>Show <select id="student-show">
        <option value="all">everyone</option><option value="below">below full marks</option>
        <option value="full">full marks</option></select></label> <span id="student-count"
        class="muted"></span></p>
      <table class="students">
        <thead>
          <tr>
            <th><button type="button" data-key="order">student</button></th>
            <th class="num"><button type="button" data-key="percent">score</button></th>
            <th></th>
            <th><button type="button" data-key="language">language</button></th>
            <th>checks that cost points</th>
          </tr>
        </thead>
        <tbody>${studentRows}</tbody>
      </table>
      ${result.similarity ? copiesSection(result.similarity, files) : ""}
    `,
    { script: CLASS_LIST_SCRIPT },
  );
}

function outputBlock(name: string, escaped: string): SafeHtml {
  const lines = splitEscapedLines(escaped);
  return html`<p><strong>${name}</strong>${lines.length === 0 ? " (empty)" : ""}</p>${
    lines.length ? html`<pre>${lines.join("\n")}</pre>` : ""
  }`;
}

/** Whether a check's exchanges get diagrams: only where something went wrong. */
function needsDiagrams(check: CheckResult): boolean {
  return check.status === "fail" || check.status === "warn" || check.status === "error";
}

/**
 * The exchange a reader should see first: the first whose label the check's message names,
 * else the first one.
 */
function firstFailingExchange(check: CheckResult): number {
  const exchanges = check.evidence.exchanges ?? [];
  const named = exchanges.findIndex((e) => e.label && check.message.includes(e.label));
  return named >= 0 ? named : 0;
}

/**
 * Evidence: captured output, the free-form fields rendered (never raw JSON), and the exchanges.
 * A check that went wrong shows each exchange as a collapsed block of text lines, and opens its
 * first failing exchange with a sequence diagram (one diagram per failing check, not one per
 * exchange); a passing or skipped check names its exchanges only. That keeps a class of 60 near
 * 2 MB.
 */
function evidenceBlock(check: CheckResult): SafeHtml {
  const { exchanges, stdout, stderr, ...fields } = check.evidence;
  const wrong = needsDiagrams(check);
  const open = wrong ? firstFailingExchange(check) : -1;
  return html`${stdout !== undefined ? outputBlock("stdout", stdout) : ""}
${stderr !== undefined ? outputBlock("stderr", stderr) : ""}
${evidenceFields(fields)}
${
    wrong
      ? (exchanges ?? []).map((exchange, i) => exchangeBlock(exchange, i === open))
      : exchangeLabels(exchanges ?? [])
  }`;
}

/** A passing or skipped check's exchanges, by label only (their bytes are in the JSON result). */
function exchangeLabels(exchanges: readonly Exchange[]): SafeHtml | "" {
  if (exchanges.length === 0) return "";
  return html`<p class="muted">Exchanges (bytes in the JSON result): ${
    exchanges.map((e) => e.label).join(" · ")
  }</p>`;
}

/** One exchange: collapsed text lines, or open with its sequence diagram. */
function exchangeBlock(exchange: Exchange, open: boolean): SafeHtml {
  const text = html`<pre>${exchangeLines(exchange).slice(1).join("\n")}</pre>`;
  const summary = html`<summary>Exchange: ${exchange.label}</summary>`;
  return open
    ? html`
      <details class="exchange"
        open>${summary}<div class="diagram">${sequenceDiagram(exchange)}</div>${text}</details>
    `
    : html`<details class="exchange">${summary}${text}</details>`;
}

function checkSection(result: GradeResult, check: CheckResult): SafeHtml {
  const visibility = visibilityOf(result.spec, check.id);
  const tag = visibility === "hidden"
    ? html`<span class="tag">hidden from students</span>`
    : visibility === "after_due_date"
    ? html`<span class="tag">shown to students after the due date</span>`
    : "";
  const open = check.status === "fail" || check.status === "warn" || check.status === "error";
  return html`
    <section class="check ${check.status}" id="check-${check.id}">
      ${open ? html`<details open>` : html`<details>`}
        <summary><span class="badge ${check.status}">${check.status}</span>
    <code>${check.id}</code><span class="points">${formatPoints(check.points)} / ${formatPoints(
      check.maxPoints,
    )}</span>${check.message}${tag}</summary>
        <div class="body">
    <p><small>${titleOf(check.id)}: ${descriptionOf(check.id)} · ${formatDuration(
      check.durationMs,
    )}</small></p>
    ${check.status === "error"
      ? html`<p><strong>The grader itself could not run this check; it is not charged to the student. Regrade it: <code>grade --regrade-errors result.json --json result.json</code> with the submissions, which grades again only what the grader could not run.</strong></p>`
      : ""}
    ${check.hint ? html`<p class="hint"><strong>How to fix it:</strong> ${check.hint}</p>` : ""}
    ${evidenceBlock(check)}
        </div>
        </details>
        </section>
  `;
}

function fixCard(s: SubmissionResult): SafeHtml {
  const first = firstThingToFix(s.checks);
  if (!first) {
    const line = nothingToFixLine(s.checks);
    return line.startsWith("Nothing to fix")
      ? html`
        <div class="card fix none">
          <h2>Nothing to fix</h2>
          <p>Every check passes.</p>
        </div>
      `
      : html`
        <div class="card fix skip">
          <h2>Some checks did not run</h2>
          <p>${line}</p>
        </div>
      `;
  }
  return html`<div class="card fix ${first.status}"><h2>The first thing to fix</h2>
<p><a href="#check-${first.id}"><code>${first.id}</code></a> (${titleOf(first.id)}, ${
    formatPoints(first.points)
  } / ${formatPoints(first.maxPoints)} points): ${first.message}</p>
${first.hint ? html`<p class="hint"><strong>How to fix it:</strong> ${first.hint}</p>` : ""}</div>`;
}

/** One student's page; `indexHref` is the class overview's path relative to it. */
export function studentPage(
  result: GradeResult,
  s: SubmissionResult,
  indexHref: string,
): SafeHtml {
  const checklist = s.checks.map((c) =>
    html`<li><span class="mark ${c.status}" title="${STATUS_WORD[c.status]}">${
      STATUS_MARK[c.status]
    }</span> <a href="#check-${c.id}">${c.id}</a> <small>${formatPoints(c.points)}/${
      formatPoints(c.maxPoints)
    }</small></li>`
  );
  return page(
    `sockgrade: ${s.id}`,
    html`
      <p><a href="${indexHref}">← class report</a></p>
      <h1>${s.id}</h1>
      <p
        class="meta">${formatPoints(s.score)} / ${formatPoints(s.maxScore)} points (${percent(
          s.score,
          s.maxScore,
        )} %) · ${s.language} · <code>${s.path}</code> · graded in ${formatDuration(
          s.durationMs,
        )} · isolation: ${s.isolation ?? result.isolation}${s.run
          ? ` · from ${runLabel(s.run)}`
          : ""}</p>
      ${(s.notes ?? []).map((n) => html`<p class="card">Note: ${n}</p>`)}
      ${fixCard(s)}
      <h2>Checks</h2>
      <ul class="checklist">${checklist}</ul>
      ${s.checks.map((c) => checkSection(result, c))}
    `,
  );
}
