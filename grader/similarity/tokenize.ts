/**
 * Tokens for copy detection: one small lexer shared by every language of the language table
 * (`grader/submission/languages/`), each row's `lexicon` saying what its keywords, comments and
 * literals are. Comments, whitespace and C/C++ `#include` lines are dropped; identifiers that
 * are not keywords become `I`, string and character literals `S`, numbers `N`. What is left is
 * the shape of the code, which renaming, reformatting and rewording comments do not change.
 *
 * @example
 * ```ts
 * import { tokenize } from "./tokenize.ts";
 * const a = tokenize("int total = count + 1; // sum", "c").map((t) => t.text).join(" ");
 * const b = tokenize("int  n=\n  k+42;", "c").map((t) => t.text).join(" ");
 * if (a !== "int I = I + N ;" || a !== b) throw new Error(`${a} | ${b}`);
 * ```
 * @module
 */

import { languageById, LANGUAGES, type SourceKind } from "../submission/languages/mod.ts";
import type { Lexicon } from "../submission/languages/language.ts";

/** A language whose sources are compared: a row of the language table. */
export type SourceLanguage = SourceKind;

/** One token: its normalised text and the 1-based line it starts on. */
export interface Token {
  /** The keyword or operator as written, or `I` (identifier), `S` (literal text), `N` (number). */
  text: string;
  /** The line it starts on (1-based). */
  line: number;
}

/** Operators, longest first, so that the lexer takes the longest that fits. */
const OPERATORS = [
  ">>>=",
  "===",
  "!==",
  "...",
  "<<=",
  ">>=",
  ">>>",
  "**=",
  "//=",
  "->",
  "=>",
  "++",
  "--",
  "==",
  "!=",
  "<=",
  ">=",
  "&&",
  "||",
  "??",
  "?.",
  "::",
  "<<",
  ">>",
  "+=",
  "-=",
  "*=",
  "/=",
  "%=",
  "&=",
  "|=",
  "^=",
  "**",
  "//",
  ":=",
];

const KEYWORD_SETS = new Map<SourceLanguage, ReadonlySet<string>>();

/** The row's lexicon. */
function lexicon(language: SourceLanguage): Lexicon {
  return languageById(language).lexicon;
}

/** The language's keywords as a set, made once. */
function keywordSet(language: SourceLanguage): ReadonlySet<string> {
  let set = KEYWORD_SETS.get(language);
  if (!set) KEYWORD_SETS.set(language, set = new Set(lexicon(language).keywords));
  return set;
}

const IDENTIFIER = /[\p{L}_$][\p{L}\p{N}_$]*/uy;
const NUMBER = /(?:\d|\.\d)(?:[eEpP][+-]|[\w.])*/y;

/**
 * The tokens of `source` in `language`. Never throws: text it does not understand (an
 * unterminated literal, a stray character) becomes tokens too, so broken code is still compared.
 */
export function tokenize(source: string, language: SourceLanguage): Token[] {
  const table = lexicon(language);
  const keywords = keywordSet(language);
  const tokens: Token[] = [];
  let line = 1;
  let i = 0;
  const n = source.length;
  /** Moves `i` to `end`, counting the line breaks it passes. */
  const advance = (end: number) => {
    for (let j = i; j < end; j++) if (source.charCodeAt(j) === 10) line++;
    i = end;
  };
  const lineEnd = (from: number) => {
    const end = source.indexOf("\n", from);
    return end === -1 ? n : end;
  };
  while (i < n) {
    const c = source[i]!;
    if (c === "\n" || c === " " || c === "\t" || c === "\r" || c === "\f" || c === "\v") {
      advance(i + 1);
      continue;
    }
    if (table.slashComments && c === "/" && source[i + 1] === "/") {
      advance(lineEnd(i));
      continue;
    }
    if (table.slashComments && c === "/" && source[i + 1] === "*") {
      const end = source.indexOf("*/", i + 2);
      advance(end === -1 ? n : end + 2);
      continue;
    }
    if (c === "#" && table.hashComment) {
      advance(lineEnd(i));
      continue;
    }
    if (c === "#" && /^#\s*include\b/.test(source.slice(i, i + 40))) {
      advance(lineEnd(i));
      continue;
    }
    const start = line;
    if (table.stringPrefix) {
      table.stringPrefix.lastIndex = i;
      const prefix = table.stringPrefix.exec(source);
      if (prefix) {
        advance(i + prefix[0].length);
        advance(stringEnd(source, i, table));
        tokens.push({ text: "S", line: start });
        continue;
      }
    }
    if (table.quotes.includes(c)) {
      advance(stringEnd(source, i, table));
      tokens.push({ text: "S", line: start });
      continue;
    }
    NUMBER.lastIndex = i;
    const number = NUMBER.exec(source);
    if (number) {
      advance(i + number[0].length);
      tokens.push({ text: "N", line: start });
      continue;
    }
    IDENTIFIER.lastIndex = i;
    const word = IDENTIFIER.exec(source);
    if (word) {
      advance(i + word[0].length);
      tokens.push({ text: keywords.has(word[0]) ? word[0] : "I", line: start });
      continue;
    }
    const operator = OPERATORS.find((op) =>
      source.startsWith(op, i) && !(op === "//" && table.slashComments)
    ) ?? String.fromCodePoint(source.codePointAt(i)!);
    advance(i + operator.length);
    tokens.push({ text: operator, line: start });
  }
  return tokens;
}

/**
 * Where the literal that opens at `start` ends (the index after its closing quote, or the end of
 * the line for an unterminated one). Python and Java triple quotes span lines; so do TypeScript
 * template literals.
 */
function stringEnd(source: string, start: number, table: Lexicon): number {
  const quote = source[start]!;
  const triple = quote.repeat(3);
  const multiLine = quote === "`" ||
    (table.triple.includes(quote) && source.startsWith(triple, start));
  const close = multiLine && quote !== "`" ? triple : quote;
  let i = start + close.length;
  while (i < source.length) {
    const c = source[i]!;
    if (c === "\\") {
      i += 2;
      continue;
    }
    if (source.startsWith(close, i)) return i + close.length;
    if (c === "\n" && !multiLine) return i;
    i++;
  }
  return source.length;
}

/** The language of a source file by its name (its sources' or its other compared extensions). */
export function languageOfFile(name: string): SourceLanguage | undefined {
  const dot = name.lastIndexOf(".");
  if (dot === -1) return undefined;
  const extension = name.slice(dot).toLowerCase();
  return LANGUAGES.find((l) =>
    l.extensions.includes(extension) || l.lexicon.alsoCompared?.includes(extension)
  )?.id;
}

/** The family a language's fingerprints are seeded with (C and C++ compare as one). */
export function familyOf(language: SourceLanguage): string {
  return lexicon(language).family ?? language;
}

/** Whether `word` is a keyword of `language` (kept as written, not normalised to `I`). */
export function isKeyword(word: string, language: SourceLanguage): boolean {
  return keywordSet(language).has(word);
}
