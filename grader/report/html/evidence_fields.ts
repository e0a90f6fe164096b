/**
 * Evidence fields as HTML, never as raw JSON: a command is shown as the command line, a list of
 * plain values as a list, a list of records with the same keys as a table, a record as a nested
 * definition list, and exchanges nested in a field as their text lines. Every value goes
 * through the escaping `html` template.
 *
 * @example
 * ```ts
 * import { evidenceFields } from "./evidence_fields.ts";
 * const out = evidenceFields({ cases: [{ case: "split", ok: true }] }).value;
 * if (!out.includes("<table") || out.includes("{")) throw new Error(out);
 * ```
 * @module
 */

import type { Exchange } from "../../result.ts";
import { exchangeLines } from "../_evidence.ts";
import { html, type SafeHtml } from "./markup.ts";

/** How deep records nest before the rest is shown as one line of text. */
const MAX_DEPTH = 3;

type Plain = string | number | boolean | null | undefined;

function isPlain(value: unknown): value is Plain {
  return value === null || value === undefined || typeof value !== "object";
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isExchange(value: unknown): value is Exchange {
  return isRecord(value) && typeof value.label === "string" && Array.isArray(value.events);
}

function plainText(value: Plain): string {
  if (value === null || value === undefined) return "—";
  if (typeof value === "boolean") return value ? "yes" : "no";
  return String(value);
}

/** A shell-like rendering of an argument list (arguments with spaces quoted). */
function commandLine(args: readonly Plain[]): string {
  return args.map((a) => {
    const text = plainText(a);
    return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`;
  }).join(" ");
}

/** One line of text for whatever is too deep to lay out. */
function flat(value: unknown): string {
  if (isPlain(value)) return plainText(value);
  if (Array.isArray(value)) return value.map(flat).join(", ");
  return Object.entries(value as Record<string, unknown>).map(([k, v]) => `${k}: ${flat(v)}`)
    .join("; ");
}

function valueHtml(key: string, value: unknown, depth: number): SafeHtml {
  if (isPlain(value)) return html`<span class="mono">${plainText(value)}</span>`;
  if (depth >= MAX_DEPTH) return html`<span class="mono">${flat(value)}</span>`;
  if (Array.isArray(value)) {
    if (value.length === 0) return html`<span class="muted">none</span>`;
    if (value.every(isExchange)) {
      return html`${value.map((e) => html`<pre>${exchangeLines(e).join("\n")}</pre>`)}`;
    }
    if (value.every(isPlain)) {
      if (key === "command") {
        return html`<code>${commandLine(value)}</code>`;
      }
      return html`<ul class="values">${
        value.map((v) => html`<li class="mono">${plainText(v)}</li>`)
      }</ul>`;
    }
    if (value.every(isRecord)) {
      const keys = [...new Set(value.flatMap((v) => Object.keys(v)))];
      return html`
        <table class="fields">
          <thead>
            <tr>${keys.map((k) => html`<th>${k}</th>`)}</tr>
          </thead>
          <tbody>${value.map((row) =>
            html`<tr>${keys.map((k) => html`<td>${valueHtml(k, row[k], depth + 1)}</td>`)}</tr>`
          )}</tbody>
        </table>
      `;
    }
    return html`<ul class="values">${
      value.map((v) => html`<li>${valueHtml(key, v, depth + 1)}</li>`)
    }</ul>`;
  }
  return fieldList(value as Record<string, unknown>, depth + 1);
}

function fieldList(fields: Record<string, unknown>, depth: number): SafeHtml {
  const keys = Object.keys(fields).sort();
  return html`<dl class="fields">${
    keys.map((k) =>
      html`
        <dt>${k}</dt>
        <dd>${valueHtml(k, fields[k], depth)}</dd>
      `
    )
  }</dl>`;
}

/** The evidence's free-form fields (not exchanges, stdout or stderr) as a definition list. */
export function evidenceFields(fields: Record<string, unknown>): SafeHtml {
  return Object.keys(fields).length ? fieldList(fields, 0) : html``;
}
