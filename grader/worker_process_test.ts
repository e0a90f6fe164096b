/** Tests of `worker_process.ts` with a stand-in worker (`_testdata/fake_worker.ts`). */

import assert from "node:assert/strict";
import { NamespacedWorker, WorkerFault } from "./worker_process.ts";
import type { WorkerJob } from "./worker.ts";

const FAKE = new URL("./_testdata/fake_worker.ts", import.meta.url).pathname;

function job(id: string, path = "/nonexistent"): WorkerJob {
  return { id, path } as unknown as WorkerJob;
}

Deno.test("a worker takes one job after another while it says it can", async () => {
  const worker = new NamespacedWorker(FAKE);
  try {
    const first = await worker.grade(job("reply"), 20_000);
    assert.equal(worker.reusable, true);
    const second = await worker.grade(job("reply"), 20_000);
    assert.equal(second.path, first.path, "the same worker process graded both");
    await worker.grade(job("last"), 20_000);
    assert.equal(worker.reusable, false, "it said it takes no more jobs");
  } finally {
    await worker.stop();
  }
});

Deno.test("a worker that exits, replies garbage or runs late is a WorkerFault", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "sockgrade-worker-test-" });
  try {
    const cases: [string, RegExp][] = [
      ["crash", /exited with status 3: the fake worker crashed on purpose/],
      ["garbage", /not a result: not json/],
      ["silent", /ran out of time/],
    ];
    for (const [id, message] of cases) {
      await t.step(id, async () => {
        const worker = new NamespacedWorker(FAKE);
        try {
          await assert.rejects(
            worker.grade(job(id, dir), 3000),
            (error) => error instanceof WorkerFault && message.test(error.message),
          );
        } finally {
          await worker.stop();
        }
      });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
