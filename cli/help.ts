/**
 * Pieces of the commands' help text.
 *
 * @example
 * ```ts
 * import { examples } from "./help.ts";
 * const text = examples("sockgrade", "grade", [["", "the samples"], ["class/", "a class"]]);
 * if (!text.includes("sockgrade grade class/")) throw new Error(text);
 * ```
 *
 * @module
 */

/**
 * The "Examples:" block of a command's help: each line the command as the user types it
 * (`prefix`, e.g. `deno task` or `sockgrade`, then the command's name and arguments), then a
 * remark, aligned.
 */
export function examples(prefix: string, name: string, lines: [string, string][]): string {
  const typed = lines.map(([args]) => `${prefix} ${name}${args ? ` ${args}` : ""}`);
  const width = Math.max(0, ...typed.filter((_, i) => lines[i]![1]).map((t) => t.length));
  const rows = typed.map((t, i) => {
    const remark = lines[i]![1];
    return `  ${remark ? `${t.padEnd(width)}   ${remark}` : t}`;
  });
  return `\nExamples:\n${rows.join("\n")}`;
}
