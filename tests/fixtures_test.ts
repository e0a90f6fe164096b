/**
 * The fixture corpus: every folder in tests/fixtures is a student-style submission with an
 * `expected.json` naming the status each check must get. The whole corpus is graded once in the
 * private namespace (this test fails, never falls back, when namespaces cannot be made), and once
 * on host loopback with the socket interposer (`--isolation none`, as in a container without
 * user namespaces), by a grader started inside a network namespace the test makes
 * (`unshare -rn`, only `lo`), and once in the container stand-in (`tests/_helpers/container_like.sh`,
 * E3: root without nested user namespaces, so host loopback, the interposer and dedicated users):
 * so no packet of a fixture can leave the machine in any run. Each fixture's statuses are
 * compared (on loopback and in the stand-in with `checksOnLoopback` where a fixture documents a
 * difference), in the namespace also the words its messages and hints must (`words`) and must
 * not (`absent`) contain and its language label, and no process may be left behind.
 *
 * A fixture's `spec` (a partial spec, e.g. `{ "transport": "udp" }`) is what it is graded with;
 * fixtures without one get the default spec. Fixtures sharing a spec are graded in one run, and
 * the runs' results are put back in the corpus's order. `SOCKGRADE_FIXTURES=a,b` grades only
 * the named fixtures (the test that looks at the whole corpus's expectations still reads them all).
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { grade } from "../grader/run/grade.ts";
import { CHECK_IDS } from "../grader/checks/catalogue.ts";
import { DEFAULT_SPEC, type Spec, specFromValue } from "../grader/spec.ts";
import type { CheckStatus, GradeResult, SubmissionResult } from "../grader/result.ts";
import { requireRootWithUnshare } from "./_helpers/containment.ts";
import {
  dedicatedUserProcesses,
  leftoverProcesses,
  processesBefore,
} from "./_helpers/leftovers.ts";

const FIXTURES = fileURLToPath(new URL("./fixtures", import.meta.url));

interface Expected {
  description: string;
  isolation: "any" | "netns-only";
  /** The spec fields the fixture is graded with (a partial spec, as in a `--spec` file). */
  spec?: Record<string, unknown>;
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

