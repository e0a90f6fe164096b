/**
 * C++: `c++ -Wall -Wextra -O1 -o server server.cpp`, started as `./server` under `stdbuf`; a
 * Makefile beside or above the sources builds them instead.
 *
 * @module
 */

import { buildNative } from "./_native.ts";
import { C_KEYWORDS } from "./c.ts";
import { language } from "./language.ts";

/** C++'s keywords: C's and its own. */
const CPP_KEYWORDS: readonly string[] = [
  ...C_KEYWORDS,
  "bool",
  "catch",
  "class",
  "delete",
  "false",
  "namespace",
  "new",
  "nullptr",
  "private",
  "protected",
  "public",
  "template",
  "this",
  "throw",
  "true",
  "try",
  "using",
  "virtual",
];

/** The C++ row. */
export const CPP = language({
  id: "cpp",
  name: "C++",
  extensions: [".cpp", ".cc", ".cxx", ".c++"],
  madeByMake: true,
  tools: ["c++"],
  onPath: true,
  cacheable: true,
  recipe: import.meta.url,
  lexicon: {
    keywords: CPP_KEYWORDS,
    alsoCompared: [".hpp", ".hh", ".hxx"],
    hashComment: false,
    slashComments: true,
    quotes: `"'`,
    triple: "",
    family: "c",
  },
  build: (ctx, path) => buildNative(ctx, path, "c++"),
});
