/**
 * For tests and the bench only: a generated class with planted copies. The originals are the
 * fixtures of `tests/fixtures/` that are not copies of one another (one per family: the corpus
 * is mostly one-mistake variants of a few programs); each planted copy is one of them disguised
 * (`_disguise.ts`: renamed, reformatted, functions reordered, comments rewritten). Two students
 * hand in the article's own example code, each adapted their own way.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { ARTICLE_CODE } from "./article_code.ts";
import { disguise } from "./_disguise.ts";
import { languageOfFile } from "./tokenize.ts";

/** The fixture corpus. */
export const FIXTURES_DIR = fileURLToPath(new URL("../../tests/fixtures", import.meta.url));
/** The bundled samples. */
export const SAMPLES_DIR = fileURLToPath(new URL("../../examples/submissions", import.meta.url));

/**
 * Fixtures that are not copies of one another: no two share a file, and none is a one-mistake
 * variant of another. (`c-hardcoded-article` reuses `c-correct`'s line splitting, renamed:
 * about 44 % in common, under the default threshold.)
 */
export const DISTINCT_FIXTURES = [
  "c-correct",
  "c-conn-per-message",
  "c-article-style",
  "c-hardcoded-article",
  "cpp-correct",
  "python-correct",
  "java-correct",
  "java-lone-producer",
  "ts-correct",
] as const;

/** The generated class. */
export interface PlantedClass {
  /** Every student, as `{ id, path }`. */
  submissions: { id: string; path: string }[];
  /** The planted pairs: [original, disguised copy]. */
  copies: [string, string][];
  /** The students who handed in the article's code. */
  articleBased: string[];
}

/** Copies a fixture's source files into `to`, disguised with `salt` when it is given. */
export async function copyFixture(from: string, to: string, salt?: string): Promise<void> {
  await Deno.mkdir(to, { recursive: true });
  for await (const entry of Deno.readDir(from)) {
    const language = entry.isFile ? languageOfFile(entry.name) : undefined;
    if (!language) continue;
    const text = await Deno.readTextFile(join(from, entry.name));
    await Deno.writeTextFile(
      join(to, entry.name),
      salt === undefined ? text : disguise(text, language, salt),
    );
  }
}

/**
 * Makes the class in `dir`: the distinct fixtures, a disguised copy of each of those named in
 * `copied` (default: every one but the article's), and a second article-based student.
 */
export async function makePlantedClass(
  dir: string,
  copied: readonly string[] = DISTINCT_FIXTURES.filter((f) => f !== "c-article-style"),
): Promise<PlantedClass> {
  const submissions: PlantedClass["submissions"] = [];
  const copies: PlantedClass["copies"] = [];
  for (const fixture of DISTINCT_FIXTURES) {
    await copyFixture(join(FIXTURES_DIR, fixture), join(dir, fixture));
    submissions.push({ id: fixture, path: join(dir, fixture) });
  }
  for (const [n, fixture] of copied.entries()) {
    const id = `copy-of-${fixture}`;
    await copyFixture(join(FIXTURES_DIR, fixture), join(dir, id), String(n));
    submissions.push({ id, path: join(dir, id) });
    copies.push([fixture, id]);
  }
  const adapted = join(dir, "article-adapted");
  await Deno.mkdir(adapted);
  const [server, client] = ARTICLE_CODE.map((c) =>
    c.text.replaceAll("htons(6666)", "htons(atoi(argv[2]))").replaceAll("argc != 2", "argc != 3")
  );
  await Deno.writeTextFile(join(adapted, "server.c"), `/* from the tutorial */\n${server}`);
  await Deno.writeTextFile(join(adapted, "client.c"), client!);
  submissions.push({ id: "article-adapted", path: adapted });
  return { submissions, copies, articleBased: ["c-article-style", "article-adapted"] };
}
