/**
 * Finding a submission's two programs (EXERCISE.md §2): source files by name and language
 * (`server.c`, `client.py`, `Server.java`, `server.ts`, … and names that merely contain
 * `server`/`client`, case-insensitive), a `Makefile` that builds `server` and `client`, or a
 * `submission.json` manifest that overrides detection. Nothing is built or run here.
 *
 * @example
 * ```ts
 * import { detectPrograms } from "./discover.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/server.c`, "int main(void) { return 0; }\n");
 * await Deno.writeTextFile(`${dir}/my_client.py`, "print('hi')\n");
 * const found = await detectPrograms(dir);
 * if (found.server?.path !== "server.c" || found.client?.kind !== "python") throw new Error();
 * if (found.language !== "mixed") throw new Error(found.language);
 * await Deno.remove(dir, { recursive: true });
 * ```
 * @module
 */

import { posix } from "node:path";
import type { Manifest } from "./manifest.ts";
import type { Side } from "./_steps.ts";
import { languageOf, LANGUAGES, type SourceKind, sourceName } from "./languages/mod.ts";

export type { Side } from "./_steps.ts";
export type { SourceKind } from "./languages/mod.ts";

/** How a side is built: from one source file, by the Makefile, or as the manifest says. */
export type ProgramKind = SourceKind | "make" | "manifest";

/** The language label of a whole submission (the result's `language`). */
export type LanguageLabel = ProgramKind | "mixed" | "unknown";

/** How one side is made and started. */
export interface SideProgram {
  /** How it is built. */
  kind: ProgramKind;
  /**
   * Path relative to the submission root, with `/`: the source file (source kinds), the
   * Makefile (`make`) or the manifest (`manifest`).
   */
  path: string;
  /** For `manifest`: the command that starts it, as written (relative to the manifest's folder). */
  argv?: string[];
}

/** What a submission contains. */
export interface Detection {
  /** The folder that was searched. */
  root: string;
  /** The server, when one was found. */
  server?: SideProgram;
  /** The client, when one was found. */
  client?: SideProgram;
  /** Why a side has no program ("no server program found: …"), for each side without one. */
  missing: Partial<Record<Side, string>>;
  /**
   * A `submission.json` that is not valid: one sentence naming the file and the field. Both
   * sides then fail to build with it (detection is not used in its place).
   */
  manifestError?: string;
  /** The valid manifest, when there is one. */
  manifest?: Manifest;
  /**
   * The language label: the sides' kind, `mixed` when they differ; when neither side was found,
   * the language of the submission's source files (the most common), else `unknown`.
   */
  language: LanguageLabel;
  /** Remarks worth showing, e.g. which of several candidates was chosen. */
  notes: string[];
}

/** How deep below the root sources are searched (`hw/src/server.c` is at depth 2). */
const MAX_DEPTH = 3;
/** How many entries are looked at, at most (a student may submit a huge tree). */
const MAX_ENTRIES = 20_000;
/** Folders never searched: version control, archive debris, caches and build outputs. */
const SKIPPED_DIRS = new Set([
  "__macosx",
  "__pycache__",
  "node_modules",
  "venv",
  "out",
  "bin",
  "obj",
  "target",
  "build",
  "dist",
]);

/** Folders named like build outputs that hold sources in some language (Cargo's `src/bin`). */
const SOURCE_DIRS = new Set(LANGUAGES.flatMap((l) => l.sourceDirs ?? []));
const MAKEFILES = new Set(["makefile", "gnumakefile"]);
const MANIFEST = "submission.json";

/**
 * Message for a side with nothing to build: every name the contract accepts (one per language
 * sockgrade builds, then a Makefile or submission.json), and the source files that were found
 * but are not named like either program (`others`), if any.
 */
export function missingMessage(side: Side, others: readonly string[] = []): string {
  const names = LANGUAGES.map((l) => sourceName(l, side)).join(", ");
  const found = others.length === 0 ? "" : `; found ${
    others.slice(0, 3).map((f) => {
      const language = languageOf(f);
      return language ? `${f} (${language.name})` : f;
    }).join(", ")
  }${
    others.length > 3 ? ` and ${others.length - 3} more` : ""
  }, whose name contains neither "server" nor "client": rename it`;
  return `no ${side} program found: expected ${names} (or a name containing "${side}"), a Makefile that builds \`${side}\` or submission.json${found}`;
}

