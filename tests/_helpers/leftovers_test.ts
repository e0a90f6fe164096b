import assert from "node:assert/strict";
import { leftoverProcesses, processesBefore } from "./leftovers.ts";

/** A shell that waits, its command line carrying `marker`. */
function marked(marker: string): Deno.ChildProcess {
  return new Deno.Command("sh", {
    args: ["-c", `read line; : ${marker}`],
    stdin: "piped",
    stdout: "null",
    stderr: "null",
  }).spawn();
}

Deno.test("leftoverProcesses() reports a new marked process and leaves out those running before", async () => {
  const marker = `sockgrade-leftover-test-${crypto.randomUUID()}`;
  const old = marked(`${marker}-old`);
  try {
    const before = await processesBefore([marker]);
    assert.ok(before.has(old.pid), "the earlier process is seen");
    const fresh = marked(`${marker}-new`);
    try {
      const left = await leftoverProcesses([marker], before);
      assert.deepEqual(left.map((l) => l.pid), [fresh.pid]);
    } finally {
      await fresh.stdin.close();
      await fresh.status;
    }
  } finally {
    await old.stdin.close();
    await old.status;
  }
});
