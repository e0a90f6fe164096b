/**
 * Parsing and validating a `submission.json` manifest (EXERCISE.md §2):
 * `{ "build": [...], "server": [...], "client": [...] }`, JSON with comments and trailing commas
 * allowed, every mistake explained in one sentence that names the file and the field.
 *
 * Kept apart from `discover.ts`, which imports it only when a submission has a manifest: zod and
 * jsonc-parser take about 120 ms to load, paid by every grading worker otherwise.
 *
 * @example
 * ```ts
 * import { parseManifest } from "./manifest.ts";
 * const m = parseManifest('{ "build": ["make"], "server": ["./server"] }', "submission.json");
 * if (m.build[0]?.[0] !== "make" || m.server?.[0] !== "./server") throw new Error();
 * ```
 * @module
 */

import { z } from "zod";
import { parse as parseJsonc, type ParseError, printParseErrorCode } from "jsonc-parser";
import type { Manifest } from "./discover.ts";

/** Parses and validates a manifest's text; throws an Error with a one-sentence message. */
export function parseManifest(text: string, path: string): Manifest {
  const errors: ParseError[] = [];
  const value = parseJsonc(text, errors, { allowTrailingComma: true, disallowComments: false });
  if (errors.length > 0) {
    const e = errors[0]!;
    const before = text.slice(0, e.offset);
    const line = before.split("\n").length;
    const column = e.offset - before.lastIndexOf("\n");
    throw new Error(
      `${path}:${line}:${column}: not valid JSON (${
        printParseErrorCode(e.error)
      }). Fix ${path} or remove it to let sockgrade find your programs.`,
    );
  }
  const result = manifestSchema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const where = issue.path.length ? `field "${issue.path.join(".")}"` : "the top level";
    const message = issue.code === "unrecognized_keys"
      ? `unknown field${issue.keys.length > 1 ? "s" : ""} ${
        issue.keys.map((k) => `"${k}"`).join(", ")
      } (allowed: "build", "server", "client")`
      : issue.message;
    throw new Error(`${path}: ${where}: ${message}. Fix ${path} and submit again.`);
  }
  const { build, server, client } = result.data;
  const commands = build === undefined
    ? []
    : build.every((step) => typeof step === "string")
    ? [build as string[]]
    : build as string[][];
  return {
    path,
    build: commands,
    ...(server ? { server } : {}),
    ...(client ? { client } : {}),
  };
}

const argvSchema = z.array(
  z.string().min(1, "an argument must not be empty"),
  'must be a command as a list of strings, e.g. ["./server"]',
).min(1, 'must name a command, e.g. ["./server"]');

const manifestSchema = z.strictObject({
  $schema: z.string().optional(),
  build: z.array(
    z.union([z.string().min(1, "an argument must not be empty"), argvSchema], {
      error: "must be a command (a list of strings) or a list of commands",
    }),
    "must be a command (a list of strings) or a list of commands",
  ).min(1, "must not be empty (leave it out when nothing needs building)")
    .refine(
      (steps) =>
        steps.every((s) => typeof s === "string") || steps.every((s) => typeof s !== "string"),
      'must be either one command ["make"] or a list of commands [["make"], ["chmod", "+x", "run.sh"]], not a mix',
    )
    .optional(),
  server: argvSchema.optional(),
  client: argvSchema.optional(),
}, 'must be a JSON object with "build", "server" and "client" fields');
