/**
 * Reading JSON with comments (specs, `submission.json` manifests) and explaining what is wrong
 * with it in one line: where the text stops being JSON (`line:column`), or which field of the
 * parsed value a schema refused and why.
 *
 * @example
 * ```ts
 * import { parseJsoncText } from "./jsonc.ts";
 * const bad = parseJsoncText('{ "port": 6666 ');
 * if (bad.ok || bad.where !== "1:16") throw new Error("expected an error at 1:16");
 * const good = parseJsoncText('{ "port": 6666, } // trailing comma and a comment');
 * if (!good.ok) throw new Error(good.why);
 * ```
 * @module
 */

import { parse, type ParseError, printParseErrorCode } from "jsonc-parser";
import type { z } from "zod";

/** The parsed value, or where and why the text is not JSON. */
export type JsoncResult =
  | { ok: true; value: unknown }
  | { ok: false; where: string; why: string };

/** How deeply arrays and objects may nest: specs and manifests need 3 levels. */
export const MAX_NESTING = 64;

/**
 * Where `text` nests arrays and objects deeper than `max` (its offset), or -1: a linear scan
 * that skips strings and comments, so that the recursive parser never runs out of stack.
 */
function tooDeep(text: string, max: number): number {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === "\\") i++;
    } else if (c === "/" && text[i + 1] === "/") {
      while (i < text.length && text[i] !== "\n") i++;
    } else if (c === "/" && text[i + 1] === "*") {
      const end = text.indexOf("*/", i + 2);
      i = end === -1 ? text.length : end + 1;
    } else if (c === "[" || c === "{") {
      if (++depth > max) return i;
    } else if (c === "]" || c === "}") depth--;
  }
  return -1;
}

/** Where `offset` is in `text`, as `line:column`. */
function position(text: string, offset: number): string {
  const before = text.slice(0, offset);
  return `${before.split("\n").length}:${offset - before.lastIndexOf("\n")}`;
}

/** Parses JSON that may have comments and trailing commas, nested at most {@linkcode MAX_NESTING} deep. */
export function parseJsoncText(text: string): JsoncResult {
  const deep = tooDeep(text, MAX_NESTING);
  if (deep !== -1) {
    return {
      ok: false,
      where: position(text, deep),
      why: `arrays and objects nested more than ${MAX_NESTING} levels deep`,
    };
  }
  const errors: ParseError[] = [];
  const value = parse(text, errors, { allowTrailingComma: true, disallowComments: false });
  if (errors.length === 0) return { ok: true, value };
  const e = errors[0]!;
  return { ok: false, where: position(text, e.offset), why: printParseErrorCode(e.error) };
}

/**
 * The first problem a schema found, as `field "a.b": message` (`the top level: …` when it is the
 * value itself); `allowed` is added to the message for unknown fields.
 */
export function describeSchemaError(error: z.ZodError, allowed: string): string {
  const issue = error.issues[0]!;
  const where = issue.path.length ? `field "${issue.path.join("..")}"` : "the top level";
  const message = issue.code === "unrecognized_keys"
    ? `unknown field${issue.keys.length > 1 ? "s" : ""} ${
      issue.keys.map((k) => `"${k}"`).join(", ")
    } (${allowed})`
    : issue.message;
  return `${where}: ${message}`;
}
