import assert from "node:assert/strict";
import { GENERIC, type HintCause } from "./causes.ts";
import { hint, hintLanguage, LANGUAGE_HINTS } from "./mod.ts";

/** Words that only make sense in C or C++ (the C library, POSIX calls by their C names). */
const C_WORDS =
  /\b(fflush|htons|strcmp|strncmp|strcasecmp|strstr|inet_pton|inet_ntop|perror|printf|fprintf|setvbuf|sizeof|strlen|(?<!sys\.)argv|INADDR_ANY|memset|EXIT_FAILURE)\b/;
/** Words of one language that must not reach another. */
const FOREIGN: Record<string, RegExp> = {
  python: /\b(System\.|Deno\.|std::|args\[|readLine)\b|\bfflush|htons|strcmp|inet_pton|perror/,
  java:
    /\b(sys\.argv|Deno\.|std::|print\(|sendall|makefile)\b|\bfflush|htons|strcmp|inet_pton|perror/,
  typescript:
    /\b(sys\.argv|System\.|std::|sendall|readLine)\b|\bfflush|htons|strcmp|inet_pton|perror/,
};
const CAUSES = Object.keys(GENERIC) as HintCause[];

Deno.test("the generic hints name no function of one language", () => {
  for (const cause of CAUSES) assert.doesNotMatch(GENERIC[cause], C_WORDS, cause);
});

Deno.test("a Python, Java or TypeScript student is never told C's way", () => {
  for (const [language, foreign] of Object.entries(FOREIGN)) {
    for (const cause of CAUSES) {
      const text = hint(cause, language as "python");
      assert.doesNotMatch(text, C_WORDS, `${language} ${cause}: ${text}`);
      assert.doesNotMatch(text, foreign, `${language} ${cause}: ${text}`);
    }
  }
});

Deno.test("every language module overrides only known causes", () => {
  for (const [language, table] of Object.entries(LANGUAGE_HINTS)) {
    for (const cause of Object.keys(table)) assert.ok(cause in GENERIC, `${language}: ${cause}`);
  }
});

Deno.test("hint() speaks the program's language, C for a Makefile, neutral for a manifest", () => {
  assert.match(hint("server.output-flush", "c"), /fflush\(stdout\)/);
  assert.match(hint("server.output-flush", "make"), /fflush\(stdout\)/);
  assert.match(hint("server.output-flush", "python"), /flush=True/);
  assert.match(hint("server.output-flush", "cpp"), /std::endl/);
  assert.equal(hint("server.output-flush", "manifest"), GENERIC["server.output-flush"]);
  assert.equal(hintLanguage(undefined), undefined);
  assert.match(hint("server.not-listening", "java", { port: 6666 }), /here 6666/);
});
