/**
 * Saying in a few words why a file could not be read, for one-line errors about files the user
 * named (a spec, a result file): "no such file", "it is a folder", "it is not UTF-8 text".
 *
 * @example
 * ```ts
 * import { whyUnreadable } from "./read_error.ts";
 * const why = await Deno.readTextFile("/nonexistent").then(() => "", whyUnreadable);
 * if (why !== "no such file") throw new Error(why);
 * ```
 * @module
 */

/** The reason a read failed, short enough to end a sentence. */
export function whyUnreadable(error: unknown): string {
  if (error instanceof Deno.errors.NotFound) return "no such file";
  if (error instanceof Deno.errors.IsADirectory) return "it is a folder";
  if (error instanceof Deno.errors.PermissionDenied) return "permission denied";
  if (error instanceof TypeError) return "it is not UTF-8 text";
  return error instanceof Error ? error.message : String(error);
}
