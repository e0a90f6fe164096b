/**
 * Copy detection from the command line: `grade` on a small class with a planted, disguised copy
 * and an article-based submission writes the `similarity` section and the HTML copies section,
 * never changes a score, honours `--similarity-threshold`, `--similarity-base` and
 * `--no-similarity`, and refuses bad values with a one-line usage error.
 *
 * The submissions' files are named so that no program is found (`homework.c`, `part2.c`): their
 * builds fail at once, nothing of theirs runs, and each grading run takes seconds.
 *
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { GradeResult } from "../grader/result.ts";
import { ARTICLE_CODE } from "../grader/similarity/article_code.ts";
import { disguise } from "../grader/similarity/_disguise.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const FIXTURES = join(ROOT, "tests/fixtures");

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `deno run -A main.ts <args>` with no stdin and piped output. */
async function sockgrade(args: string[]): Promise<Ran> {
  const env = Deno.env.toObject();
  delete env.INIT_CWD;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", join(ROOT, "main.ts"), ...args],
    cwd: ROOT,
    clearEnv: true,
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  return { code: out.code, stdout: text.decode(out.stdout), stderr: text.decode(out.stderr) };
}

const describe = (ran: Ran) =>
  `exit ${ran.code}\n--- stdout\n${ran.stdout}\n--- stderr\n${ran.stderr}`;

/** ann: c-correct's code; ben: ann's disguised; cat: the article's code; dan: Python. */
async function makeClass(dir: string): Promise<string[]> {
  const write = async (id: string, name: string, text: string) => {
    await Deno.mkdir(join(dir, id), { recursive: true });
    await Deno.writeTextFile(join(dir, id, name), text);
  };
  const server = await Deno.readTextFile(join(FIXTURES, "c-correct/server.c"));
  const client = await Deno.readTextFile(join(FIXTURES, "c-correct/client.c"));
  await write("ann", "homework.c", server);
  await write("ann", "part2.c", client);
  await write("ben", "homework.c", disguise(server, "c", "b"));
  await write("ben", "part2.c", disguise(client, "c", "b"));
  await write("cat", "homework.c", ARTICLE_CODE[0]!.text);
  await write("cat", "part2.c", ARTICLE_CODE[1]!.text);
  await write(
    "dan",
    "homework.py",
    await Deno.readTextFile(join(FIXTURES, "python-correct/server.py")),
  );
  return ["ann", "ben", "cat", "dan"].map((id) => join(dir, id));
}

async function readResult(path: string): Promise<GradeResult> {
  return JSON.parse(await Deno.readTextFile(path)) as GradeResult;
}

const scores = (r: GradeResult) =>
  r.submissions.map((s) => [s.id, s.score, s.checks.map((c) => c.status)]);

Deno.test("grade lists the disguised copy and the article-based submission, and scores stay the same", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const students = await makeClass(join(dir, "class"));
    const json = join(dir, "result.json");
    const html = join(dir, "html");
    const ran = await sockgrade(["grade", ...students, "--json", json, "--html", html, "-j", "2"]);
    assert.equal(ran.code, 0, describe(ran));
    assert.match(ran.stderr, /copy detection: 1 pair of submissions at least 60 % alike, 1 mostly/);
    const result = await readResult(json);
    const similarity = result.similarity!;
    assert.deepEqual(similarity.pairs.map((p) => [p.a, p.b]), [["ann", "ben"]]);
    assert.ok(similarity.pairs[0]!.similarity >= 0.6);
    assert.deepEqual(similarity.mostlyBase, ["cat"]);
    assert.deepEqual(similarity.submissions.map((s) => s.files), [
      ["homework.c", "part2.c"],
      ["homework.c", "part2.c"],
      ["homework.c", "part2.c"],
      ["homework.py"],
    ]);
    const index = await Deno.readTextFile(join(html, "index.html"));
    assert.match(index, /<h2 id="copies">Copies<\/h2>/);
    assert.match(index, /ann ~ ben: \d+ % alike/);

    const off = join(dir, "off.json");
    const plain = await sockgrade(["grade", ...students, "--json", off, "--no-similarity", "-q"]);
    assert.equal(plain.code, 0, describe(plain));
    const without = await readResult(off);
    assert.equal(without.similarity, undefined);
    assert.deepEqual(scores(without), scores(result), "copy detection changed a score");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("grade --similarity-threshold and --similarity-base change what is listed", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const students = await makeClass(join(dir, "class"));
    const json = join(dir, "result.json");
    const strict = await sockgrade([
      "grade",
      ...students,
      "--json",
      json,
      "-q",
      "--similarity-threshold",
      "99.9%",
    ]);
    assert.equal(strict.code, 0, describe(strict));
    assert.deepEqual((await readResult(json)).similarity!.pairs, []);

    // ann's code handed out as starter code: ann and ben are now "mostly the starter code".
    const starter = join(students[0]!);
    const based = await sockgrade([
      "grade",
      ...students,
      "--json",
      json,
      "-q",
      "--similarity-base",
      starter,
    ]);
    assert.equal(based.code, 0, describe(based));
    const similarity = (await readResult(json)).similarity!;
    assert.deepEqual(similarity.pairs, []);
    assert.deepEqual(similarity.mostlyBase, ["ann", "ben", "cat"]);
    assert.match(similarity.base.at(-1)!, /^starter code in .* \(2 source files\)$/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("grade refuses a bad threshold or starter folder before grading, in one line", async (t) => {
  const cases: [string[], RegExp][] = [
    [
      ["--similarity-threshold", "1.5"],
      /^sockgrade: --similarity-threshold takes a share above 0 and at most 1 .*"1\.5"\.\n$/,
    ],
    [["--similarity-threshold", "0"], /--similarity-threshold takes a share/],
    [
      ["--similarity-base", "/nonexistent/starter"],
      /^sockgrade: --similarity-base \/nonexistent\/starter is not a folder\. Give the folder that holds the starter code\.\n$/,
    ],
  ];
  for (const [args, message] of cases) {
    await t.step(args.join(" "), async () => {
      const ran = await sockgrade(["grade", join(FIXTURES, "c-correct"), ...args]);
      assert.equal(ran.code, 2, describe(ran));
      assert.match(ran.stderr, message);
    });
  }
});
