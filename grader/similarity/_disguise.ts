/**
 * For tests and the bench only: how a student disguises a copied file. Renames every identifier
 * that is not a keyword, reformats (other indentation, braces on their own line, spaces around
 * commas), moves the top-level functions into the reverse order and rewrites every comment. The
 * result is still the same program to a reader, and a different text to `diff`.
 *
 * @module
 */

import { isKeyword, type SourceLanguage } from "./tokenize.ts";

/**
 * Renames the program's identifiers consistently (`name` → `v<n>_<salt>`), leaving keywords,
 * members after a `.`, string literals (and their prefixes) and `#include` lines alone.
 */
export function renameIdentifiers(text: string, language: SourceLanguage, salt: string): string {
  const names = new Map<string, string>();
  const rename = (code: string) =>
    code.replace(/(?<![\w$.#])[A-Za-z_][\w$]*(?![\w$]*["'])/g, (word) => {
      if (isKeyword(word, language)) return word;
      let name = names.get(word);
      if (!name) {
        name = `v${names.size}_${salt}`;
        names.set(word, name);
      }
      return name;
    });
  return text.split("\n").map((line) =>
    /^\s*#\s*include/.test(line)
      ? line
      : line.split(/((?:\b[rRbBuUfF]{1,2})?(?:"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'))/)
        .map((part, i) => i % 2 === 1 ? part : rename(part)).join("")
  ).join("\n");
}

/** Rewrites comments: each says something else, and one more is added at the top. */
export function rewordComments(text: string, language: SourceLanguage): string {
  if (language === "python") {
    return `# my own work\n${text.replace(/#[^\n!]*$/gm, "# see above")}`;
  }
  return `// my own work\n${
    text.replace(/\/\*[\s\S]*?\*\//g, "/* see below */").replace(/\/\/[^\n]*$/gm, "// see above")
  }`;
}

/** Reformats: indentation halved (Python) or made tabs, braces moved, spaces after commas. */
export function reformat(text: string, language: SourceLanguage): string {
  const lines = text.split("\n").map((line) => {
    const indent = line.match(/^ */)![0].length;
    const body = line.slice(indent).replace(/,(?=\S)/g, ", ").replace(/\s+$/, "");
    return language === "python"
      ? " ".repeat(indent / 2) + body
      : "\t".repeat(Math.round(indent / 4)) + body.replace(/\)\s*\{$/, ")\n{");
  });
  return lines.join("\n").replace(/\n{2,}/g, "\n");
}

/**
 * Reverses the order of the top-level functions (C-like: blocks that end with a `}` alone on its
 * line; Python: blocks that start with `def` at column 0). What comes before the first function
 * stays first.
 */
export function reorderFunctions(text: string, language: SourceLanguage): string {
  const lines = text.split("\n");
  const blocks: string[][] = [[]];
  for (const line of lines) {
    if (language === "python" && /^(def|async def) /.test(line)) blocks.push([]);
    blocks.at(-1)!.push(line);
    if (language !== "python" && line === "}") blocks.push([]);
  }
  const [head, ...rest] = blocks;
  return [...head!, ...rest.reverse().flat()].join("\n");
}

/** Every disguise above, in the order a student would apply them. */
export function disguise(text: string, language: SourceLanguage, salt: string): string {
  return reformat(
    reorderFunctions(renameIdentifiers(rewordComments(text, language), language, salt), language),
    language,
  );
}
