/**
 * The fixture corpus: every folder in tests/fixtures is a student-style submission with an
 * `expected.json` naming the status each check must get. The whole corpus is graded once in the
 * private namespace (fixtures that hard-code the article's addresses may run nowhere else, so
 * this test fails, never falls back, when namespaces cannot be made); then each fixture's
 * statuses are compared, the words its messages and hints must (`words`) and must not
 * (`absent`) contain, and its language label when it names one, and no process may be left
 * behind.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { grade } from "../grader/grade.ts";
import { CHECK_IDS } from "../grader/checks_catalogue.ts";
import { DEFAULT_SPEC } from "../grader/spec.ts";
import type { CheckStatus } from "../grader/result.ts";
import { leftoverProcesses } from "./_helpers/leftovers.ts";

const FIXTURES = fileURLToPath(new URL("./fixtures", import.meta.url));

interface Expected {
  description: string;
  isolation: "any" | "netns-only";
  checks: Record<string, CheckStatus>;
  /** The result's language label. */
  language?: string;
  /** Per check id: words its message and hint together must contain (case-sensitive). */
  words?: Record<string, string[]>;
  /** Per check id: words its message and hint must not contain. */
  absent?: Record<string, string[]>;
}

async function loadFixtures(): Promise<{ name: string; path: string; expected: Expected }[]> {
  const fixtures = [];
  for await (const entry of Deno.readDir(FIXTURES)) {
    if (!entry.isDirectory) continue;
    const path = join(FIXTURES, entry.name);
    const expected = JSON.parse(await Deno.readTextFile(join(path, "expected.json"))) as Expected;
    fixtures.push({ name: entry.name, path, expected });
  }
  return fixtures.sort((a, b) => a.name.localeCompare(b.name));
}

Deno.test("every check id is expected to pass in one fixture and to fail in another", async () => {
  const fixtures = await loadFixtures();
  for (const id of CHECK_IDS) {
    const statuses = new Set(fixtures.map((f) => f.expected.checks[id]));
    assert.ok(statuses.has("pass"), `no fixture expects ${id} to pass`);
    assert.ok(statuses.has("fail"), `no fixture expects ${id} to fail`);
  }
  for (const f of fixtures) {
    assert.deepEqual(Object.keys(f.expected.checks).sort(), [...CHECK_IDS].sort(), f.name);
  }
});

Deno.test("the fixture corpus gets its expected statuses in the private namespace", async (t) => {
  const fixtures = await loadFixtures();
  const result = await grade(
    fixtures.map((f) => ({ id: f.name, path: f.path })),
    structuredClone(DEFAULT_SPEC),
    { isolation: "netns", jobs: 2 },
  );
  assert.equal(result.isolation, "netns");
  for (const [i, fixture] of fixtures.entries()) {
    await t.step(fixture.name, () => {
      const submission = result.submissions[i]!;
      const got = Object.fromEntries(submission.checks.map((c) => [c.id, c.status]));
      const mismatches = CHECK_IDS.filter((id) => got[id] !== fixture.expected.checks[id])
        .map((id) => {
          const check = submission.checks.find((c) => c.id === id)!;
          return `${id}: expected ${fixture.expected.checks[id]}, got ${
            got[id]
          } (${check.message})`;
        });
      for (const [id, words] of Object.entries(fixture.expected.words ?? {})) {
        const check = submission.checks.find((c) => c.id === id)!;
        const said = `${check.message} ${check.hint ?? ""}`;
        for (const word of words) {
          if (!said.includes(word)) mismatches.push(`${id}: no "${word}" in: ${said}`);
        }
      }
      for (const [id, words] of Object.entries(fixture.expected.absent ?? {})) {
        const check = submission.checks.find((c) => c.id === id)!;
        const said = `${check.message} ${check.hint ?? ""}`;
        for (const word of words) {
          if (said.includes(word)) mismatches.push(`${id}: "${word}" should not be in: ${said}`);
        }
      }
      if (fixture.expected.language && submission.language !== fixture.expected.language) {
        mismatches.push(
          `language: expected ${fixture.expected.language}, got ${submission.language}`,
        );
      }
      assert.deepEqual(mismatches, [], `${fixture.name}: ${fixture.expected.description}`);
    });
  }
  assert.deepEqual(await leftoverProcesses(), [], "processes left after grading");
});
