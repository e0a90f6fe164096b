/**
 * Showing bytes to people: evidence in reports escapes what a terminal or a browser would hide
 * (`\n`, `\r`, `\t`, `\0`, other control bytes and invalid UTF-8 as `\xNN`), and cuts long data to
 * its head and tail; text shown on a terminal escapes control and bidirectional-formatting
 * characters ({@linkcode escapeControls}).
 *
 * @example
 * ```ts
 * import { escapeBytes } from "./bytes.ts";
 * const shown = escapeBytes(new TextEncoder().encode("Client Query\r\n\0"));
 * if (shown !== "Client Query\\r\\n\\0") throw new Error(shown);
 * ```
 * @module
 */

const NAMED: Record<number, string> = { 0: "\\0", 9: "\\t", 10: "\\n", 13: "\\r", 92: "\\\\" };
const decoder = new TextDecoder("utf-8", { fatal: true });

/** Escapes bytes for display: printable UTF-8 stays, everything else becomes an escape. */
export function escapeBytes(bytes: Uint8Array, maxBytes = 4096): string {
  if (bytes.length > maxBytes) {
    const half = Math.floor(maxBytes / 2);
    return `${escapeBytes(bytes.subarray(0, half), half)}…[${
      bytes.length - 2 * half
    } bytes left out]…${escapeBytes(bytes.subarray(bytes.length - half), half)}`;
  }
  let out = "";
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b in NAMED) {
      out += NAMED[b];
      i++;
    } else if (b < 0x20 || b === 0x7f) {
      out += `\\x${b.toString(16).padStart(2, "0")}`;
      i++;
    } else if (b < 0x80) {
      out += String.fromCharCode(b);
      i++;
    } else {
      const len = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
      let ch: string | undefined;
      if (len > 1 && i + len <= bytes.length) {
        try {
          ch = decoder.decode(bytes.subarray(i, i + len));
        } catch {
          ch = undefined;
        }
      }
      if (ch !== undefined) {
        out += ch;
        i += len;
      } else {
        out += `\\x${b.toString(16).padStart(2, "0")}`;
        i++;
      }
    }
  }
  return out;
}

/** Escapes a string's UTF-8 bytes for display (see {@linkcode escapeBytes}). */
export function escapeText(text: string, maxBytes = 4096): string {
  return escapeBytes(new TextEncoder().encode(text), maxBytes);
}

/**
 * Characters a terminal would act on or that change how a line reads: C0 and C1 controls and
 * DEL, and the bidirectional formatting characters (marks U+200E, U+200F, U+061C; embeddings and
 * overrides U+202A–U+202E; isolates U+2066–U+2069), plus the line and paragraph separators.
 */
// deno-lint-ignore no-control-regex
const CONTROLS = /[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * Makes untrusted text safe to show on a terminal, on one line: `\n` `\r` `\t` become `\\n`
 * `\\r` `\\t`, other C0/C1 controls `\\xNN`, bidirectional formatting characters `\\uNNNN`.
 *
 * @example
 * ```ts
 * import { escapeControls } from "./bytes.ts";
 * const shown = escapeControls("alice\x1b[2J\u202egnp.exe");
 * if (shown !== "alice\\x1b[2J\\u202egnp.exe") throw new Error(shown);
 * ```
 */
export function escapeControls(text: string): string {
  return text.replace(CONTROLS, (c) => {
    switch (c) {
      case "\n":
        return "\\n";
      case "\r":
        return "\\r";
      case "\t":
        return "\\t";
    }
    const code = c.charCodeAt(0);
    return code <= 0xff
      ? `\\x${code.toString(16).padStart(2, "0")}`
      : `\\u${code.toString(16).padStart(4, "0")}`;
  });
}

/** The bytes of `parts` one after another, in one array (the part itself when there is one). */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
