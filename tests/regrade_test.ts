/**
 * `grade --regrade-errors`: a class is graded, one check of one student is turned into a grader
 * `error` (as a full disk or a crashed worker would leave it), and the regrade grades that
 * student alone, merges the new grading into the same JSON file, and replaces the file
 * atomically (a new inode, no temp file left); the untouched student keeps the earlier grading.
 *
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import type { GradeResult } from "../grader/result.ts";
import {
  describe,
  gradesOf,
  makeClass,
  readResult,
  sockgrade,
  tempDir,
} from "./_helpers/class_runs.ts";

Deno.test("grade --regrade-errors regrades only the student with an error check and merges it back atomically", async (t) => {
  await using tmp = await tempDir();
  const classDir = join(tmp.path, "class");
  await makeClass(classDir, { alice: "c-correct", carol: "python-correct" });
  const json = join(tmp.path, "result.json");
  const first = await sockgrade(["grade", classDir, "--jobs", "2", "--quiet", "--json", json]);
  assert.equal(first.code, 0, describe(first));
  const graded = await readResult(json);

  // carol's first check becomes one the grader could not run.
  const planted: GradeResult = structuredClone(graded);
  const carol = planted.submissions.find((s) => s.id === "carol")!;
  const check = carol.checks[0]!;
  carol.score -= check.points;
  check.status = "error";
  check.points = 0;
  check.message = "the grader could not run this check (planted by the test)";
  await Deno.writeTextFile(json, JSON.stringify(planted));

  await t.step("merge names the real regrade command in the table footer", async () => {
    const ran = await sockgrade(["merge", json, "--json", join(tmp.path, "copy.json")]);
    assert.equal(ran.code, 0, describe(ran));
    const copy = join(tmp.path, "copy.json");
    assert.ok(
      ran.stdout.includes(`main.ts grade --regrade-errors ${copy} --json ${copy} CLASS/`),
      describe(ran),
    );
  });

  const inode = (await Deno.stat(json)).ino;
  const regrade = await sockgrade([
    "grade",
    "--regrade-errors",
    json,
    "--json",
    json,
    "--jobs",
    "2",
    classDir,
  ]);
  assert.equal(regrade.code, 0, describe(regrade));
  assert.match(regrade.stderr, /note: regrading carol\./);
  assert.match(regrade.stdout, /grades from 2 runs:/);

  const merged = await readResult(json);
  await t.step("the regraded student replaces the earlier grade", () => {
    assert.deepEqual(gradesOf(merged), gradesOf(graded));
    const after = merged.submissions.find((s) => s.id === "carol")!;
    assert.equal(
      after.checks[0]!.status,
      graded.submissions.find((s) => s.id === "carol")!
        .checks[0]!.status,
    );
    assert.equal(after.run?.file, undefined, "carol comes from the fresh run");
    assert.ok(Date.parse(after.run!.startedAt) > Date.parse(graded.startedAt));
  });

  await t.step("the other student keeps the earlier grading, named by its file", () => {
    const alice = merged.submissions.find((s) => s.id === "alice")!;
    const before = graded.submissions.find((s) => s.id === "alice")!;
    assert.deepEqual({ ...alice, run: undefined, isolation: before.isolation }, {
      ...before,
      run: undefined,
    });
    assert.deepEqual(alice.run, { startedAt: graded.startedAt, file: json });
  });

  await t.step("the file was replaced by a rename, with no temp file left beside it", async () => {
    if (Deno.build.os !== "windows") assert.notEqual((await Deno.stat(json)).ino, inode);
    const names = [];
    for await (const entry of Deno.readDir(tmp.path)) names.push(entry.name);
    assert.deepEqual(names.sort(), ["class", "copy.json", "result.json"]);
  });

  await t.step(
    "a second regrade finds nothing to do and leaves the grades as they are",
    async () => {
      const again = await sockgrade([
        "grade",
        "--regrade-errors",
        json,
        "--json",
        json,
        "--quiet",
        classDir,
      ]);
      assert.equal(again.code, 0, describe(again));
      assert.deepEqual(await readResult(json), merged);
    },
  );

  await t.step("--shard is refused beside --regrade-errors", async () => {
    const ran = await sockgrade(["grade", "--regrade-errors", json, "--shard", "1/2", classDir]);
    assert.equal(ran.code, 2, describe(ran));
    assert.match(ran.stderr, /leave out --shard/);
  });
});
