import assert from "node:assert/strict";
import { languageOf, LANGUAGES, sourceName } from "./mod.ts";

Deno.test("every row has its own id, name and extensions, and is found by its file names", () => {
  const ids = LANGUAGES.map((l) => l.id);
  assert.equal(new Set(ids).size, ids.length);
  const extensions = LANGUAGES.flatMap((l) => l.extensions);
  assert.equal(new Set(extensions).size, extensions.length, "an extension names one language");
  for (const language of LANGUAGES) {
    for (const ext of language.extensions) assert.match(ext, /^\.[a-z0-9+]+$/, language.id);
    for (const side of ["server", "client"] as const) {
      assert.equal(languageOf(`hw/${sourceName(language, side)}`), language, language.id);
    }
    assert.ok(new URL(language.recipe).pathname.endsWith(`/${language.id}.ts`), language.recipe);
  }
  assert.equal(languageOf("types.d.ts"), undefined);
  assert.equal(languageOf("Makefile"), undefined);
});

Deno.test("every row has a line in the README's submission contract", async () => {
  const readme = await Deno.readTextFile(new URL("../../../README.md", import.meta.url));
  const contract = readme.slice(readme.indexOf("### The submission contract"));
  for (const language of LANGUAGES) {
    const files = `| \`${sourceName(language, "server")}\`, \`${sourceName(language, "client")}\``;
    assert.ok(contract.includes(files), `README's contract table has no row ${files}`);
  }
});
