/** Tests of `worker_process.ts` with a stand-in worker (`_testdata/fake_worker.ts`). */

import assert from "node:assert/strict";
import { acceptReply, NamespacedWorker, newTicket, WorkerFault } from "./worker_process.ts";
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

Deno.test("a worker that exits, replies garbage, forges or runs late is a WorkerFault", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "sockgrade-worker-test-" });
  try {
    const cases: [string, RegExp][] = [
      ["crash", /exited with status 3: the fake worker crashed on purpose/],
      ["garbage", /not a result: "not json"/],
      ["silent", /ran out of time/],
      ["wrong-secret", /not the reply to this job/],
      ["wrong-job", /not the reply to this job/],
      ["other-student", /does not hold this submission's result/],
      ["forge-first", /not the reply to this job/],
    ];
    for (const [id, message] of cases) {
      await t.step(id, async () => {
        const worker = new NamespacedWorker(FAKE);
        try {
          await assert.rejects(
            worker.grade(job(id, dir), 3000),
            (error) => error instanceof WorkerFault && message.test(error.message),
          );
          assert.equal(worker.reusable, false, "a faulty worker takes no more jobs");
        } finally {
          await worker.stop();
        }
      });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a second reply to a job never becomes the next job's result", async () => {
  const worker = new NamespacedWorker(FAKE);
  try {
    const first = await worker.grade(job("twice"), 20_000);
    assert.equal(first.score, undefined, "the first reply is the job's");
    // Whether the second line has arrived yet or comes while the next job is in hand, the next
    // job faults: it is never graded by that line.
    await assert.rejects(
      worker.grade(job("reply"), 20_000),
      (error) =>
        error instanceof WorkerFault && /no job|not the reply to this job/.test(error.message),
    );
    assert.equal(worker.reusable, false);
  } finally {
    await worker.stop();
  }
});

Deno.test("no program a worker starts holds its channel or can reach it through /proc", async () => {
  const worker = new NamespacedWorker(FAKE);
  try {
    const seen = (await worker.grade(job("fds"), 20_000)).path;
    assert.match(seen, /refused$/, seen);
    const fds = seen.replace(/refused$/, "").trim().split(/\s+/).map(Number);
    // 0-2 are its own; one more is the descriptor `ls` reads the folder with.
    assert.ok(fds.filter((fd) => fd >= 3).length <= 1, `a program holds descriptors ${fds}`);
  } finally {
    await worker.stop();
  }
});

Deno.test("acceptReply() takes only the reply to the job in hand", () => {
  const ticket = newTicket();
  const other = newTicket();
  assert.notEqual(ticket.secret, other.secret);
  assert.notEqual(ticket.jobId, other.jobId);
  const reply = (t: typeof ticket, id = "alice") =>
    JSON.stringify({ ...t, result: { id }, more: true });
  assert.equal(acceptReply(reply(ticket), ticket, "alice").result.id, "alice");
  for (
    const line of [
      reply(other),
      reply({ ...ticket, secret: other.secret }),
      reply({ ...other, secret: ticket.secret }),
      reply(ticket, "bob"),
      JSON.stringify({ ...ticket, result: { id: "alice" } }),
      "[]",
      "null",
      "",
      "{",
    ]
  ) {
    assert.throws(() => acceptReply(line, ticket, "alice"), WorkerFault, line);
  }
});
