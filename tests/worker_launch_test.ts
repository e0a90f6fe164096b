/**
 * The compiled executable starts its grading workers by re-executing itself with the hidden
 * worker command (`grader/run/worker_launch.ts`), which `main.ts` hands to `worker_main.ts`. Here a
 * stand-in for the executable (a script that runs `main.ts` with its arguments, as the
 * executable runs its embedded `main.ts`) is started exactly as the grader starts a worker there
 * (`NamespacedWorker`, inside a namespace), and grades a real submission over the worker's
 * channel.
 *
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DEFAULT_SPEC } from "../grader/spec.ts";
import { namespacePlan } from "../grader/sandbox/net_plan.ts";
import { namespaceSupport } from "../grader/sandbox/netns.ts";
import { WORKER_COMMAND, workerArgv } from "../grader/run/worker_launch.ts";
import { NamespacedWorker } from "../grader/run/worker_process.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

Deno.test("workerArgv: deno runs the entry module, the executable re-executes itself", () => {
  assert.deepEqual(
    workerArgv("/r/grader/run/worker_main.ts", { standalone: false, execPath: "/d" }),
    [
      "/d",
      "run",
      "-A",
      "--no-prompt",
      "/r/grader/run/worker_main.ts",
    ],
  );
  assert.deepEqual(
    workerArgv("/r/grader/run/worker_main.ts", { standalone: true, execPath: "/x" }),
    [
      "/x",
      WORKER_COMMAND,
    ],
  );
});

Deno.test("main.ts's hidden worker command grades a job sent over the worker protocol", async () => {
  const support = await namespaceSupport();
  assert.ok(
    support.ok,
    `this test needs user namespaces and util-linux's unshare: ${support.ok || support.reason}`,
  );
  const tmp = await Deno.makeTempDir({ prefix: "sockgrade-worker-launch-" });
  try {
    const executable = join(tmp, "sockgrade");
    await Deno.writeTextFile(
      executable,
      `#!/bin/sh\nexec '${Deno.execPath()}' run -A --no-prompt '${join(ROOT, "main.ts")}' "$@"\n`,
      { mode: 0o755 },
    );
    const worker = new NamespacedWorker("unused", { standalone: true, execPath: executable });
    try {
      const job = {
        id: "c-correct",
        path: join(ROOT, "tests/fixtures/c-correct"),
        spec: DEFAULT_SPEC,
        net: namespacePlan(DEFAULT_SPEC),
        cache: false,
      };
      const result = await worker.grade(job, 120_000);
      assert.equal(result.id, "c-correct");
      assert.equal(
        result.score,
        100,
        JSON.stringify(result.checks.filter((c) => c.status !== "pass")),
      );
    } finally {
      await worker.stop();
    }
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
