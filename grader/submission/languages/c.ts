/**
 * C: `cc -Wall -Wextra -O1 -o server server.c`, started as `./server` under `stdbuf`; a
 * Makefile beside or above the sources builds them instead.
 *
 * @module
 */

import { buildNative } from "./_native.ts";
import { language } from "./language.ts";

/** C's keywords (C++ extends them). */
export const C_KEYWORDS: readonly string[] = [
  "auto",
  "break",
  "case",
  "char",
  "const",
  "continue",
  "default",
  "do",
  "double",
  "else",
  "enum",
  "extern",
  "float",
  "for",
  "goto",
  "if",
  "int",
  "long",
  "register",
  "return",
  "short",
  "signed",
  "sizeof",
  "static",
  "struct",
  "switch",
  "typedef",
  "union",
  "unsigned",
  "void",
  "volatile",
  "while",
];

/** The C row. */
export const C = language({
  id: "c",
  name: "C",
  extensions: [".c"],
  madeByMake: true,
  tools: ["cc"],
  onPath: true,
  cacheable: true,
  recipe: import.meta.url,
  lexicon: {
    keywords: C_KEYWORDS,
    alsoCompared: [".h"],
    hashComment: false,
    slashComments: true,
    quotes: `"'`,
    triple: "",
  },
  build: (ctx, path) => buildNative(ctx, path, "cc"),
});
