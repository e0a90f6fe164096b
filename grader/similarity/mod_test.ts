/**
 * Tests for copy detection on a class: planted copies are found, the distinct fixtures raise no
 * alarm, and the article's code is reported as such.
 *
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { detectCopies } from "./mod.ts";
import { FIXTURES_DIR, makePlantedClass, SAMPLES_DIR } from "./_planted_class.ts";

const pairKey = (a: string, b: string) => [a, b].sort().join(" ~ ");

Deno.test("detectCopies() finds the planted, disguised copies and nothing else", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const planted = await makePlantedClass(dir);
    const report = await detectCopies(planted.submissions);
    assert.deepEqual(
      report.pairs.map((p) => pairKey(p.a, p.b)).sort(),
      planted.copies.map(([a, b]) => pairKey(a, b)).sort(),
    );
    for (const pair of report.pairs) {
      assert.ok(pair.similarity >= 0.6, `${pair.a} ~ ${pair.b}: ${pair.similarity}`);
      assert.ok(pair.regions.length > 0);
    }
    assert.deepEqual(report.mostlyBase.sort(), planted.articleBased.sort());
    assert.equal(report.submissions.length, planted.submissions.length);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("detectCopies() shows a reordered copy as regions side by side, at their lines", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const planted = await makePlantedClass(dir, ["c-correct"]);
    const report = await detectCopies(planted.submissions);
    const pair = report.pairs.find((p) => p.b === "copy-of-c-correct");
    assert.ok(pair, "the copy was not found");
    const original = await Deno.readTextFile(join(FIXTURES_DIR, "c-correct/server.c"));
    const copy = await Deno.readTextFile(join(dir, "copy-of-c-correct/server.c"));
    const inServer = pair.regions.filter((r) => r.a.file === "server.c");
    assert.ok(inServer.length >= 2, "reordered functions should give several regions");
    for (const { a, b } of inServer) {
      assert.equal(b.file, "server.c");
      assert.equal(a.text, original.split("\n").slice(a.startLine - 1, a.endLine).join("\n"));
      assert.equal(b.text, copy.split("\n").slice(b.startLine - 1, b.endLine).join("\n"));
    }
    const order = inServer.map((r) => r.b.startLine);
    assert.notDeepEqual(order, [...order].sort((x, y) => x - y), "the copy's order is reversed");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/**
 * The corpus' families: a fixture is a one-mistake variant of its family's first program, so
 * two fixtures of one family are copies of each other. Fixtures of different families share no
 * code, except that the poll servers' fixtures reuse `c-correct`'s client file as it is.
 */
const FAMILIES: Readonly<Record<string, RegExp>> = {
  "the article's example": /^c-article-style$/,
  "threads, hard-coded addresses": /^c-hardcoded-article$/,
  "poll server": /^(c-conn-per-message|c-no-flush|c-flood-no-newline|c-spew-server)$/,
  // The transport fixtures were written from c-correct's skeleton too.
  "fork server (c-correct) and its transports":
    /^(c-.*|client-only|server-only|(alice|carol|dave|erin)-c-.*|udp-.*|unix-.*)$/,
  "C++": /^cpp-/,
  "Python": /^(python-.*|(bob|frank)-python-.*)$/,
  "Java producer": /^java-lone-producer$/,
  "Java": /^java-/,
  "TypeScript": /^ts-/,
  "Go": /^go-/,
  "Rust": /^rust-/,
};

function familyOf(id: string): string {
  const family = Object.entries(FAMILIES).find(([, pattern]) => pattern.test(id));
  assert.ok(family, `${id} has no family: add it to FAMILIES`);
  return family[0];
}

async function sharesAFile(a: string, b: string): Promise<boolean> {
  for await (const entry of Deno.readDir(a)) {
    if (!entry.isFile || entry.name === "expected.json") continue;
    const other = await Deno.readTextFile(join(b, entry.name)).catch(() => undefined);
    if (other === await Deno.readTextFile(join(a, entry.name))) return true;
  }
  return false;
}

Deno.test("detectCopies() raises no alarm across the corpus' families, and flags the article's code", async () => {
  const submissions: { id: string; path: string }[] = [];
  for (const root of [FIXTURES_DIR, SAMPLES_DIR]) {
    for await (const entry of Deno.readDir(root)) {
      if (entry.isDirectory) submissions.push({ id: entry.name, path: join(root, entry.name) });
    }
  }
  submissions.sort((a, b) => a.id < b.id ? -1 : 1);
  const report = await detectCopies(submissions);
  const path = new Map(submissions.map((s) => [s.id, s.path]));
  for (const pair of report.pairs) {
    if (familyOf(pair.a) === familyOf(pair.b)) continue;
    assert.ok(
      await sharesAFile(path.get(pair.a)!, path.get(pair.b)!),
      `false alarm: ${pair.a} ~ ${pair.b} (${pair.similarity})`,
    );
  }
  assert.deepEqual(report.mostlyBase, ["c-article-style"]);
  assert.ok(!report.pairs.some((p) => p.a === "c-article-style" || p.b === "c-article-style"));
  // The families themselves are found: a one-mistake variant is a copy.
  const found = new Set(report.pairs.map((p) => pairKey(p.a, p.b)));
  for (const [a, b] of [["c-correct", "c-nul-client"], ["python-correct", "python-no-flush"]]) {
    assert.ok(found.has(pairKey(a!, b!)), `${a} ~ ${b} not found`);
  }
});
