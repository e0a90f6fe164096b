/** Tests for grading one submission: the host guard where the socket interposer is missing. */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { loopbackPlan } from "../sandbox/net_plan.ts";
import { DEFAULT_SPEC, type Spec } from "../spec.ts";
import { gradeSubmission } from "./worker.ts";

const FIXTURES = fileURLToPath(new URL("../../tests/fixtures", import.meta.url));

Deno.test("without the interposer, code naming foreign addresses is not run: its run checks are error, not charged", async () => {
  const cacheDir = await Deno.makeTempDir();
  try {
    const result = await gradeSubmission({
      id: "hardcoded",
      path: `${FIXTURES}/c-hardcoded-article`,
      spec: structuredClone(DEFAULT_SPEC) as Spec,
      net: { ...loopbackPlan(), interposerUnavailable: "the test says so" },
      cacheDir,
    });
    const statuses = new Set(
      result.checks.filter((c) => !c.id.startsWith("build.")).map((c) => c.status),
    );
    assert.deepEqual([...statuses], ["error"]);
    const starts = result.checks.find((c) => c.id === "server.starts")!;
    assert.match(starts.message, /server\.c \(192\.168\.100\.168, 192\.168\.100\.2\)/);
    assert.match(starts.message, /the test says so/);
    assert.equal(result.score, result.maxScore);
  } finally {
    await Deno.remove(cacheDir, { recursive: true });
  }
});

Deno.test("without the interposer, the guard ignores addresses in comments; usage strings and log lines still count", async () => {
  const cacheDir = await Deno.makeTempDir();
  try {
    const result = await gradeSubmission({
      id: "commented",
      path: `${FIXTURES}/c-address-in-comment`,
      spec: structuredClone(DEFAULT_SPEC) as Spec,
      net: { ...loopbackPlan(), interposerUnavailable: "the test says so" },
      cacheDir,
    });
    // its usage strings and log lines still name addresses: the guard cannot tell them apart
    const starts = result.checks.find((c) => c.id === "server.starts")!;
    assert.equal(starts.status, "error");
    assert.doesNotMatch(starts.message, /1\.2\.3\.4/); // only in a comment
  } finally {
    await Deno.remove(cacheDir, { recursive: true });
  }
});
