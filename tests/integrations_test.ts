/**
 * The platform integrations in `examples/integrations/`, run for real against temporary roots:
 * Gradescope's `run_autograder` and PrairieLearn's `run.sh` with a copy of a fixture as the
 * student's submission (asserting the results.json fields each platform documents), and the
 * GitHub Classroom workflow, whose YAML is parsed and whose shell steps (grade, report) are run
 * the way a runner runs them.
 *
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  type ClassroomRunnerResult,
  toRunnerResult,
} from "../examples/integrations/github-classroom/classroom_report.ts";
import type { GradeResult } from "../grader/result.ts";
import { hashTree } from "./_helpers/tree_hash.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const INTEGRATIONS = join(ROOT, "examples/integrations");
const FIXTURES = join(ROOT, "tests/fixtures");
const CHECK_COUNT = 15;

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end (no stdin) and returns its status and output. */
async function run(
  cmd: string,
  args: string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<Ran> {
  const out = await new Deno.Command(cmd, {
    args,
    cwd: options.cwd ?? ROOT,
    env: { NO_COLOR: "1", ...options.env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  return { code: out.code, stdout: text.decode(out.stdout), stderr: text.decode(out.stderr) };
}

function describe(ran: Ran): string {
  return `exit ${ran.code}\n--- stdout\n${ran.stdout}\n--- stderr\n${ran.stderr}`;
}

/** Copies a fixture's files (not its expected.json) into `to`. */
async function copyFixture(name: string, to: string): Promise<void> {
  await Deno.mkdir(to, { recursive: true });
  for await (const entry of Deno.readDir(join(FIXTURES, name))) {
    if (entry.isFile && entry.name !== "expected.json") {
      await Deno.copyFile(join(FIXTURES, name, entry.name), join(to, entry.name));
    }
  }
}

/** A temp folder removed when the test ends (`await using`). */
async function tempDir(): Promise<{ path: string } & AsyncDisposable> {
  const path = await Deno.makeTempDir({ prefix: "sockgrade-integrations-" });
  return {
    path,
    [Symbol.asyncDispose]: () => Deno.remove(path, { recursive: true }),
  };
}

async function readJson(path: string): Promise<Record<string, unknown>> {
  return JSON.parse(await Deno.readTextFile(path));
}

// deno-lint-ignore no-control-regex
const ANSI = /\x1b\[/;

// ---------------------------------------------------------------------------------------------
// Gradescope

interface GradescopeTest {
  name: string;
  score: number;
  max_score: number;
  status: string;
  output: string;
  visibility: string;
}

/** Asserts the fields and types of Gradescope's results.json; returns its tests. */
function assertGradescopeShape(results: Record<string, unknown>): GradescopeTest[] {
  assert.equal(typeof results.score, "number");
  assert.equal(typeof results.execution_time, "number");
  assert.ok((results.execution_time as number) >= 0);
  assert.equal(typeof results.output, "string");
  assert.ok(Array.isArray(results.tests));
  const tests = results.tests as GradescopeTest[];
  const documented = ["visible", "hidden", "after_due_date", "after_published"];
  for (const t of tests) {
    assert.equal(typeof t.name, "string", JSON.stringify(t));
    assert.equal(typeof t.output, "string", t.name);
    assert.ok(documented.includes(t.visibility), t.name);
    // A check the grader could not run is sent without points or status (never a 0-point fail).
    if (t.score === undefined && t.max_score === undefined && t.status === undefined) continue;
    assert.equal(typeof t.score, "number", t.name);
    assert.equal(typeof t.max_score, "number", t.name);
    assert.ok(t.score >= 0 && t.score <= t.max_score, t.name);
    assert.ok(t.status === "passed" || t.status === "failed", t.name);
  }
  return tests;
}

async function runAutograder(root: string, env: Record<string, string> = {}): Promise<Ran> {
  return await run(join(INTEGRATIONS, "gradescope/run_autograder"), [], {
    cwd: root,
    env: { AUTOGRADER_ROOT: root, SOCKGRADE_DIR: ROOT, ...env },
  });
}

Deno.test("gradescope run_autograder writes results.json with full marks for a correct submission", async () => {
  await using root = await tempDir();
  const submission = join(root.path, "submission");
  await copyFixture("c-correct", submission);
  const before = await hashTree(submission);
  const ran = await runAutograder(root.path);
  assert.equal(ran.code, 0, describe(ran));
  const results = await readJson(join(root.path, "results/results.json"));
  const tests = assertGradescopeShape(results);
  assert.equal(tests.length, CHECK_COUNT);
  assert.equal(results.score, 100);
  assert.ok(tests.every((t) => t.status === "passed"), JSON.stringify(tests.map((t) => t.name)));
  assert.equal(tests.reduce((sum, t) => sum + t.score, 0), 100);
  assert.ok(tests.some((t) => t.name.startsWith("server.trigger")));
  // The submission folder is graded in a temp copy, never built in place.
  assert.deepEqual(await hashTree(submission), before);
});

Deno.test("gradescope run_autograder uses source/assignment.jsonc and honours hidden checks", async () => {
  await using root = await tempDir();
  await copyFixture("c-substring-match", join(root.path, "submission"));
  await Deno.mkdir(join(root.path, "source"));
  await Deno.writeTextFile(
    join(root.path, "source/assignment.jsonc"),
    '// the teacher hides the exact-match check\n{ "visibility": { "server.exact-match": "hidden" } }\n',
  );
  const ran = await runAutograder(root.path);
  assert.equal(ran.code, 0, describe(ran));
  const results = await readJson(join(root.path, "results/results.json"));
  const tests = assertGradescopeShape(results);
  assert.equal(tests.length, CHECK_COUNT);
  assert.ok((results.score as number) < 100, String(results.score));
  const exact = tests.find((t) => t.name.startsWith("server.exact-match"));
  assert.equal(exact?.status, "failed");
  assert.equal(exact?.score, 0);
  assert.equal(exact?.max_score, 0, "a hidden check carries no points unless asked");
  assert.equal(exact?.visibility, "hidden");
  const pair = tests.find((t) => t.name.startsWith("pair.end-to-end"));
  assert.equal(pair?.status, "failed");
  // The top-level output never gives a hidden check away.
  assert.doesNotMatch(results.output as string, /exact-match/);
  assert.equal(results.score, tests.reduce((sum, t) => sum + t.score, 0));
});

Deno.test("gradescope run_autograder writes valid JSON when the log holds bytes that are not UTF-8", async () => {
  await using root = await tempDir();
  await copyFixture("c-correct", join(root.path, "submission"));
  const fake = join(root.path, "fake-sockgrade");
  await Deno.mkdir(fake);
  // A sockgrade whose grade task prints invalid UTF-8, a quote, a backslash and colour codes.
  await Deno.writeTextFile(
    join(fake, "grade.sh"),
    "printf 'bad \\377\\376 \\\\ \\042 \\033[31mred\\033[0m\\n'\nexit 3\n",
  );
  await Deno.writeTextFile(
    join(fake, "deno.json"),
    JSON.stringify({ tasks: { grade: `sh ${join(fake, "grade.sh")}` } }),
  );
  const ran = await runAutograder(root.path, { SOCKGRADE_DIR: fake });
  assert.equal(ran.code, 0, describe(ran));
  const results = await readJson(join(root.path, "results/results.json"));
  const tests = assertGradescopeShape(results);
  assert.match(results.output as string, /status 3/);
  assert.match(tests[0]!.output, /bad \ufffd\ufffd \\ " red/);
  assert.doesNotMatch(tests[0]!.output, ANSI);
});

Deno.test("gradescope run_autograder still writes results.json when sockgrade cannot run", async () => {
  await using root = await tempDir();
  await copyFixture("c-correct", join(root.path, "submission"));
  const ran = await runAutograder(root.path, { SOCKGRADE_DIR: join(root.path, "no-sockgrade") });
  assert.equal(ran.code, 0, describe(ran));
  const results = await readJson(join(root.path, "results/results.json"));
  const tests = assertGradescopeShape(results);
  assert.equal(results.score, 0);
  assert.match(results.output as string, /could not grade this submission/);
  assert.equal(tests.length, 1);
  assert.equal(tests[0]!.name, "sockgrade: grader fault");
  assert.match(tests[0]!.output, /deno\.json/);
  assert.doesNotMatch(tests[0]!.output, ANSI);
});

// ---------------------------------------------------------------------------------------------
// PrairieLearn

interface PrairieLearnTest {
  name: string;
  points: number;
  max_points: number;
  message: string;
  output: string;
}

/** Asserts the fields and types of PrairieLearn's results.json; returns its tests. */
function assertPrairieLearnShape(results: Record<string, unknown>): PrairieLearnTest[] {
  assert.equal(typeof results.gradable, "boolean");
  assert.equal(typeof results.score, "number");
  assert.ok((results.score as number) >= 0 && (results.score as number) <= 1);
  assert.equal(typeof results.message, "string");
  assert.equal(typeof results.output, "string");
  assert.ok(Array.isArray(results.tests));
  const tests = results.tests as PrairieLearnTest[];
  for (const t of tests) {
    assert.equal(typeof t.name, "string", JSON.stringify(t));
    assert.equal(typeof t.points, "number", t.name);
    assert.equal(typeof t.max_points, "number", t.name);
    assert.ok(t.points >= 0 && t.points <= t.max_points, t.name);
    assert.equal(typeof t.message, "string", t.name);
    assert.equal(typeof t.output, "string", t.name);
  }
  return tests;
}

async function runPrairieLearn(root: string, env: Record<string, string> = {}): Promise<Ran> {
  return await run(join(INTEGRATIONS, "prairielearn/run.sh"), [], {
    cwd: root,
    env: { GRADE_ROOT: root, SOCKGRADE_DIR: ROOT, ...env },
  });
}

Deno.test("prairielearn run.sh writes a gradable score of 1 for a correct submission", async () => {
  await using root = await tempDir();
  await copyFixture("c-correct", join(root.path, "student"));
  const ran = await runPrairieLearn(root.path);
  assert.equal(ran.code, 0, describe(ran));
  const results = await readJson(join(root.path, "results/results.json"));
  const tests = assertPrairieLearnShape(results);
  assert.equal(results.gradable, true);
  assert.equal(results.score, 1);
  assert.equal(tests.length, CHECK_COUNT);
  assert.ok(tests.every((t) => t.points === t.max_points));
  assert.doesNotMatch(results.output as string, ANSI);
});

Deno.test("prairielearn run.sh scores a failing submission between 0 and 1", async () => {
  await using root = await tempDir();
  await copyFixture("c-substring-match", join(root.path, "student"));
  const ran = await runPrairieLearn(root.path);
  assert.equal(ran.code, 0, describe(ran));
  const results = await readJson(join(root.path, "results/results.json"));
  const tests = assertPrairieLearnShape(results);
  assert.equal(results.gradable, true);
  const points = tests.reduce((sum, t) => sum + t.points, 0);
  const max = tests.reduce((sum, t) => sum + t.max_points, 0);
  assert.ok(Math.abs((results.score as number) - points / max) < 1e-9, `${results.score}`);
  assert.ok((results.score as number) > 0 && (results.score as number) < 1);
  const exact = tests.find((t) => t.name.startsWith("server.exact-match"));
  assert.equal(exact?.points, 0);
  assert.match(results.message as string, /exact-match/);
});

Deno.test("prairielearn run.sh reports a grader fault as gradable: false", async (t) => {
  await t.step("sockgrade missing", async () => {
    await using root = await tempDir();
    await copyFixture("c-correct", join(root.path, "student"));
    const ran = await runPrairieLearn(root.path, {
      SOCKGRADE_DIR: join(root.path, "no-sockgrade"),
    });
    assert.equal(ran.code, 0, describe(ran));
    const results = await readJson(join(root.path, "results/results.json"));
    assert.deepEqual(assertPrairieLearnShape(results), []);
    assert.equal(results.gradable, false);
    assert.equal(results.score, 0);
    assert.match(results.message as string, /could not grade this submission/);
    assert.match(results.output as string, /deno\.json/);
    assert.doesNotMatch(results.output as string, ANSI);
  });
  await t.step("sockgrade refuses the upload (two student folders)", async () => {
    await using root = await tempDir();
    for (const name of ["one", "two"]) {
      await Deno.mkdir(join(root.path, "student", name), { recursive: true });
      await Deno.writeTextFile(join(root.path, "student", name, "server.c"), "not C\n");
    }
    const ran = await runPrairieLearn(root.path);
    assert.equal(ran.code, 0, describe(ran));
    const results = await readJson(join(root.path, "results/results.json"));
    assertPrairieLearnShape(results);
    assert.equal(results.gradable, false, JSON.stringify(results));
    assert.match(results.message as string, /could not grade this submission.*one submission/);
  });
});

// ---------------------------------------------------------------------------------------------
// Inside the container stand-in (environment E3: root, no nested user namespaces, no admin
// capabilities), as Gradescope and PrairieLearn run their containers.

/** The project's own container stand-in (`tests/_helpers/container_like.sh`). */
const CONTAINER_LIKE = fileURLToPath(new URL("./_helpers/container_like.sh", import.meta.url));

/** Runs an entry script inside the container stand-in; fails at once when it is missing. */
async function inContainer(script: string, env: Record<string, string>): Promise<Ran> {
  try {
    await Deno.stat(CONTAINER_LIKE);
  } catch {
    throw new Error(`${CONTAINER_LIKE} is missing: these tests need the container stand-in.`);
  }
  const vars = Object.entries(env).map(([k, v]) => `${k}=${v}`);
  return await run(CONTAINER_LIKE, ["env", ...vars, script]);
}

Deno.test("gradescope run_autograder grades in the container stand-in", async () => {
  await using root = await tempDir();
  await copyFixture("c-correct", join(root.path, "submission"));
  const ran = await inContainer(join(INTEGRATIONS, "gradescope/run_autograder"), {
    AUTOGRADER_ROOT: root.path,
    SOCKGRADE_DIR: ROOT,
    NO_COLOR: "1",
  });
  assert.equal(ran.code, 0, describe(ran));
  const results = await readJson(join(root.path, "results/results.json"));
  const tests = assertGradescopeShape(results);
  assert.equal(tests.length, CHECK_COUNT);
  assert.equal(results.score, 100, JSON.stringify(results.output));
  assert.ok(tests.every((t) => t.status === "passed"), JSON.stringify(results.output));
});

Deno.test("prairielearn run.sh grades in the container stand-in with PrairieLearn's paths", async () => {
  await using root = await tempDir();
  await copyFixture("c-correct", join(root.path, "student"));
  await Deno.mkdir(join(root.path, "serverFilesCourse/sockgrade"), { recursive: true });
  await Deno.writeTextFile(
    join(root.path, "serverFilesCourse/sockgrade/assignment.jsonc"),
    '{ "visibility": { "server.robustness": "hidden" } }\n',
  );
  const ran = await inContainer(join(INTEGRATIONS, "prairielearn/run.sh"), {
    GRADE_ROOT: root.path,
    SOCKGRADE_DIR: ROOT,
    NO_COLOR: "1",
  });
  assert.equal(ran.code, 0, describe(ran));
  const results = await readJson(join(root.path, "results/results.json"));
  const tests = assertPrairieLearnShape(results);
  assert.deepEqual([results.gradable, results.score], [true, 1], JSON.stringify(results.message));
  assert.equal(tests.length, CHECK_COUNT - 1, "the course's spec hides server.robustness");
  assert.match(results.message as string, /1 check is hidden/);
});

// ---------------------------------------------------------------------------------------------
// The container image recipe (no Docker engine here: checked statically, never built in tests)

const DOCKERFILE = join(INTEGRATIONS, "container/Dockerfile");

/** The Dockerfile's instructions, continuation lines joined and comments dropped. */
async function dockerInstructions(): Promise<{ op: string; args: string }[]> {
  const text = (await Deno.readTextFile(DOCKERFILE)).replace(/\\\n/g, " ");
  return text.split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#"))
    .map((l) => {
      const [op, ...rest] = l.split(/\s+/);
      return { op: op!.toUpperCase(), args: rest.join(" ") };
    });
}

/** .dockerignore patterns, as the build context root sees them. */
async function dockerIgnored(): Promise<string[]> {
  return (await Deno.readTextFile(join(ROOT, ".dockerignore"))).split("\n").map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"));
}

Deno.test("the image recipe starts from a pinned base and copies only files that exist", async () => {
  const steps = await dockerInstructions();
  const from = steps.filter((s) => s.op === "FROM");
  assert.equal(from.length, 1);
  const args = new Map(
    steps.filter((s) => s.op === "ARG").map((s) => s.args.split("=") as [string, string]),
  );
  const base = from[0]!.args.replace(/^\$\{(\w+)\}$/, (_, name) => args.get(name) ?? "");
  assert.match(
    base,
    /^[\w./-]+(:\d[\w.-]*|@sha256:[0-9a-f]{64})$/,
    `base image not pinned: ${base}`,
  );
  assert.doesNotMatch(base, /:latest$/);
  assert.match(args.get("DENO_VERSION") ?? "", /^\d+\.\d+\.\d+$/);
  const ignored = await dockerIgnored();
  const copies = steps.filter((s) => s.op === "COPY" || s.op === "ADD");
  assert.ok(copies.length > 0);
  for (const copy of copies) {
    assert.equal(copy.op, "COPY", "ADD fetches URLs and unpacks archives: use COPY");
    const sources = copy.args.split(/\s+/).filter((a) => !a.startsWith("--")).slice(0, -1);
    for (const source of sources) {
      await Deno.stat(join(ROOT, source)); // throws when the source is missing
      if (source !== ".") {
        assert.ok(!ignored.some((p) => source.startsWith(p)), `${source} is in .dockerignore`);
      }
    }
  }
  const cache = steps.find((s) => s.op === "RUN" && s.args.includes("deno cache"))!;
  for (const file of cache.args.match(/[\w/]+\.ts/g) ?? []) await Deno.stat(join(ROOT, file));
  const cmd = steps.find((s) => s.op === "CMD")!;
  assert.match(cmd.args, /sockgrade-pl-run/);
  assert.match(steps.find((s) => s.op === "RUN" && s.args.includes("apt-get"))!.args, /bubblewrap/);
});

Deno.test(".dockerignore keeps .git, caches and tests out of the image", async () => {
  const ignored = await dockerIgnored();
  for (const pattern of [".git", ".cache", "node_modules", "tests"]) {
    assert.ok(ignored.includes(pattern), pattern);
  }
});

Deno.test("gradescope setup.sh installs Deno without Node, plus the compilers and bubblewrap", async () => {
  const setup = await Deno.readTextFile(join(INTEGRATIONS, "gradescope/setup.sh"));
  const code = setup.split("\n").filter((l) => !l.trim().startsWith("#")).join("\n");
  assert.doesNotMatch(code, /\bnpm\b|\bnodejs\b/, "no Node or npm");
  for (const pkg of ["build-essential", "python3", "default-jdk-headless", "bubblewrap"]) {
    assert.match(code, new RegExp(`\\b${pkg}\\b`), pkg);
  }
  assert.match(code, /install_deno\.sh/);
  const installer = await Deno.readTextFile(join(INTEGRATIONS, "container/install_deno.sh"));
  assert.match(installer, /sha256sum/, "the download is checked");
  const zip = await Deno.readTextFile(join(INTEGRATIONS, "gradescope/make_autograder_zip.sh"));
  assert.match(zip, /platform_results\.ts/, "the zip carries the results writer");
  for (const script of ["gradescope/setup.sh", "container/install_deno.sh"]) {
    const ran = await run("bash", ["-n", join(INTEGRATIONS, script)]);
    assert.equal(ran.code, 0, describe(ran));
  }
});

// ---------------------------------------------------------------------------------------------
// GitHub Classroom

const WORKFLOW = join(INTEGRATIONS, "github-classroom/sockgrade.yml");

interface Step {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  with?: Record<string, string>;
  env?: Record<string, string>;
  if?: string;
  "working-directory"?: string;
}

interface Workflow {
  name: string;
  on: Record<string, unknown>;
  env: Record<string, string>;
  jobs: Record<string, { name?: string; steps: Step[] }>;
}

/** The workflow as data, parsed by PyYAML; undefined when python3 or PyYAML is missing. */
async function parseWorkflow(): Promise<Workflow | undefined> {
  let ran: Ran;
  try {
    ran = await run("python3", [
      "-c",
      "import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))",
      WORKFLOW,
    ]);
  } catch {
    return undefined;
  }
  if (ran.code !== 0 && /No module named .?yaml/.test(ran.stderr)) return undefined;
  assert.equal(ran.code, 0, describe(ran));
  return JSON.parse(ran.stdout);
}

const workflow = await parseWorkflow();
const NO_YAML = workflow === undefined ? "needs python3 with PyYAML to parse the workflow" : "";

function onlyJob(w: Workflow): { name?: string; steps: Step[] } {
  const jobs = Object.values(w.jobs);
  assert.equal(jobs.length, 1);
  return jobs[0]!;
}

Deno.test({
  name: `github classroom workflow parses and wires grading to the reporter${
    NO_YAML ? ` (skipped: ${NO_YAML})` : ""
  }`,
  ignore: workflow === undefined,
  fn() {
    const w = workflow!;
    assert.ok("push" in w.on, "runs on push");
    const job = onlyJob(w);
    assert.equal(job.name, "Autograding Tests");
    const steps = job.steps;
    const checkouts = steps.filter((s) => s.uses?.startsWith("actions/checkout@"));
    assert.deepEqual(checkouts.map((s) => s.with?.path), ["submission", "sockgrade"]);
    assert.ok(steps.some((s) => s.uses?.startsWith("denoland/setup-deno@")));
    const grade = steps.find((s) => s.id === "grade");
    assert.match(grade?.run ?? "", /deno task --config .* grade "\$PWD"/);
    assert.match(grade?.run ?? "", /--junit .* --json /s);
    const report = steps.find((s) => s.id === "sockgrade");
    assert.match(report?.run ?? "", /classroom_report\.ts/);
    const reporter = steps.find((s) => s.uses?.includes("autograding-grading-reporter"));
    assert.equal(reporter?.with?.runners, "sockgrade");
    assert.equal(reporter?.env?.SOCKGRADE_RESULTS, "${{ steps.sockgrade.outputs.result }}");
    assert.equal(reporter?.if, "always()");
  },
});

/** Reads `name=value` lines of a GitHub output file. */
async function readOutputs(path: string): Promise<Record<string, string>> {
  const outputs: Record<string, string> = {};
  for (const line of (await Deno.readTextFile(path)).split("\n")) {
    const at = line.indexOf("=");
    if (at > 0) outputs[line.slice(0, at)] = line.slice(at + 1);
  }
  return outputs;
}

function decodeRunner(base64: string): ClassroomRunnerResult {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes));
}

Deno.test({
  name: `github classroom workflow's grade and report steps run as on a runner${
    NO_YAML ? ` (skipped: ${NO_YAML})` : ""
  }`,
  ignore: workflow === undefined,
  async fn() {
    const w = workflow!;
    const steps = onlyJob(w).steps;
    await using ws = await tempDir();
    const runnerTemp = join(ws.path, "_temp");
    await Deno.mkdir(runnerTemp);
    await copyFixture("c-sizeof-client", join(ws.path, "submission"));
    await Deno.symlink(ROOT, join(ws.path, "sockgrade"));
    const stepRun = async (id: string, env: Record<string, string> = {}) => {
      const step = steps.find((s) => s.id === id)!;
      const outputFile = join(runnerTemp, `${id}.output`);
      const summaryFile = join(runnerTemp, `${id}.summary`);
      await Deno.writeTextFile(outputFile, "");
      const cwd = step["working-directory"] ? join(ws.path, step["working-directory"]) : ws.path;
      // GitHub runs `run:` scripts with `bash --noprofile --norc -eo pipefail {0}`.
      const ran = await run("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", step.run!], {
        cwd,
        env: {
          ...w.env,
          ...step.env,
          ...env,
          GITHUB_WORKSPACE: ws.path,
          RUNNER_TEMP: runnerTemp,
          GITHUB_OUTPUT: outputFile,
          GITHUB_STEP_SUMMARY: summaryFile,
        },
      });
      const summary = await Deno.readTextFile(summaryFile).catch(() => "");
      return { ran, outputs: await readOutputs(outputFile), summary };
    };

    const grade = await stepRun("grade");
    assert.equal(grade.ran.code, 0, describe(grade.ran));
    assert.match(grade.ran.stdout, /client\.messages/, "the log shows the student's report");
    const json = JSON.parse(await Deno.readTextFile(join(runnerTemp, "sockgrade.json")));
    assert.equal(json.schema, "sockgrade/result@1");
    assert.equal(json.submissions.length, 1);
    assert.equal(json.submissions[0].id, "submission");
    assert.match(await Deno.readTextFile(join(runnerTemp, "sockgrade.xml")), /<testsuites/);
    const score = json.submissions[0].score as number;
    assert.ok(score > 0 && score < 100, String(score));

    // The default threshold (0) keeps an imperfect push green.
    const green = await stepRun("sockgrade");
    assert.equal(green.outputs.passed, "true");
    assert.equal(decodeRunner(green.outputs.result!).status, "pass");

    // Full marks required: the reporter is told "fail".
    const below = await stepRun("sockgrade", { MIN_SCORE: "100%" });
    assert.equal(below.ran.code, 0, describe(below.ran));
    assert.equal(below.outputs.score, String(score));
    assert.equal(below.outputs["max-score"], "100");
    assert.equal(below.outputs.passed, "false");
    const runner = decodeRunner(below.outputs.result!);
    assert.equal(runner.version, 1);
    assert.equal(runner.status, "fail");
    assert.equal(runner.max_score, 100);
    assert.equal(runner.tests.length, CHECK_COUNT);
    assert.equal(runner.tests.reduce((sum, t) => sum + t.score, 0), score);
    assert.equal(runner.tests.find((t) => t.name.startsWith("client.messages"))?.status, "fail");
    assert.match(below.summary, new RegExp(`## sockgrade: ${score} / 100 points`));
    assert.match(below.summary, /\| `client\.messages` messages sent \| ❌ fail \| 0\/12 \|/);

    // A lower threshold: the same score passes.
    const above = await stepRun("sockgrade", { MIN_SCORE: "60%" });
    assert.equal(above.outputs.passed, "true");
    assert.equal(decodeRunner(above.outputs.result!).status, "pass");
    assert.match(above.summary, /Reaches the required 60 points/);

    // No result (sockgrade failed): no points for Classroom, and the summary says why.
    await Deno.remove(join(runnerTemp, "sockgrade.json"));
    const fault = await stepRun("sockgrade");
    assert.equal(fault.ran.code, 0, describe(fault.ran));
    const faultRunner = decodeRunner(fault.outputs.result!);
    assert.equal(faultRunner.status, "error");
    assert.equal(faultRunner.max_score, 0);
    assert.match(fault.summary, /could not grade/);

    // Hidden checks are not listed but their points still count.
    const hidden: GradeResult = {
      ...json,
      spec: { ...json.spec, visibility: { ...json.spec.visibility, "server.trigger": "hidden" } },
    };
    const folded = toRunnerResult(hidden);
    assert.equal(folded.tests.length, CHECK_COUNT);
    assert.ok(!folded.tests.some((t) => t.name.startsWith("server.trigger")));
    assert.equal(folded.tests.at(-1)?.name, "1 check not shown");
    assert.equal(folded.tests.reduce((sum, t) => sum + t.score, 0), score);
  },
});

// ---------------------------------------------------------------------------------------------
// GitHub Actions (plain workflow)

const ACTIONS_WORKFLOW = join(INTEGRATIONS, "github-actions/sockgrade.yml");

/** The action-validator CLI pinned in deno.json "imports". */
async function actionValidator(): Promise<string> {
  const config = JSON.parse(await Deno.readTextFile(join(ROOT, "deno.json")));
  const specifier = config.imports?.["@action-validator/cli"];
  assert.match(
    specifier ?? "",
    /^npm:@action-validator\/cli@\d+\.\d+\.\d+$/,
    "pinned in deno.json",
  );
  return specifier;
}

Deno.test("both workflows validate with action-validator, and a broken one does not", async () => {
  const validator = await actionValidator();
  const validate = (file: string) => run(Deno.execPath(), ["run", "-A", validator, file]);
  for (const file of [ACTIONS_WORKFLOW, WORKFLOW]) {
    const ran = await validate(file);
    assert.equal(ran.code, 0, `${file}\n${describe(ran)}`);
  }
  await using dir = await tempDir();
  const broken = join(dir.path, "broken.yml");
  await Deno.writeTextFile(
    broken,
    (await Deno.readTextFile(ACTIONS_WORKFLOW)).replace("runs-on:", "runs_on:"),
  );
  const ran = await validate(broken);
  assert.notEqual(ran.code, 0, "the validator catches a misspelt key");
  assert.match(ran.stdout + ran.stderr, /runs_on/);
});

Deno.test({
  name:
    `github actions workflow: setup-deno with a cache, annotations per failed check, score outputs${
      NO_YAML ? ` (skipped: ${NO_YAML})` : ""
    }`,
  ignore: workflow === undefined,
  async fn() {
    const parsed = await run("python3", [
      "-c",
      "import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))",
      ACTIONS_WORKFLOW,
    ]);
    const w: Workflow & { jobs: Record<string, { outputs?: Record<string, string> }> } = JSON
      .parse(parsed.stdout);
    const job = Object.values(w.jobs)[0]!;
    const steps = (job as unknown as { steps: Step[] }).steps;
    const setup = steps.find((s) => s.uses?.startsWith("denoland/setup-deno@"))!;
    assert.equal(String(setup.with?.cache), "true");
    assert.match(setup.with?.["deno-version"] ?? "", /^v?\d+\.\d+\.\d+$/);
    assert.deepEqual(Object.keys(job.outputs ?? {}), ["score", "max-score", "percent"]);
    assert.ok(!steps.some((s) => s.uses?.includes("autograding")), "no Classroom reporter");

    // The Report step, run as a runner runs it, on a graded failing submission.
    await using ws = await tempDir();
    await copyFixture("c-sizeof-client", join(ws.path, "submission"));
    const json = join(ws.path, "sockgrade.json");
    const graded = await run(Deno.execPath(), [
      "run",
      "-A",
      join(ROOT, "main.ts"),
      "grade",
      join(ws.path, "submission"),
      "--json",
      json,
      "--quiet",
    ]);
    assert.equal(graded.code, 0, describe(graded));
    const outputFile = join(ws.path, "output");
    const summaryFile = join(ws.path, "summary");
    const report = await run(Deno.execPath(), [
      "run",
      "--allow-read",
      "--allow-write",
      "--allow-env",
      join(INTEGRATIONS, "github-actions/actions_report.ts"),
      json,
      "--submission",
      "submission",
    ], { cwd: ws.path, env: { GITHUB_OUTPUT: outputFile, GITHUB_STEP_SUMMARY: summaryFile } });
    assert.equal(report.code, 0, describe(report));
    const result: GradeResult = JSON.parse(await Deno.readTextFile(json));
    const failed = result.submissions[0]!.checks.filter((c) => c.status === "fail");
    assert.ok(failed.length > 0);
    for (const check of failed) {
      assert.match(report.stdout, new RegExp(`^::error (file=[^,]+,)?title=${check.id}::`, "m"));
    }
    assert.match(report.stdout, /^::error file=submission\/client\.c,title=client\.messages::/m);
    const outputs = await readOutputs(outputFile);
    const s = result.submissions[0]!;
    assert.deepEqual(outputs, {
      score: String(s.score),
      "max-score": String(s.maxScore),
      percent: String(Math.round((s.score / s.maxScore) * 10000) / 100),
    });
    assert.match(await Deno.readTextFile(summaryFile), /client\.messages/);
  },
});
