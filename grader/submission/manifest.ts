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
import { describeSchemaError, parseJsoncText } from "../text/jsonc.ts";

/** A valid `submission.json`. */
export interface Manifest {
  /** Its path relative to the submission root. */
  path: string;
  /** Build commands, run in order in the manifest's folder (possibly none). */
  build: string[][];
  /** The server's command, if given. */
  server?: string[];
  /** The client's command, if given. */
  client?: string[];
}

/** Parses and validates a manifest's text; throws an Error with a one-sentence message. */
export function parseManifest(text: string, path: string): Manifest {
  const parsed = parseJsoncText(text);
  if (!parsed.ok) {
    throw new Error(
      `${path}:${parsed.where}: not valid JSON (${parsed.why}). Fix ${path} or remove it to let sockgrade find your programs.`,
    );
  }
  const result = manifestSchema.safeParse(parsed.value);
  if (!result.success) {
    const problem = describeSchemaError(result.error, 'allowed: "build", "server", "client"');
    throw new Error(`${path}: ${problem}. Fix ${path} and submit again.`);
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
