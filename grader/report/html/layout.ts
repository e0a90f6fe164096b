/**
 * The page frame of the HTML report: doctype, a strict Content-Security-Policy (no network, and
 * no script except the report's own, allowed by its SHA-256 hash: the report works offline and
 * injected markup could not run anyway), and the inline stylesheet. No external fonts, scripts
 * or stylesheets.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { html, type HtmlPart, SafeHtml } from "./markup.ts";

/** The policy every page declares: inline styles and nothing else. */
export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

const CSS = new SafeHtml(`
:root { color-scheme: light; --pass: #1b7f3b; --fail: #c62828; --warn: #b26a00; --skip: #6b7280;
  --error: #7b1fa2; --line: #e5e7eb; --muted: #6b7280; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: #111827; background: #f9fafb; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 28px 64px; }
h1 { font-size: 26px; margin: 8px 0 4px; } h2 { font-size: 19px; margin: 32px 0 10px; }
a { color: #1d4ed8; }
.meta { color: var(--muted); margin: 0 0 16px; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 14px 18px; }
table { border-collapse: collapse; background: #fff; width: 100%; }
th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: #f3f4f6; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
code, pre, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 13px; }
pre { background: #0f172a; color: #e2e8f0; padding: 10px 12px; border-radius: 6px; overflow-x: auto;
  white-space: pre-wrap; word-break: break-all; margin: 6px 0; }
.badge { display: inline-block; min-width: 52px; text-align: center; padding: 1px 8px; border-radius: 999px;
  font-size: 12px; font-weight: 700; color: #fff; text-transform: uppercase; letter-spacing: .03em; }
.badge.pass { background: var(--pass); } .badge.fail { background: var(--fail); }
.badge.warn { background: var(--warn); } .badge.skip { background: var(--skip); }
.badge.error { background: var(--error); }
.tag { display: inline-block; padding: 0 6px; border-radius: 4px; font-size: 12px; background: #eef2ff;
  color: #3730a3; margin-left: 6px; }
.bar { height: 10px; background: #e5e7eb; border-radius: 5px; overflow: hidden; min-width: 120px; }
.bar > span { display: block; height: 100%; background: var(--pass); }
.fix { border-left: 5px solid var(--fail); }
.fix.warn { border-left-color: var(--warn); } .fix.none { border-left-color: var(--pass); }
.fix h2 { margin-top: 0; text-transform: uppercase; font-size: 15px; letter-spacing: .05em; }
section.check { background: #fff; border: 1px solid var(--line); border-left: 5px solid var(--skip);
  border-radius: 8px; margin: 10px 0; }
section.check.pass { border-left-color: var(--pass); } section.check.fail { border-left-color: var(--fail); }
section.check.warn { border-left-color: var(--warn); } section.check.error { border-left-color: var(--error); }
section.check > details > summary { cursor: pointer; padding: 10px 14px; list-style-position: outside; }
section.check .body { padding: 0 18px 14px; }
.points { font-variant-numeric: tabular-nums; font-weight: 600; margin: 0 8px; }
.hint { background: #eff6ff; border-radius: 6px; padding: 6px 10px; }
dl.fields { display: grid; grid-template-columns: max-content 1fr; gap: 4px 14px; margin: 6px 0; }
dl.fields dt { font-weight: 600; } dl.fields dd { margin: 0; }
details.exchange { margin: 8px 0; } details.exchange > summary { font-weight: 600; cursor: pointer; }
table.fields { width: auto; font-size: 13px; } table.fields th, table.fields td { padding: 2px 8px; }
ul.values { margin: 0; padding-left: 18px; } .muted { color: var(--muted); }
table.students th button { font: inherit; font-weight: 600; background: none; border: 0; padding: 0;
  cursor: pointer; color: inherit; text-decoration: underline dotted; }
.controls input, .controls select { font: inherit; padding: 2px 6px; }
.diagram { overflow-x: auto; background: #fff; border: 1px solid var(--line); border-radius: 6px; }
ul.checklist { columns: 2; list-style: none; padding: 0; } ul.checklist li { break-inside: avoid; }
.mark { display: inline-block; width: 1.2em; font-weight: 700; }
.mark.pass { color: var(--pass); } .mark.fail { color: var(--fail); } .mark.warn { color: var(--warn); }
.mark.skip { color: var(--skip); } .mark.error { color: var(--error); }
h3 { font-size: 16px; margin: 20px 0 8px; } table.copies { width: auto; }
details.pair { background: #fff; border: 1px solid var(--line); border-radius: 8px; margin: 8px 0;
  padding: 6px 12px; } details.pair > summary { cursor: pointer; font-weight: 600; }
.sidebyside { display: grid; grid-template-columns: 1fr 1fr; gap: 10px; margin: 8px 0; }
.sidebyside > div { min-width: 0; } .sidebyside p { margin: 4px 0 0; }
`);

/**
 * Indentation between tags, dropped to keep pages small. Text from submissions is escaped, so
 * `>` and `<` only ever come from markup, and a `<pre>` never holds a tag: a line break between
 * two tags stays (it renders as the same space the indentation did).
 */
const INDENTATION = />[ \t]*\n\s*</g;

/** A whole page: `title` in the tab and as the heading's text elsewhere, `body` inside `<main>`. */
export function page(title: string, body: HtmlPart, options: PageOptions = {}): SafeHtml {
  const markup = pageMarkup(title, body, options).value.replace(INDENTATION, ">\n<");
  // The script goes in after the indentation is dropped: its hash must match it byte for byte.
  return new SafeHtml(
    options.script
      ? markup.replace("</main>", `</main>\n<script>${options.script}</script>`)
      : markup,
  );
}

/** Options for {@linkcode page}. */
export interface PageOptions {
  /** One of the report's own scripts, allowed by its hash (see html/class_list_script.ts). */
  script?: string;
}

function pageMarkup(title: string, body: HtmlPart, options: PageOptions): SafeHtml {
  const policy = options.script
    ? `${CONTENT_SECURITY_POLICY}; script-src 'sha256-${
      createHash("sha256").update(options.script).digest("base64")
    }'`
    : CONTENT_SECURITY_POLICY;
  return html`
    <!DOCTYPE html>
    <html lang="en">
      <head>
        <meta charset="utf-8">
        <meta http-equiv="Content-Security-Policy" content="${policy}">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="generator" content="sockgrade">
        <title>${title}</title>
        <style>${CSS}</style>
      </head>
      <body>
        <main>
    ${body}
        </main>
      </body>
    </html>
  `.trim();
}
