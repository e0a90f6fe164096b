/** Tests of `grade.ts`'s handling of workers, with a stand-in worker (`_testdata/fake_worker.ts`). */

import assert from "node:assert/strict";
import { grade, laneCount } from "./grade.ts";
import { DEFAULT_SPEC } from "../spec.ts";

const FAKE = new URL("./_testdata/fake_worker.ts", import.meta.url).pathname;

Deno.test("a worker fault is retried once with a new worker, then every check is error", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sockgrade-grade-test-" });
  try {
    const run = await grade([{ id: "crash", path: dir }], DEFAULT_SPEC, {
      isolation: "netns",
      workerEntry: FAKE,
    });
    const attempts = (await Deno.readTextFile(`${dir}/attempts`)).trim().split("\n");
    assert.equal(attempts.length, 2, "one attempt and one retry");
    const [result] = run.submissions;
    assert.ok(result!.checks.length > 0);
    for (const check of result!.checks) {
      assert.equal(check.status, "error", check.id);
      assert.match(check.message, /not your fault/);
      assert.match(check.message, /exited with status 3/);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a lane keeps its worker, or starts a new one when a worker takes one job only", async () => {
  const reuse = await grade(
    ["reply", "reply", "reply"].map((id) => ({ id, path: "/nonexistent" })),
    DEFAULT_SPEC,
    { isolation: "netns", workerEntry: FAKE, jobs: 1 },
  );
  assert.equal(new Set(reuse.submissions.map((s) => s.path)).size, 1, "one worker for all");
  const single = await grade(
    ["last", "last", "last"].map((id) => ({ id, path: "/nonexistent" })),
    DEFAULT_SPEC,
    { isolation: "netns", workerEntry: FAKE, jobs: 1 },
  );
  assert.equal(new Set(single.submissions.map((s) => s.path)).size, 3, "a worker each");
});

Deno.test("a worker's forged or second reply never becomes anyone's grade", async () => {
  const ids = ["twice", "reply", "forge-first", "reply"];
  const run = await grade(
    ids.map((id) => ({ id, path: "/nonexistent" })),
    DEFAULT_SPEC,
    { isolation: "netns", workerEntry: FAKE, jobs: 1 },
  );
  assert.deepEqual(run.submissions.map((s) => s.id), ids, "one result per student, in order");
  for (const result of run.submissions) {
    assert.notEqual(result.score, 1000, `${result.id} got a forged score`);
  }
  const forger = run.submissions[2]!;
  assert.ok(forger.checks.every((c) => c.status === "error"), "the forging worker faulted twice");
  assert.match(forger.checks[0]!.message, /not the reply to this job/);
});

Deno.test("laneCount() grades one submission at a time on a shared loopback", () => {
  assert.equal(laneCount("none", 4, 10), 1, "none mode: one lane whatever --jobs says");
  assert.equal(laneCount("netns", 4, 10), 4);
  assert.equal(laneCount("netns", 4, 2), 2);
  assert.equal(laneCount("none", 4, 0), 0);
});