/** What a graded submission says against a fixture's `words`, `absent` and `language`. */
function sayingMismatches(submission: SubmissionResult, expected: Expected): string[] {
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

/** One fixture folder and its expectations. */
interface Fixture {
  name: string;
  path: string;
  expected: Expected;
}

async function loadAllFixtures(): Promise<Fixture[]> {
  const fixtures = [];
  for await (const entry of Deno.readDir(FIXTURES)) {
    if (!entry.isDirectory) continue;
    const path = join(FIXTURES, entry.name);
    const expected = JSON.parse(await Deno.readTextFile(join(path, "expected.json"))) as Expected;
    fixtures.push({ name: entry.name, path, expected });
  }
  return fixtures.sort((a, b) => a.name.localeCompare(b.name));
}

/** The fixtures to grade: all, or those `SOCKGRADE_FIXTURES` names (an unknown name fails). */
async function loadFixtures(): Promise<Fixture[]> {
  const all = await loadAllFixtures();
  const chosen = Deno.env.get("SOCKGRADE_FIXTURES")?.split(",").map((n) => n.trim()).filter(
    Boolean,
  );
  if (!chosen?.length) return all;
  const unknown = chosen.filter((name) => !all.some((f) => f.name === name));
  assert.deepEqual(unknown, [], "SOCKGRADE_FIXTURES names fixtures that do not exist");
  return all.filter((f) => chosen.includes(f.name));
}

/** A fixture's spec: its `spec` fields over the defaults, validated as a `--spec` file is. */
function specOf(fixture: Fixture): Spec {
  return fixture.expected.spec === undefined
    ? structuredClone(DEFAULT_SPEC)
    : specFromValue(fixture.expected.spec, `${fixture.name}/expected.json's spec`);
}

/**
 * Grades `fixtures` with `gradeGroup`, once per distinct spec (fixtures without one together),
 * and returns the submissions' results in the order of `fixtures`.
 */
async function gradeBySpec(
  fixtures: Fixture[],
  gradeGroup: (group: Fixture[], spec: Fixture["expected"]["spec"]) => Promise<GradeResult>,
): Promise<{ results: GradeResult[]; submissions: SubmissionResult[] }> {
  const groups = new Map<string, Fixture[]>();
  for (const fixture of fixtures) {
    const key = JSON.stringify(fixture.expected.spec ?? null);
    groups.set(key, [...(groups.get(key) ?? []), fixture]);
  }
  const results: GradeResult[] = [];
  const byName = new Map<string, SubmissionResult>();
  for (const group of groups.values()) {
    const result = await gradeGroup(group, group[0]!.expected.spec);
    results.push(result);
    for (const [i, fixture] of group.entries()) byName.set(fixture.name, result.submissions[i]!);
  }
  return { results, submissions: fixtures.map((f) => byName.get(f.name)!) };
}

Deno.test("every check id is expected to pass in one fixture and to fail in another", async () => {
  const fixtures = await loadAllFixtures();
  for (const id of CHECK_IDS) {
    const statuses = new Set(fixtures.map((f) => f.expected.checks[id]));
    assert.ok(statuses.has("pass"), `no fixture expects ${id} to pass`);
    assert.ok(statuses.has("fail"), `no fixture expects ${id} to fail`);
  }
  for (const f of fixtures) {
    assert.deepEqual(Object.keys(f.expected.checks).sort(), [...CHECK_IDS].sort(), f.name);
    specOf(f); // a fixture's spec must be one the grader accepts
  }
});

Deno.test("the fixture corpus gets its expected statuses in the private namespace", async (t) => {
  const others = await processesBefore();
  const fixtures = await loadFixtures();
  const { results, submissions } = await gradeBySpec(
    fixtures,
    (group) =>
      grade(group.map((f) => ({ id: f.name, path: f.path })), specOf(group[0]!), {
        isolation: "netns",
        jobs: 2,
      }),
  );
  for (const result of results) assert.equal(result.isolation, "netns");
  for (const [i, fixture] of fixtures.entries()) {
    await t.step(fixture.name, () => {
      const submission = submissions[i]!;
      const wrong = [
        ...mismatches(submission, fixture.expected.checks),
        ...sayingMismatches(submission, fixture.expected),
      ];
      assert.deepEqual(wrong, [], `${fixture.name}: ${fixture.expected.description}`);
    });
  }
  assert.deepEqual(await leftoverProcesses(undefined, others), [], "processes left after grading");
});

const MAIN = fileURLToPath(new URL("../main.ts", import.meta.url));
const CONTAINER_LIKE = fileURLToPath(new URL("./_helpers/container_like.sh", import.meta.url));

/** Fails at once, naming the package, when a tool the loopback runs need is missing. */
async function requireTools(): Promise<void> {
  for (const [tool, pkg] of [["unshare", "util-linux"], ["ip", "iproute2"]] as const) {
    const found = await new Deno.Command("sh", { args: ["-c", `command -v ${tool}`] }).output();
    if (!found.success) throw new Error(`This test needs ${tool}: install ${pkg}.`);
  }
}

/**
 * A `--spec` file holding `fields` in a temporary folder, removed when disposed; no file and no
 * arguments when `fields` is undefined (the default spec).
 */
async function specFile(
  fields: Record<string, unknown> | undefined,
): Promise<{ args: string[] } & AsyncDisposable> {
  if (fields === undefined) return { args: [], [Symbol.asyncDispose]: async () => {} };
  const dir = await Deno.makeTempDir({ prefix: "sockgrade-fixture-spec-" });
  const path = join(dir, "spec.json");
  await Deno.writeTextFile(path, JSON.stringify(fields));
  return {
    args: ["--spec", path],
    [Symbol.asyncDispose]: () => Deno.remove(dir, { recursive: true }),
  };
}

/**
 * Grades `paths` with the CLI as a separate grader process started by `prefix` (which runs it
 * somewhere with only `lo`), with `extra` options and the spec `fields` (default spec when
 * undefined), and returns its JSON result.
 */
async function gradeInside(
  prefix: string[],
  extra: string[],
  paths: string[],
  fields?: Record<string, unknown>,
): Promise<GradeResult> {
  await using spec = await specFile(fields);
  const out = await new Deno.Command(prefix[0]!, {
    args: [
      ...prefix.slice(1),
      Deno.execPath(),
      "run",
      "-A",
      MAIN,
      "grade",
      ...spec.args,
      ...extra,
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
  assert.ok(out.success, `the grader failed in ${prefix.join(" ")}: ${stderr}`);
  return JSON.parse(new TextDecoder().decode(out.stdout)) as GradeResult;
}

/**
 * Grades `paths` with `--isolation none` in a network namespace of its own (only `lo`), as a
 * separate grader process, with the spec `fields` (default spec when undefined), and returns its
 * JSON result.
 */
async function gradeOnLoopback(
  paths: string[],
  fields?: Record<string, unknown>,
): Promise<GradeResult> {
  await requireTools();
  const lo = ["unshare", "-rn", "sh", "-c", 'ip link set lo up && exec "$@"', "sh"];
  return await gradeInside(lo, ["--isolation", "none"], paths, fields);
}

Deno.test("the fixture corpus gets the same statuses on host loopback with the socket interposer", async (t) => {
  const others = await processesBefore();
  const fixtures = await loadFixtures();
  const { results, submissions } = await gradeBySpec(
    fixtures,
    (group, fields) => gradeOnLoopback(group.map((f) => f.path), fields),
  );
  for (const result of results) {
    assert.equal(result.isolation, "none");
    assert.match(result.isolationReason ?? "", /socket interposer/);
  }
  for (const [i, fixture] of fixtures.entries()) {
    await t.step(fixture.name, () => {
      const expected = fixture.expected.checksOnLoopback ?? fixture.expected.checks;
      const wrong = mismatches(submissions[i]!, expected);
      assert.deepEqual(wrong, [], `${fixture.name}: ${fixture.expected.description}`);
    });
  }
  const graded = (name: string) => submissions[fixtures.findIndex((f) => f.name === name)];
  await t.step({
    name: "a refused address is named in the check that needed it",
    ignore: graded("c-remote-at-runtime") === undefined,
    fn: () => {
      const remote = graded("c-remote-at-runtime")!;
      const connects = remote.checks.find((c) => c.id === "client.connects")!;
      assert.match(connects.message, /your client tried to reach 10\.0\.0\.1:6666/);
      assert.match(connects.message, /192\.168\.100\.168:6666/); // told as in the namespace
    },
  });
  await t.step({
    name: "a static program's checks are error with the reason, never charged",
    ignore: graded("c-static-build") === undefined,
    fn: () => {
      const staticBuild = graded("c-static-build")!;
      const starts = staticBuild.checks.find((c) => c.id === "server.starts")!;
      assert.match(starts.message, /server is statically linked/);
      assert.equal(staticBuild.score, staticBuild.maxScore);
    },
  });
  assert.deepEqual(await leftoverProcesses(undefined, others), [], "processes left after grading");
});

Deno.test("the fixture corpus gets the same statuses in the container stand-in (E3)", async (t) => {
  requireRootWithUnshare();
  await requireTools();
  const others = await processesBefore([MAIN, CONTAINER_LIKE]);
  const fixtures = await loadFixtures();
  const { results, submissions } = await gradeBySpec(
    fixtures,
    (group, fields) => gradeInside([CONTAINER_LIKE], [], group.map((f) => f.path), fields),
  );
  for (const result of results) {
    assert.equal(result.environment?.id, "E3", result.environment?.description ?? "no environment");
  }
  for (const [i, fixture] of fixtures.entries()) {
    await t.step(fixture.name, () => {
      const expected = fixture.expected.checksOnLoopback ?? fixture.expected.checks;
      const wrong = mismatches(submissions[i]!, expected);
      assert.deepEqual(wrong, [], `${fixture.name}: ${fixture.expected.description}`);
    });
  }
  const daemon = submissions[fixtures.findIndex((f) => f.name === "c-daemonizing-server")];
  await t.step({
    name: "a daemonizing server is held as its dedicated user, as in the namespace",
    ignore: daemon === undefined,
    fn: () => {
      const starts = daemon!.checks.find((c) => c.id === "server.starts")!;
      assert.match(starts.message, /foreground/);
      assert.equal(daemon!.score, daemon!.maxScore - starts.maxPoints);
    },
  });
  assert.deepEqual(dedicatedUserProcesses(), [], "processes of the dedicated users left");
  assert.deepEqual(await leftoverProcesses([MAIN, CONTAINER_LIKE], others), [], "processes left");
});