/** A source file that may be one side's program. */
export interface Candidate {
  /** The side its name suggests. */
  side: Side;
  /** Its language. */
  kind: SourceKind;
  /** Path relative to the submission root, with `/`. */
  path: string;
  /** Folders between the root and it (0 at the root). */
  depth: number;
  /** 0: the exact name (`server.c`); 1: contains it (`tcp_server.c`); 2: also `test` or both sides. */
  exactness: number;
}

/** The language most of `files` are in (ties: by the table's order), or undefined for none. */
function mostCommonKind(files: readonly string[]): SourceKind | undefined {
  const counts = LANGUAGES.map((l) => files.filter((f) => languageOf(f) === l).length);
  const most = Math.max(0, ...counts);
  return most === 0 ? undefined : LANGUAGES[counts.indexOf(most)]!.id;
}

/** A language's place in detection's order of preference (the table's order). */
function rank(kind: SourceKind): number {
  return LANGUAGES.findIndex((l) => l.id === kind);
}

/** Lists files (relative paths with `/`) up to MAX_DEPTH, skipping hidden and output folders. */
async function listFiles(root: string): Promise<string[]> {
  const files: string[] = [];
  let seen = 0;
  const walk = async (rel: string, depth: number): Promise<void> => {
    const entries: Deno.DirEntry[] = [];
    try {
      for await (const entry of Deno.readDir(rel ? posix.join(root, rel) : root)) {
        if (++seen > MAX_ENTRIES) break;
        entries.push(entry);
      }
    } catch {
      return;
    }
    entries.sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
    for (const entry of entries) {
      if (entry.name.startsWith(".")) continue;
      const path = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isFile) files.push(path);
      else if (
        entry.isDirectory && depth < MAX_DEPTH &&
        (!SKIPPED_DIRS.has(entry.name.toLowerCase()) || SOURCE_DIRS.has(path.toLowerCase()) ||
          [...SOURCE_DIRS].some((d) => path.toLowerCase().endsWith(`/${d}`)))
      ) {
        await walk(path, depth + 1);
      }
    }
  };
  await walk("", 0);
  return files;
}

/** The source candidates a file name offers (none, one side, or both). */
export function candidatesOf(path: string): Candidate[] {
  const language = languageOf(path);
  if (!language) return [];
  const kind = language.id;
  const base = posix.basename(path).toLowerCase();
  const stem = base.slice(0, -posix.extname(base).length);
  const depth = path.split("/").length - 1;
  const out: Candidate[] = [];
  for (const side of ["server", "client"] as const) {
    if (!stem.includes(side)) continue;
    const other = side === "server" ? "client" : "server";
    const exactness = stem === side ? 0 : /test|spec/.test(stem) || stem.includes(other) ? 2 : 1;
    out.push({ side, kind, path, depth, exactness });
  }
  return out;
}

function compareCandidates(a: Candidate, b: Candidate, primary?: SourceKind): number {
  const keys = (c: Candidate) => [
    c.exactness,
    primary === undefined || c.kind === primary ? 0 : 1,
    c.depth,
    rank(c.kind),
  ];
  const ka = keys(a);
  const kb = keys(b);
  for (let i = 0; i < ka.length; i++) {
    if (ka[i] !== kb[i]) return ka[i]! - kb[i]!;
  }
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}

/**
 * The language to prefer for both sides: the one whose best candidates have the best names on
 * both sides together (a side without one counts as worst), then by the table's order.
 */
function primaryKind(candidates: Candidate[]): SourceKind | undefined {
  let best: { kind: SourceKind; score: number } | undefined;
  for (const { id: kind } of LANGUAGES) {
    const mine = candidates.filter((c) => c.kind === kind);
    if (mine.length === 0) continue;
    const score = (["server", "client"] as const)
      .map((side) => Math.min(3, ...mine.filter((c) => c.side === side).map((c) => c.exactness)))
      .reduce((a, b) => a + b, 0);
    if (!best || score < best.score) best = { kind, score };
  }
  return best?.kind;
}

/** The shallowest file among `files` whose lower-cased name is in `names` (ties: by path). */
function shallowest(files: string[], names: Set<string>): string | undefined {
  return files
    .filter((f) => names.has(posix.basename(f).toLowerCase()))
    .sort((a, b) => a.split("/").length - b.split("/").length || (a < b ? -1 : 1))[0];
}

