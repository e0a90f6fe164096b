/**
 * The fixture corpus: every folder in tests/fixtures is a student-style submission with an
 * `expected.json` naming the status each check must get. The whole corpus is graded once in the
 * private namespace (this test fails, never falls back, when namespaces cannot be made), and once
 * on host loopback with the socket interposer (`--isolation none`, as in a container without
 * user namespaces), by a grader started inside a network namespace the test makes
 * (`unshare -rn`, only `lo`): so no packet of a fixture can leave the machine in either run.
 * Each fixture's statuses are compared (on loopback with `checksOnLoopback` where a fixture
 * documents a difference); in the namespace also the words its messages and hints must (`words`)
 * and must not (`absent`) contain, and its language label when it names one; and no process may
 * be left behind.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { grade } from "../grader/grade.ts";
import { CHECK_IDS } from "../grader/checks_catalogue.ts";
import { DEFAULT_SPEC } from "../grader/spec.ts";
import type { CheckStatus, GradeResult, SubmissionResult } from "../grader/result.ts";
import { leftoverProcesses } from "./_helpers/leftovers.ts";

const FIXTURES = fileURLToPath(new URL("./fixtures", import.meta.url));

interface Expected {
  description: string;
  isolation: "any" | "netns-only";
  checks: Record<string, CheckStatus>;
  /** The statuses on host loopback, where they differ by design (documented in the README). */
  checksOnLoopback?: Record<string, CheckStatus>;
  /** The result's language label. */
  language?: string;
  /** Per check id: words its message and hint together must contain (case-sensitive). */
  words?: Record<string, string[]>;
  /** Per check id: words its message and hint must not contain. */
  absent?: Record<string, string[]>;
}

/** The words a submission's messages and hints lack or hold against `expected`, as lines. */
function wordMismatches(submission: SubmissionResult, expected: Expected): string[] {
  const wrong: string[] = [];
  const said = (id: string) => {
    const check = submission.checks.find((c) => c.id === id)!;
    return `${check.message} ${check.hint ?? ""}`;
  };
  for (const [id, words] of Object.entries(expected.words ?? {})) {
    for (const word of words) {
      if (!said(id).includes(word)) wrong.push(`${id}: no "${word}" in: ${said(id)}`);
    }
  }
  for (const [id, words] of Object.entries(expected.absent ?? {})) {
    for (const word of words) {
      if (said(id).includes(word)) wrong.push(`${id}: "${word}" should not be in: ${said(id)}`);
    }
  }
  if (expected.language && submission.language !== expected.language) {
    wrong.push(`language: expected ${expected.language}, got ${submission.language}`);
  }
  return wrong;
}

/** The mismatches between a graded submission and the expected statuses, as lines. */
function mismatches(submission: SubmissionResult, expected: Record<string, CheckStatus>): string[] {
  const got = Object.fromEntries(submission.checks.map((c) => [c.id, c.status]));
  return CHECK_IDS.filter((id) => got[id] !== expected[id]).map((id) => {
    const check = submission.checks.find((c) => c.id === id)!;
    return `${id}: expected ${expected[id]}, got ${got[id]} (${check.message})`;
  });
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
      const wrong = [
        ...mismatches(result.submissions[i]!, fixture.expected.checks),
        ...wordMismatches(result.submissions[i]!, fixture.expected),
      ];
      assert.deepEqual(wrong, [], `${fixture.name}: ${fixture.expected.description}`);
    });
  }
  assert.deepEqual(await leftoverProcesses(), [], "processes left after grading");
});

/**
 * Grades `paths` with `--isolation none` in a network namespace of its own (only `lo`), as a
 * separate grader process, and returns its JSON result.
 */
async function gradeOnLoopback(paths: string[]): Promise<GradeResult> {
  for (const [tool, pkg] of [["unshare", "util-linux"], ["ip", "iproute2"]] as const) {
    const found = await new Deno.Command("sh", { args: ["-c", `command -v ${tool}`] }).output();
    if (!found.success) throw new Error(`This test needs ${tool}: install ${pkg}.`);
  }
  const main = fileURLToPath(new URL("../main.ts", import.meta.url));
  const out = await new Deno.Command("unshare", {
    args: [
      "-rn",
      "sh",
      "-c",
      'ip link set lo up && exec "$@"',
      "sh",
      Deno.execPath(),
      "run",
      "-A",
      main,
      "grade",
      "--isolation",
      "none",
      "--jobs",
      "2",
      "-q",
      "--json",
      "-",
      ...paths,
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  assert.ok(out.success, `the grader failed on loopback: ${stderr}`);
  return JSON.parse(new TextDecoder().decode(out.stdout)) as GradeResult;
}

Deno.test("the fixture corpus gets the same statuses on host loopback with the socket interposer", async (t) => {
  const fixtures = await loadFixtures();
  const result = await gradeOnLoopback(fixtures.map((f) => f.path));
  assert.equal(result.isolation, "none");
  assert.match(result.isolationReason ?? "", /socket interposer/);
  for (const [i, fixture] of fixtures.entries()) {
    await t.step(fixture.name, () => {
      const expected = fixture.expected.checksOnLoopback ?? fixture.expected.checks;
      const wrong = mismatches(result.submissions[i]!, expected);
      assert.deepEqual(wrong, [], `${fixture.name}: ${fixture.expected.description}`);
    });
  }
  await t.step("a refused address is named in the check that needed it", () => {
    const remote = result.submissions[fixtures.findIndex((f) => f.name === "c-remote-at-runtime")]!;
    const connects = remote.checks.find((c) => c.id === "client.connects")!;
    assert.match(connects.message, /your client tried to reach 10\.0\.0\.1:6666/);
    assert.match(connects.message, /192\.168\.100\.168:6666/); // told as in the namespace
  });
  await t.step("a static program's checks are error with the reason, never charged", () => {
    const fixture = fixtures.findIndex((f) => f.name === "c-static-build");
    const staticBuild = result.submissions[fixture]!;
    const starts = staticBuild.checks.find((c) => c.id === "server.starts")!;
    assert.match(starts.message, /server is statically linked/);
    assert.equal(staticBuild.score, staticBuild.maxScore);
  });
  assert.deepEqual(await leftoverProcesses(), [], "processes left after grading");
});
