/**
 * What a language sockgrade builds from source files must say about itself: one row of the
 * language table (`mod.ts`). Everything language-specific lives in the language's own module
 * (`c.ts`, `java.ts`, …): its file names, how its sources are found, built and started, what the
 * build cache must know, and how its compiler reports errors. Its hints (the wording a student
 * reads) live with the checks, in `grader/checks/hints/<id>.ts`, keyed by `id`.
 *
 * @module
 */

import type { SideBuild } from "../build_outcome.ts";
import type { BuildContext, ProgramPlan, Side } from "../_steps.ts";
import type { ToolNeeds } from "../_toolchain.ts";

export type { BuildContext, ProgramPlan, Side } from "../_steps.ts";

/** One language: a row of the table in `mod.ts`. */
export interface Language<Id extends string = string> extends ToolNeeds {
  /** The language's label (`Detection.language`, the result's `language`, the hints' key). */
  id: Id;
  /** What a student calls it (`C++`), in messages. */
  name: string;
  /** Source file extensions, lower-case with the dot; the first is the one named in messages. */
  extensions: readonly string[];
  /** The name a side's source file has (`server.c`, `Server.java`); default: side + extension. */
  fileName?(side: Side): string;
  /**
   * Folders (relative, lower-case) that hold its sources although detection skips folders of
   * their name as build outputs: Cargo's `src/bin`.
   */
  sourceDirs?: readonly string[];
  /** Whether a Makefile beside or above its sources builds them instead (C and C++). */
  madeByMake?: boolean;
  /**
   * Whether its builds read nothing outside the workspace and the toolchain, so the build cache
   * may restore them (not TypeScript: `deno install` fills a module cache).
   */
  cacheable: boolean;
  /** The module that decides its build commands (`import.meta.url`): part of the cache key. */
  recipe: string;
  /**
   * Builds one side from its source file `path` (relative to the workspace, with `/`) inside the
   * workspace. Never throws for a student's mistake: a compile error is `ok: false` with the
   * first error as the message and the whole output as evidence.
   */
  build(ctx: BuildContext, path: string, side: Side): Promise<SideBuild>;
  /** How copy detection reads its sources (`grader/similarity/tokenize.ts`). */
  lexicon: Lexicon;
  /**
   * How its programs' output is made line buffered, for a `submission.json` command whose
   * program name matches `runtime` (e.g. `python3`); default `stdbuf`.
   */
  manifest?: {
    runtime: RegExp;
    buffering: Pick<ProgramPlan, "lineBuffering" | "lineBufferingEnv">;
  };
}

/** How copy detection reads a language's sources: what is a keyword, a comment, a literal. */
export interface Lexicon {
  /** Words kept as written; every other identifier becomes `I`. */
  keywords: readonly string[];
  /** Extensions (lower-case, with the dot) of further files compared: headers such as `.h`. */
  alsoCompared?: readonly string[];
  /** Whether `#` starts a comment (Python) rather than a preprocessor line (C, C++). */
  hashComment: boolean;
  /** Whether `//` and `/* … *\/` are comments. */
  slashComments: boolean;
  /** Quote characters that open a string or character literal. */
  quotes: string;
  /** Quote characters that, tripled, open a literal spanning lines (Python, Java text blocks). */
  triple: string;
  /** A literal's prefix (Python's `rb`, Rust's `b`), as a sticky pattern that ends at the quote. */
  stringPrefix?: RegExp;
  /** Languages of one family compare as one (C and C++): its name; default the row's `id`. */
  family?: string;
}

/** Declares a language, keeping its `id` as a literal type (the table's ids become a union). */
export function language<const Id extends string>(row: Language<Id>): Language<Id> {
  return row;
}
