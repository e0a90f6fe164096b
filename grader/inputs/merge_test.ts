/**
 * Tests of merging result files and of reading them with validation.
 *
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { UsageError } from "../errors/usage_error.ts";
import { type GradeResult, RESULT_SCHEMA, type SubmissionResult } from "../result.ts";
import { DEFAULT_SPEC } from "../spec.ts";
import { mergeResults, readResultFile, shardCoverage } from "./merge.ts";

function submission(id: string): SubmissionResult {
  return {
    id,
    path: `class/${id}`,
    language: "c",
    score: 90,
    maxScore: 100,
    durationMs: 10,
    checks: [{
      id: "server.trigger",
      status: "pass",
      points: 15,
      maxPoints: 15,
      message: "answered",
      evidence: {
        exchanges: [{
          label: "trigger",
          events: [{ atMs: 0, actor: "probe", kind: "send", data: "Client Query\\n" }],
        }],
      },
      durationMs: 3,
    }],
  };
}

function result(ids: string[], extra: Partial<GradeResult> = {}): GradeResult {
  return {
    schema: RESULT_SCHEMA,
    spec: structuredClone(DEFAULT_SPEC),
    isolation: "netns",
    startedAt: "2025-03-01T10:00:00.000Z",
    durationMs: 60_000,
    submissions: ids.map(submission),
    ...extra,
  };
}

function usageError(fn: () => unknown, message: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof UsageError, String(e));
    assert.match(e.message, message);
    return true;
  });
}

Deno.test("mergeResults() joins shards, sorting submissions and spanning the wall time", () => {
  const merged = mergeResults([
    result(["dave", "bob"], { shard: "2/2", startedAt: "2025-03-01T10:00:30.000Z" }),
    result(["carol", "alice"], { shard: "1/2", durationMs: 45_000 }),
  ]);
  assert.deepEqual(merged.submissions.map((s) => s.id), ["alice", "bob", "carol", "dave"]);
  assert.equal(merged.startedAt, "2025-03-01T10:00:00.000Z");
  assert.equal(merged.durationMs, 90_000);
  assert.equal(merged.isolation, "netns");
  assert.equal(merged.shard, undefined);
  assert.deepEqual(merged.spec, DEFAULT_SPEC);
});

Deno.test("mergeResults() names the first spec field that differs", () => {
  const other = result(["bob"]);
  other.spec.port = 7000;
  usageError(
    () => mergeResults([result(["alice"]), other], ["a.json", "b.json"]),
    /^b\.json was graded with a different spec than a\.json: spec\.port is 7000 there but 6666 in a\.json\. Merge only results of the same assignment\.$/,
  );
  const messages = result(["bob"]);
  messages.spec.messages = [...messages.spec.messages, "extra"];
  usageError(
    () => mergeResults([result(["alice"]), messages]),
    /spec\.messages\[3\] is "extra" there but unset/,
  );
});

Deno.test("mergeResults() keeps the newest grading of a student graded twice", async (t) => {
  const early = result(["alice", "bob"]);
  const late = result(["bob"], { startedAt: "2025-03-02T09:00:00.000Z" });
  late.submissions[0]!.score = 100;
  await t.step("the later run wins whatever the order of the files", () => {
    for (
      const [inputs, names] of [[[early, late], ["a.json", "b.json"]], [[late, early], [
        "b.json",
        "a.json",
      ]]] as const
    ) {
      const replaced: string[] = [];
      const merged = mergeResults(inputs, names, (r) => {
        replaced.push(`${r.id}: ${r.kept.file} over ${r.dropped.file}`);
      });
      assert.deepEqual(merged.submissions.map((s) => [s.id, s.score]), [["alice", 90], [
        "bob",
        100,
      ]]);
      assert.deepEqual(merged.submissions[1]!.run, {
        startedAt: "2025-03-02T09:00:00.000Z",
        file: "b.json",
      });
      assert.deepEqual(merged.submissions[0]!.run, {
        startedAt: "2025-03-01T10:00:00.000Z",
        file: "a.json",
      });
      assert.deepEqual(replaced, ["bob: b.json over a.json"]);
    }
  });
  await t.step("on a tie, the later file on the command line wins", () => {
    const again = result(["bob"]);
    again.submissions[0]!.score = 50;
    const merged = mergeResults([early, again], ["a.json", "c.json"]);
    assert.equal(merged.submissions.find((s) => s.id === "bob")!.score, 50);
    assert.equal(mergeResults([again, early]).submissions.find((s) => s.id === "bob")!.score, 90);
  });
  await t.step("a result merged before keeps the runs it recorded", () => {
    const once = mergeResults([early], ["a.json"]);
    const twice = mergeResults([once, late], ["merged.json", "b.json"]);
    assert.equal(twice.submissions[0]!.run!.file, "a.json");
    assert.equal(twice.submissions[1]!.run!.file, "b.json");
  });
  await t.step("a shard run again, or beside a whole regrade run, merges", () => {
    const shard = result(["a", "b"], { shard: "1/2" });
    const rerun = result(["b"], { shard: "1/2", startedAt: "2025-03-02T09:00:00.000Z" });
    const regrade = result(["a"], { startedAt: "2025-03-03T09:00:00.000Z" });
    const merged = mergeResults([shard, rerun, regrade]);
    assert.deepEqual(merged.submissions.map((s) => s.run!.startedAt), [
      "2025-03-03T09:00:00.000Z",
      "2025-03-02T09:00:00.000Z",
    ]);
    assert.equal(merged.submissions[1]!.run!.shard, "1/2");
  });
});

Deno.test("mergeResults() refuses shards of different counts", () => {
  usageError(
    () => mergeResults([result(["a"], { shard: "1/2" }), result(["b"], { shard: "2/3" })]),
    /result 2 is shard 2\/3 but result 1 is shard 1\/2\. Merge shards of the same count\./,
  );
  usageError(() => mergeResults([]), /^Nothing to merge/);
});

Deno.test("mergeResults() falls back to `none` when isolation modes differ, keeping each one", () => {
  const merged = mergeResults([
    result(["alice"]),
    result(["bob"], { isolation: "none", isolationReason: "unshare is not permitted" }),
  ], ["a.json", "b.json"]);
  assert.equal(merged.isolation, "none");
  assert.equal(
    merged.isolationReason,
    "the merged results used different modes: netns in a.json, none in b.json (unshare is not permitted)",
  );
  assert.deepEqual(merged.submissions.map((s) => s.isolation), ["netns", "none"]);
});

Deno.test("shardCoverage() lists the shards that are missing", () => {
  assert.equal(shardCoverage([result(["a"])]), null);
  assert.deepEqual(
    shardCoverage([result(["a"], { shard: "3/4" }), result(["b"], { shard: "1/4" })]),
    { count: 4, missing: [2, 4] },
  );
  assert.deepEqual(
    shardCoverage([
      result(["a"], { shard: "1/2" }),
      result(["b"]),
      result(["a"], {
        shard: "1/2",
      }),
    ]),
    { count: 2, missing: [2] },
  );
});

Deno.test("readResultFile() validates the file and names what is wrong", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "sockgrade-merge-test-" });
  try {
    const write = async (name: string, content: unknown) => {
      const path = join(dir, name);
      await Deno.writeTextFile(
        path,
        typeof content === "string" ? content : JSON.stringify(content),
      );
      return path;
    };
    await t.step("a valid file round-trips", async () => {
      const original = result(["alice"], { shard: "1/3" });
      assert.deepEqual(await readResultFile(await write("ok.json", original)), original);
    });
    const bad: [string, unknown, RegExp][] = [
      [
        "not JSON",
        "{ nope",
        /bad\.json: not valid JSON \(.*\)\. Pass a file written by sockgrade grade --json\./,
      ],
      [
        "another schema",
        { schema: "other/thing@2" },
        /not a sockgrade\/result@1 file \(its schema is "other\/thing@2"\)/,
      ],
      ["no schema", [1, 2], /not a sockgrade\/result@1 file \(it has no schema\)/],
      [
        "a bad status",
        (() => {
          const r = result(["alice"]) as unknown as {
            submissions: { checks: { status: string }[] }[];
          };
          r.submissions[0]!.checks[0]!.status = "great";
          return r;
        })(),
        /bad\.json: field "submissions\.0\.checks\.0\.status": .*\. The file is not a valid sockgrade\/result@1 result\./,
      ],
      [
        "a bad spec",
        { ...result([]), spec: { ...DEFAULT_SPEC, port: 0 } },
        /bad\.json \(field "spec"\): field "port": .*Fix the spec and run again\./,
      ],
    ];
    for (const [label, content, message] of bad) {
      await t.step(label, async () => {
        const path = await write("bad.json", content);
        await assert.rejects(readResultFile(path), (e: unknown) => {
          assert.ok(e instanceof UsageError);
          assert.match(e.message, message);
          return true;
        });
      });
    }
    await t.step("a missing file", async () => {
      await assert.rejects(
        readResultFile(join(dir, "nope.json")),
        /Cannot read the result file .*nope\.json: no such file/,
      );
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("mergeResults() keeps the environment, and names a mix without claiming more", async () => {
  const e1 = { id: "E1", description: "namespaces and bubblewrap", lacks: [], unsandboxed: false };
  const e2 = {
    id: "E2",
    description: "no bubblewrap",
    lacks: ["bubblewrap"],
    unsandboxed: true,
  };
  const same = mergeResults([
    result(["bob"], { environment: { ...e1, id: "E1" } }),
    result(["alice"], { environment: { ...e1, id: "E1" } }),
  ]);
  assert.deepEqual(same.environment, e1);
  const mixed = mergeResults([
    result(["bob"], { environment: { ...e1, id: "E1" } }),
    result(["alice"], { environment: { ...e2, id: "E2" } }),
  ], ["a.json", "b.json"]);
  assert.equal(mixed.environment?.id, "E2");
  assert.equal(mixed.environment?.unsandboxed, true);
  assert.match(mixed.environment!.description, /E1 in a\.json, E2 in b\.json/);
  const dir = await Deno.makeTempDir({ prefix: "sockgrade-merge-test-" });
  try {
    const file = join(dir, "r.json");
    await Deno.writeTextFile(
      file,
      JSON.stringify(result(["x"], { environment: { ...e1, id: "E1" } })),
    );
    assert.deepEqual((await readResultFile(file)).environment, e1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
