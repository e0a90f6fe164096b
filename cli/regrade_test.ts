/**
 * Tests of the `--regrade-errors` helpers: the command the footer prints, and what is refused
 * before grading starts.
 *
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { Regrade, regradeCommand } from "./regrade.ts";
import { UsageError } from "../grader/errors/usage_error.ts";
import { formatJson } from "../grader/report/json.ts";
import { sampleResult } from "../grader/report/_sample_result.ts";

Deno.test("regradeCommand() is the command as typed, quoted for a shell", () => {
  assert.equal(
    regradeCommand("deno task", ["class/"], { json: "out/result.json" }),
    "deno task grade --regrade-errors out/result.json --json out/result.json class/",
  );
  assert.equal(
    regradeCommand("sockgrade", ["my class/", "it's.zip"], {
      json: "r.json",
      isolation: "none",
      trustedCode: true,
    }),
    "sockgrade grade --regrade-errors r.json --json r.json --isolation none --trusted-code " +
      `'my class/' 'it'\\''s.zip'`,
  );
  assert.equal(regradeCommand("deno task", [], { json: "-" }), undefined);
  assert.equal(regradeCommand("deno task", [], {}), undefined);
});

Deno.test("Regrade refuses --shard and a --spec that differs from the earlier result's", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "result.json");
    await Deno.writeTextFile(path, formatJson(sampleResult()));
    await assert.rejects(Regrade.load(path, { shard: "1/2" }), UsageError);
    const regrade = await Regrade.load(path, { quiet: true });
    assert.deepEqual(regrade.spec(undefined), sampleResult().spec);
    const other = { ...sampleResult().spec, port: 7001 };
    assert.throws(() => regrade.spec(other), (e: Error) => {
      assert.ok(e instanceof UsageError);
      assert.match(e.message, /spec\.port/);
      return true;
    });
    await assert.rejects(Regrade.load(join(dir, "missing.json"), { quiet: true }), UsageError);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
