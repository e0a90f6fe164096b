/**
 * Safe HTML building for the HTML report: the `html` tagged template escapes every interpolated
 * value unless it is already {@linkcode SafeHtml} (the output of another `html` template), so
 * text from submissions (messages, output, exchanged bytes, ids) can never become markup.
 *
 * @example
 * ```ts
 * import { html } from "./markup.ts";
 * const page = html`<p>${"<script>alert(1)</script>"}</p>`;
 * if (page.value !== "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>") throw new Error(page.value);
 * ```
 * @module
 */

/** Markup that is known to be safe: made by {@linkcode html} or from constants. */
export class SafeHtml {
  /** Wraps markup; only this module's functions and constants should call it. */
  constructor(readonly value: string) {}

  /** The markup text. */
  toString(): string {
    return this.value;
  }

  /** The same markup without leading and trailing whitespace. */
  trim(): SafeHtml {
    return new SafeHtml(this.value.trim());
  }
}

/** What may be interpolated into {@linkcode html}: text (escaped), markup, lists, or nothing. */
export type HtmlPart = SafeHtml | string | number | boolean | null | undefined | HtmlPart[];

const ENTITIES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

// deno-lint-ignore no-control-regex
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f]/g;

/**
 * Escapes text for HTML and SVG element content and quoted attribute values. Control characters
 * other than tab and newline become visible `\xNN` escapes.
 */
export function escapeHtml(text: string): string {
  return text
    .replace(/[&<>"']/g, (c) => ENTITIES[c]!)
    .replace(CONTROL, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}

function render(part: HtmlPart): string {
  if (part instanceof SafeHtml) return part.value;
  if (Array.isArray(part)) return part.map(render).join("");
  if (part === null || part === undefined || part === false) return "";
  return escapeHtml(String(part));
}

/** A tagged template that escapes every interpolated value that is not {@linkcode SafeHtml}. */
export function html(strings: TemplateStringsArray, ...values: HtmlPart[]): SafeHtml {
  let out = strings[0]!;
  values.forEach((value, i) => {
    out += render(value) + strings[i + 1]!;
  });
  return new SafeHtml(out);
}
