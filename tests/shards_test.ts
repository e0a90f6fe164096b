/**
 * A class graded in N shards by N separate processes at once (`grade --shard I/N --json …`, as
 * N CI jobs or pods would) and merged gives the same grades as one whole run: the same students,
 * scores and check statuses (timings, messages and run metadata aside), every student in exactly
 * one shard, and each merged grade naming its shard's file.
 *
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { shardOf } from "../grader/inputs/shard.ts";
import {
  describe,
  gradesOf,
  makeClass,
  readResult,
  sockgrade,
  tempDir,
} from "./_helpers/class_runs.ts";

const STUDENTS: Record<string, string> = {
  alice: "c-correct",
  bob: "c-substring-match",
  carol: "python-correct",
  dave: "c-compile-error",
  erin: "c-no-address-filter",
  frank: "c-sizeof-client",
};
const N = 3;

Deno.test(`${N} shards graded by ${N} processes at once merge to the grades of one whole run`, async () => {
  await using tmp = await tempDir();
  const classDir = join(tmp.path, "class");
  await makeClass(classDir, STUDENTS);
  const shardFile = (i: number) => join(tmp.path, `shard-${i}.json`);
  const indexes = Array.from({ length: N }, (_, k) => k + 1);
  // The test would prove little if one shard held everybody.
  const sizes = indexes.map((i) => Object.keys(STUDENTS).filter((id) => shardOf(id, N) === i));
  assert.ok(sizes.filter((ids) => ids.length > 0).length >= 2, JSON.stringify(sizes));

  const shards = await Promise.all(indexes.map((i) =>
    sockgrade([
      "grade",
      classDir,
      "--shard",
      `${i}/${N}`,
      "--jobs",
      "1",
      "--quiet",
      "--json",
      shardFile(i),
    ])
  ));
  shards.forEach((ran) => assert.equal(ran.code, 0, describe(ran)));
  const whole = await sockgrade([
    "grade",
    classDir,
    "--jobs",
    "2",
    "--quiet",
    "--json",
    join(tmp.path, "whole.json"),
  ]);
  assert.equal(whole.code, 0, describe(whole));

  const parts = await Promise.all(indexes.map((i) => readResult(shardFile(i))));
  parts.forEach((part, k) => {
    assert.equal(part.shard, `${k + 1}/${N}`);
    assert.deepEqual(part.submissions.map((s) => s.id).sort(), sizes[k]);
  });
  const merged = await sockgrade([
    "merge",
    ...indexes.map(shardFile),
    "--json",
    join(tmp.path, "merged.json"),
    "--quiet",
  ]);
  assert.equal(merged.code, 0, describe(merged));
  const result = await readResult(join(tmp.path, "merged.json"));
  assert.deepEqual(gradesOf(result), gradesOf(await readResult(join(tmp.path, "whole.json"))));
  assert.deepEqual(Object.keys(gradesOf(result)), Object.keys(STUDENTS).sort());
  for (const s of result.submissions) {
    const i = shardOf(s.id, N);
    assert.deepEqual(
      { file: s.run?.file, shard: s.run?.shard },
      { file: shardFile(i), shard: `${i}/${N}` },
    );
  }
});
