/**
 * The language table: every language sockgrade builds from source files, one row each, in the
 * order detection prefers them when a submission has candidates in several (C, C++, Java,
 * Python, TypeScript, Go, Rust). Detection (`discover.ts`), building (`build.ts`), the toolchain
 * lookup, the build cache's key, copy detection's lexer (`grader/similarity/tokenize.ts`), the
 * hints (`grader/checks/hints/mod.ts`, one module per `id`) and the README's list all derive from
 * it. Adding a language is one module here (see `language.ts` for what a row says), one row
 * below, and its hint module.
 *
 * @example
 * ```ts
 * import { languageOf, LANGUAGES } from "./mod.ts";
 * if (languageOf("src/server.cc")?.id !== "cpp") throw new Error("C++ by extension");
 * if (!LANGUAGES.some((l) => l.id === "java")) throw new Error("Java is a row");
 * ```
 * @module
 */

import { posix } from "node:path";
import { C } from "./c.ts";
import { CPP } from "./cpp.ts";
import { GO } from "./go.ts";
import { JAVA } from "./java.ts";
import type { Language, Side } from "./language.ts";
import { PYTHON } from "./python.ts";
import { RUST } from "./rust.ts";
import { TYPESCRIPT } from "./typescript.ts";

export type { Language } from "./language.ts";

/** Every language, in detection's order of preference. */
export const LANGUAGES = [C, CPP, JAVA, PYTHON, TYPESCRIPT, GO, RUST] as const;

/** A language sockgrade builds from source files: a row's `id`. */
export type SourceKind = (typeof LANGUAGES)[number]["id"];

/** The row of `id`. */
export function languageById(id: SourceKind): Language<SourceKind> {
  return LANGUAGES.find((l) => l.id === id)!;
}

/** The language of a source file, by its extension (case-insensitive), if sockgrade builds it. */
export function languageOf(path: string): Language<SourceKind> | undefined {
  const base = posix.basename(path).toLowerCase();
  if (base.endsWith(".d.ts")) return undefined;
  const ext = posix.extname(base);
  return ext === "" ? undefined : LANGUAGES.find((l) => l.extensions.includes(ext));
}

/** The name a side's source file has in `language` (`server.c`, `Server.java`). */
export function sourceName(language: Language, side: Side): string {
  return language.fileName?.(side) ?? `${side}${language.extensions[0]}`;
}
