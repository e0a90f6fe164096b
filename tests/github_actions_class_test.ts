/**
 * The class workflow of `examples/integrations/github-actions-class/`: validated as a workflow
 * with action-validator (pinned in deno.json), its wiring checked (a plan job feeding the
 * matrix, one artifact per shard, a merge job that runs when a shard failed and writes every
 * class report), and its shell steps run the way a runner runs them (`bash -eo pipefail`) on a
 * small class: the plan for three shards, the grade step once per shard, then the merge step.
 *
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { parse } from "yaml";
import type { GradeResult } from "../grader/result.ts";
import {
  describe,
  makeClass,
  type Ran,
  readResult,
  ROOT,
  run,
  tempDir,
} from "./_helpers/class_runs.ts";

const WORKFLOW = join(ROOT, "examples/integrations/github-actions-class/sockgrade-class.yml");

interface Step {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  env?: Record<string, string>;
  with?: Record<string, unknown>;
}

interface Job {
  needs?: string | string[];
  if?: string;
  outputs?: Record<string, string>;
  strategy?: { "fail-fast"?: boolean; matrix?: Record<string, unknown> };
  steps: Step[];
}

interface Workflow {
  on: Record<string, { inputs?: Record<string, { default?: string }> }>;
  env: Record<string, string>;
  jobs: Record<string, Job>;
}

const workflow = parse(await Deno.readTextFile(WORKFLOW)) as Workflow;

function step(job: string, name: string): Step {
  const found = workflow.jobs[job]!.steps.find((s) => s.name === name);
  assert.ok(found, `no step "${name}" in job ${job}`);
  return found;
}

/** Runs a step's script as GitHub's runner does for `shell: bash`. */
function runStep(script: string, env: Record<string, string>, cwd: string): Promise<Ran> {
  const vars = Object.entries(env).map(([k, v]) => `${k}=${v}`);
  return run(
    "env",
    [...vars, "bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
    cwd,
  );
}

/** `key=value` lines of a `$GITHUB_OUTPUT` file. */
async function outputs(file: string): Promise<Record<string, string>> {
  const text = await Deno.readTextFile(file);
  return Object.fromEntries(
    text.trim().split("\n").map((line) => line.split(/=(.*)/s).slice(0, 2) as [string, string]),
  );
}

Deno.test("the class workflow validates with action-validator, and a broken one does not", async () => {
  const config = JSON.parse(await Deno.readTextFile(join(ROOT, "deno.json")));
  const validator = config.imports["@action-validator/cli"] as string;
  assert.match(validator, /^npm:@action-validator\/cli@\d+\.\d+\.\d+$/);
  const validate = (file: string) => run(Deno.execPath(), ["run", "-A", validator, file]);
  const ran = await validate(WORKFLOW);
  assert.equal(ran.code, 0, describe(ran));
  await using dir = await tempDir();
  const broken = join(dir.path, "broken.yml");
  await Deno.writeTextFile(
    broken,
    (await Deno.readTextFile(WORKFLOW)).replace("fail-fast: false", "fail_fast: false"),
  );
  const bad = await validate(broken);
  assert.notEqual(bad.code, 0, "the validator catches a misspelt key");
  assert.match(bad.stdout + bad.stderr, /fail_fast/);
});

Deno.test("the class workflow feeds the matrix from the plan, uploads each shard and merges them all", () => {
  const { plan, grade, merge } = workflow.jobs;
  assert.ok(plan && grade && merge, Object.keys(workflow.jobs).join(", "));
  assert.equal(workflow.on.workflow_dispatch?.inputs?.shards?.default, "4");
  assert.equal(grade.needs, "plan");
  assert.equal(grade.strategy?.["fail-fast"], false);
  assert.equal(grade.strategy?.matrix?.shard, "${{ fromJSON(needs.plan.outputs.shards) }}");
  const gradeStep = step("grade", "Grade the shard");
  assert.deepEqual(gradeStep.env, {
    NO_COLOR: "1",
    SHARD: "${{ matrix.shard }}",
    SHARDS: "${{ needs.plan.outputs.count }}",
    OUT: "${{ runner.temp }}/shards",
  });
  const upload = step("grade", "Upload the shard's result");
  assert.match(upload.uses ?? "", /^actions\/upload-artifact@v\d+$/);
  assert.equal(upload.with?.name, "shard-${{ matrix.shard }}");
  assert.equal(upload.with?.path, "${{ runner.temp }}/shards/shard-${{ matrix.shard }}.json");
  assert.equal(merge.needs, "grade");
  assert.equal(merge.if, "${{ !cancelled() }}");
  const download = step("merge", "Download the shards' results");
  assert.match(download.uses ?? "", /^actions\/download-artifact@v\d+$/);
  assert.deepEqual(download.with, {
    pattern: "shard-*",
    "merge-multiple": true,
    path: "${{ runner.temp }}/shards",
  });
  for (const option of ["--json", "--csv", "--junit", "--html"]) {
    assert.match(step("merge", "Merge").run ?? "", new RegExp(`${option} `), option);
  }
  for (const job of [grade, merge]) {
    const setup = job.steps.find((s) => s.uses?.startsWith("denoland/setup-deno@"))!;
    assert.match(String(setup.with?.["deno-version"]), /^v?\d+\.\d+\.\d+$/);
  }
});

Deno.test("the class workflow's steps, run as a runner runs them, grade 3 shards and merge them into every report", async () => {
  await using ws = await tempDir();
  const students = { alice: "c-correct", carol: "python-correct", dave: "c-compile-error" };
  await makeClass(join(ws.path, "course", workflow.env.CLASS_DIR!), students);
  await Deno.symlink(ROOT, join(ws.path, "sockgrade"));
  const runnerTemp = join(ws.path, "runner-temp");
  await Deno.mkdir(runnerTemp);
  const common = { ...workflow.env, GITHUB_WORKSPACE: ws.path, RUNNER_TEMP: runnerTemp };

  const planOutput = join(ws.path, "plan-output");
  const planned = await runStep(step("plan", "List shards 1 to N").run!, {
    ...common,
    SHARDS: "3",
    GITHUB_OUTPUT: planOutput,
  }, ws.path);
  assert.equal(planned.code, 0, describe(planned));
  const plan = await outputs(planOutput);
  assert.deepEqual(plan, { count: "3", shards: "[1,2,3]" });
  const refused = await runStep(step("plan", "List shards 1 to N").run!, {
    ...common,
    SHARDS: "0",
    GITHUB_OUTPUT: planOutput,
  }, ws.path);
  assert.notEqual(refused.code, 0, "0 shards is refused");

  const shardsDir = join(runnerTemp, "shards");
  for (const shard of JSON.parse(plan.shards!) as number[]) {
    const graded = await runStep(step("grade", "Grade the shard").run!, {
      ...common,
      NO_COLOR: "1",
      SHARD: String(shard),
      SHARDS: plan.count!,
      OUT: shardsDir,
    }, ws.path);
    assert.equal(graded.code, 0, describe(graded));
    assert.equal((await readResult(join(shardsDir, `shard-${shard}.json`))).shard, `${shard}/3`);
  }

  const reports = join(runnerTemp, "reports");
  const summary = join(ws.path, "summary.md");
  const merged = await runStep(step("merge", "Merge").run!, {
    ...common,
    NO_COLOR: "1",
    SHARDS_DIR: shardsDir,
    REPORTS: reports,
    GITHUB_STEP_SUMMARY: summary,
  }, ws.path);
  assert.equal(merged.code, 0, describe(merged));
  const result: GradeResult = await readResult(join(reports, "class.json"));
  assert.deepEqual(result.submissions.map((s) => s.id), Object.keys(students));
  assert.ok(result.submissions.every((s) => /^[123]\/3$/.test(s.run?.shard ?? "")));
  const csv = (await Deno.readTextFile(join(reports, "grades.csv"))).trim().split(/\r?\n/);
  assert.equal(csv.length, 1 + 3);
  assert.equal(
    (await Deno.readTextFile(join(reports, "class.xml"))).match(/<testsuite[\s>]/g)?.length,
    3,
  );
  assert.match(await Deno.readTextFile(join(reports, "html/index.html")), /Grades from \d runs?:/);
  const text = await Deno.readTextFile(summary);
  assert.match(text, /^## sockgrade: the class$/m);
  for (const id of Object.keys(students)) assert.ok(text.includes(id), text);
});
