/**
 * Recognises the files that make a folder a submission (EXERCISE.md §2) without building or
 * reading them: `server`/`client` sources in a language of the language table
 * (`submission/languages/mod.ts`; names that merely contain the word count too), a `Makefile`, or
 * a `submission.json` manifest. Used to tell a
 * single submission from a folder of student folders; `grader/submission/` does the real
 * discovery.
 *
 * @example
 * ```ts
 * import { programSide } from "./detect.ts";
 * if (programSide("tcp_server.c") !== "server" || programSide("notes.txt") !== null) {
 *   throw new Error("unexpected");
 * }
 * ```
 * @module
 */

import { join } from "node:path";
import { LANGUAGES } from "../submission/languages/mod.ts";

/** Which program a file belongs to: `both` for a Makefile or a manifest. */
export type ProgramSide = "server" | "client" | "both";

/** What a scan of a folder found. */
export interface ProgramScan {
  /** A server program (or a Makefile/manifest) was found. */
  server: boolean;
  /** A client program (or a Makefile/manifest) was found. */
  client: boolean;
  /** `.zip` files directly in the folder (candidates for a student's zipped work). */
  zips: string[];
  /** How many visible files the scan saw (up to its cap). */
  files: number;
  /** How many folders could not be read (skipped; the first one's error is in `unreadableWhy`). */
  unreadable: number;
  /** Why the first unreadable folder could not be read. */
  unreadableWhy?: string;
}

const SOURCE_EXTENSIONS = new Set<string>(LANGUAGES.flatMap((l) => l.extensions));
const BOTH_SIDES = new Set(["makefile", "gnumakefile", "submission.json"]);
const SCAN_MAX_ENTRIES = 5_000;

/** The program a file name belongs to, or `null` if it is not a recognisable program file. */
export function programSide(fileName: string): ProgramSide | null {
  const lower = fileName.toLowerCase();
  if (BOTH_SIDES.has(lower)) return "both";
  const dot = lower.lastIndexOf(".");
  if (dot <= 0 || !SOURCE_EXTENSIONS.has(lower.slice(dot))) return null;
  const stem = lower.slice(0, dot);
  const server = stem.includes("server");
  const client = stem.includes("client");
  return server && client ? "both" : server ? "server" : client ? "client" : null;
}

/** Whether a folder entry is ignored when judging inputs: hidden, macOS resource forks, deps. */
export function isIgnoredName(name: string): boolean {
  return name.startsWith(".") || name === "__MACOSX" || name === "node_modules";
}

/**
 * Looks for program files in `dir` and its subfolders down to `maxDepth` levels, without
 * following symbolic links and ignoring hidden folders, `__MACOSX` and `node_modules`. Never
 * throws: a folder that cannot be read (`dir` itself included) is counted in `unreadable` and
 * skipped.
 */
export async function scanPrograms(dir: string, maxDepth = 4): Promise<ProgramScan> {
  const scan: ProgramScan = { server: false, client: false, zips: [], files: 0, unreadable: 0 };
  let budget = SCAN_MAX_ENTRIES;
  const walk = async (folder: string, depth: number): Promise<void> => {
    const subfolders: string[] = [];
    try {
      for await (const entry of Deno.readDir(folder)) {
        if (--budget < 0) return;
        if (isIgnoredName(entry.name)) continue;
        if (entry.isDirectory) subfolders.push(entry.name);
        if (!entry.isFile) continue;
        scan.files++;
        const side = programSide(entry.name);
        if (side === "server" || side === "both") scan.server = true;
        if (side === "client" || side === "both") scan.client = true;
        if (depth === 0 && entry.name.toLowerCase().endsWith(".zip")) {
          scan.zips.push(join(folder, entry.name));
        }
      }
    } catch (error) {
      scan.unreadable++;
      scan.unreadableWhy ??= `${folder}: ${(error as Error).message}`;
      return;
    }
    if (depth >= maxDepth) return;
    for (const sub of subfolders.sort()) await walk(join(folder, sub), depth + 1);
  };
  await walk(dir, 0);
  scan.zips.sort();
  return scan;
}
