/**
 * The source files of a submission that copy detection compares: every C, C++, Java, Python and
 * TypeScript file under its folder, found without following symbolic links and without opening
 * anything that is not a regular file (a submission is hostile: a FIFO named `server.c` would
 * block a reader). Hidden folders, `node_modules` and `__pycache__` are skipped, files over
 * {@linkcode SOURCE_LIMITS} are left out, and what was left out is said.
 *
 * @example
 * ```ts
 * import { readSources } from "./sources.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/server.c`, "int main(void) { return 0; }\n");
 * await Deno.writeTextFile(`${dir}/notes.txt`, "not code\n");
 * const { files } = await readSources(dir);
 * if (files.length !== 1 || files[0]!.language !== "c") throw new Error("server.c not found");
 * await Deno.remove(dir, { recursive: true });
 * ```
 * @module
 */

import { join } from "node:path";
import { languageOfFile, type SourceLanguage } from "./tokenize.ts";

/** One source file of a submission. */
export interface SourceFile {
  /** Its path relative to the submission, with `/`. */
  path: string;
  /** Its language, from its extension. */
  language: SourceLanguage;
  /** Its text (UTF-8; bytes that are not become U+FFFD). */
  text: string;
}

/** What was read, and what was left out and why. */
export interface Sources {
  /** The files, sorted by path. */
  files: SourceFile[];
  /** Sentences about files left out (too large, too many). */
  skipped: string[];
}

/** How much of a submission is read. */
export const SOURCE_LIMITS = {
  /** A larger file is not a hand-written homework source: it is left out. */
  fileBytes: 256 * 1024,
  /** At most this many source files per submission. */
  files: 64,
  /** Folders deeper than this are not searched. */
  depth: 8,
} as const;

const SKIPPED_FOLDERS = new Set(["node_modules", "__pycache__"]);

/** Reads the source files under `dir` (see the module doc for what is left out). */
export async function readSources(dir: string): Promise<Sources> {
  const found: { path: string; language: SourceLanguage }[] = [];
  const skipped: string[] = [];
  const walk = async (relative: string, depth: number): Promise<void> => {
    const entries: Deno.DirEntry[] = [];
    for await (const entry of Deno.readDir(join(dir, relative))) entries.push(entry);
    entries.sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
    for (const entry of entries) {
      const path = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isSymlink || entry.name.startsWith(".")) continue;
      if (entry.isDirectory) {
        if (!SKIPPED_FOLDERS.has(entry.name) && depth < SOURCE_LIMITS.depth) {
          await walk(path, depth + 1);
        }
        continue;
      }
      const language = entry.isFile ? languageOfFile(entry.name) : undefined;
      if (language) found.push({ path, language });
    }
  };
  await walk("", 0);
  if (found.length > SOURCE_LIMITS.files) {
    skipped.push(
      `${
        found.length - SOURCE_LIMITS.files
      } source files after the first ${SOURCE_LIMITS.files} were not compared.`,
    );
  }
  const decoder = new TextDecoder();
  const files: SourceFile[] = [];
  for (const { path, language } of found.slice(0, SOURCE_LIMITS.files)) {
    const info = await Deno.lstat(join(dir, path));
    if (!info.isFile) continue;
    if (info.size > SOURCE_LIMITS.fileBytes) {
      skipped.push(`${path} was not compared: it is larger than ${SOURCE_LIMITS.fileBytes} bytes.`);
      continue;
    }
    files.push({ path, language, text: decoder.decode(await Deno.readFile(join(dir, path))) });
  }
  return { files, skipped };
}
