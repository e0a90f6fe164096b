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

/** Parses JSON that may have comments and trailing commas. */
export function parseJsoncText(text: string): JsoncResult {
  const errors: ParseError[] = [];
  const value = parse(text, errors, { allowTrailingComma: true, disallowComments: false });
  if (errors.length === 0) return { ok: true, value };
  const e = errors[0]!;
  const before = text.slice(0, e.offset);
  const line = before.split("\n").length;
  const column = e.offset - before.lastIndexOf("\n");
  return { ok: false, where: `${line}:${column}`, why: printParseErrorCode(e.error) };
}

/**
 * The first problem a schema found, as `field "a.b": message` (`the top level: …` when it is the
 * value itself); `allowed` is added to the message for unknown fields.
 */
export function describeSchemaError(error: z.ZodError, allowed: string): string {
  const issue = error.issues[0]!;
  const where = issue.path.length ? `field "${issue.path.join(".")}"` : "the top level";
  const message = issue.code === "unrecognized_keys"
    ? `unknown field${issue.keys.length > 1 ? "s" : ""} ${
      issue.keys.map((k) => `"${k}"`).join(", ")
    } (${allowed})`
    : issue.message;
  return `${where}: ${message}`;
}
