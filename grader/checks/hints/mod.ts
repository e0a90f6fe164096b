/**
 * The hint catalogue: one wording per cause ({@linkcode HintCause}) and language, so a student is
 * told the fix in the language they wrote (a Python student never reads `fflush` or `htons`, a
 * Java student reads `readLine`, not `recv`). Every hint a check gives goes through
 * {@linkcode hint}.
 *
 * One module per language (`c.ts`, `python.ts`, …: one per row of the language table, named by
 * its id) overrides the language-neutral row of `causes.ts` where its own way differs; a
 * language sockgrade learns to build (a row of `submission/languages/mod.ts`) fails the type
 * check here until it has a module, and a module until it words every transport cause
 * (`TransportCause`). They stay here, not in `submission/languages/`: their causes
 * are the checks', and the submission stage does not import the checks. A program of unknown
 * language (a `submission.json` command) gets the neutral wording; one built by a Makefile gets
 * C's (the Makefiles sockgrade finds build C or C++).
 *
 * @example
 * ```ts
 * import { hint } from "./mod.ts";
 * const c = hint("server.wrong-port", "c");
 * const py = hint("server.wrong-port", "python");
 * if (!c.includes("htons") || py.includes("htons") || !py.includes("sys.argv[2]")) {
 *   throw new Error(`${c} / ${py}`);
 * }
 * if (!hint("pair.too-many", "java", { response: '"R"', trigger: '"T"' }).includes('"T"')) {
 *   throw new Error("placeholders are filled");
 * }
 * ```
 * @module
 */

import type { SourceKind } from "../../submission/discover.ts";
import { C_HINTS } from "./c.ts";
import { GENERIC, type HintCause, type LanguageHints } from "./causes.ts";
import { CPP_HINTS } from "./cpp.ts";
import { GO_HINTS } from "./go.ts";
import { JAVA_HINTS } from "./java.ts";
import { PYTHON_HINTS } from "./python.ts";
import { RUST_HINTS } from "./rust.ts";
import { TYPESCRIPT_HINTS } from "./typescript.ts";

export type { HintCause } from "./causes.ts";

/** Each language's own wordings, by the language's `SourceKind`. */
export const LANGUAGE_HINTS: Readonly<Record<SourceKind, LanguageHints>> = {
  c: C_HINTS,
  cpp: CPP_HINTS,
  python: PYTHON_HINTS,
  java: JAVA_HINTS,
  typescript: TYPESCRIPT_HINTS,
  go: GO_HINTS,
  rust: RUST_HINTS,
};

/**
 * The language whose wordings a program of `kind` (a `ProgramKind`: a language's id, `make` or
 * `manifest`) gets, or undefined for the neutral ones.
 */
export function hintLanguage(kind: string | undefined): SourceKind | undefined {
  if (kind === "make") return "c";
  return kind !== undefined && Object.hasOwn(LANGUAGE_HINTS, kind) ? kind as SourceKind : undefined;
}

/**
 * The hint for `cause` in the language of a program of `kind` (neutral when unknown), with
 * every `{name}` placeholder replaced by `vars[name]`.
 */
export function hint(
  cause: HintCause,
  kind: string | undefined,
  vars: Readonly<Record<string, string | number>> = {},
): string {
  const language = hintLanguage(kind);
  const template = (language ? LANGUAGE_HINTS[language][cause] : undefined) ?? GENERIC[cause];
  return template.replace(
    /\{(\w+)\}/g,
    (all, name: string) => name in vars ? String(vars[name]) : all,
  );
}