/** Is `folder` the same as, or an ancestor of, `path`'s folder? (`""` is the root) */
function contains(folder: string, path: string): boolean {
  const dir = posix.dirname(path);
  return folder === "." || dir === folder || dir.startsWith(`${folder}/`);
}

/**
 * Finds the server and client in a submission folder (EXERCISE.md §2). A `submission.json`
 * overrides detection for the sides it names; otherwise source files are chosen by name
 * (the exact name first, then the language both sides share, then the shallowest, then the
 * language table's order, `languages/mod.ts`, then by path); sides in a language built by make
 * (C, C++) are built with a `Makefile` when one sits in their folder or above it. Never throws for anything a submission contains.
 */
export async function detectPrograms(dir: string): Promise<Detection> {
  const files = await listFiles(dir);
  const notes: string[] = [];
  const missing: Partial<Record<Side, string>> = {};
  const found: Partial<Record<Side, SideProgram>> = {};

  const manifestPath = shallowest(files, new Set([MANIFEST]));
  let manifest: Manifest | undefined;
  if (manifestPath !== undefined) {
    try {
      // Loaded only when needed: zod and jsonc-parser cost ~120 ms of every worker's start.
      const { parseManifest } = await import("./manifest.ts");
      manifest = parseManifest(
        await Deno.readTextFile(posix.join(dir, manifestPath)),
        manifestPath,
      );
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      const message = why.startsWith(manifestPath) ? why : `${manifestPath}: ${why}`;
      return {
        root: dir,
        missing: {},
        manifestError: message,
        language: "manifest",
        notes,
      };
    }
    for (const side of ["server", "client"] as const) {
      const argv = manifest[side];
      if (argv) found[side] = { kind: "manifest", path: manifestPath, argv };
    }
  }

  const candidates = files.flatMap(candidatesOf);
  // Source files named like neither program: named in the "not found" message.
  const unnamed = files.filter((f) => languageOf(f) !== undefined && candidatesOf(f).length === 0);
  const primary = primaryKind(candidates);
  const chosen: Partial<Record<Side, Candidate>> = {};
  for (const side of ["server", "client"] as const) {
    if (found[side]) continue;
    if (manifest) notes.push(`${manifest.path} names no ${side} command: looked for one instead`);
    const taken = side === "client" ? chosen.server?.path : undefined;
    const mine = candidates.filter((c) => c.side === side && c.path !== taken)
      .sort((a, b) => compareCandidates(a, b, primary));
    chosen[side] = mine[0];
    if (mine.length > 1) {
      const others = mine.slice(1, 6).map((c) => c.path);
      const more = mine.length > 6 ? ` and ${mine.length - 6} more` : "";
      notes.push(`${side}: using ${mine[0]!.path} (also found ${others.join(", ")}${more})`);
    }
  }

  const makefile = shallowest(files, MAKEFILES);
  const makeDir = makefile === undefined ? undefined : posix.dirname(makefile);
  const madeByMake = (c: Candidate | undefined) =>
    c !== undefined && languageOf(c.path)?.madeByMake === true && contains(makeDir!, c.path);
  const useMake = makeDir !== undefined && !manifest &&
    (candidates.length === 0 || madeByMake(chosen.server) || madeByMake(chosen.client));
  for (const side of ["server", "client"] as const) {
    if (found[side]) continue;
    const c = chosen[side];
    if (useMake && (c === undefined || madeByMake(c))) {
      found[side] = { kind: "make", path: makefile! };
    } else if (c) {
      found[side] = { kind: c.kind, path: c.path };
    } else {
      missing[side] = missingMessage(side, unnamed);
    }
  }
  if (makefile !== undefined && !useMake && !manifest) {
    notes.push(`${makefile} was not used: it is not beside or above C/C++ sources`);
  }

  const kinds = [found.server?.kind, found.client?.kind].filter((k) => k !== undefined);
  const language: LanguageLabel = kinds.length === 0
    ? mostCommonKind(unnamed) ?? "unknown"
    : new Set(kinds).size === 1
    ? kinds[0]!
    : "mixed";
  return {
    root: dir,
    ...(found.server ? { server: found.server } : {}),
    ...(found.client ? { client: found.client } : {}),
    missing,
    ...(manifest ? { manifest } : {}),
    language,
    notes,
  };
}
