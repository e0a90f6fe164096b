/**
 * Tests that every report says which run each grade of a merged result came from: the table's
 * footer and detail view, the HTML overview and student pages, and the JSON.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { GradeResult } from "../result.ts";
import { mergeResults } from "../inputs/merge.ts";
import { formatStart, runGroups, runLabel } from "./_runs.ts";
import { sampleResult } from "./_sample_result.ts";
import { formatDetail, formatTable } from "./table.ts";
import { renderHtmlReport } from "./html.ts";
import { formatJson } from "./json.ts";

/** The sample class, with its first student regraded in a later run. */
function regradedSample(): { merged: GradeResult; regradedId: string } {
  const earlier = sampleResult();
  const first = earlier.submissions[0]!;
  const later: GradeResult = {
    ...sampleResult(),
    startedAt: "2030-01-02T03:04:05.000Z",
    submissions: [structuredClone(first)],
  };
  return {
    merged: mergeResults([earlier, later], ["class.json", "regrade.json"]),
    regradedId: first.id,
  };
}

Deno.test("runLabel() names the file, the shard and the start", () => {
  assert.equal(
    runLabel({ startedAt: "2030-01-02T03:04:05.678Z", file: "s1.json", shard: "1/4" }),
    "s1.json (shard 1/4, started 2030-01-02 03:04:05 UTC)",
  );
  assert.equal(
    runLabel({ startedAt: "2030-01-02T03:04:05Z" }),
    "the run started 2030-01-02 03:04:05 UTC",
  );
  assert.equal(formatStart("not a date"), "not a date");
});

Deno.test("runGroups() lists the runs oldest first with their students, none when not merged", () => {
  assert.deepEqual(runGroups(sampleResult()), []);
  const { merged, regradedId } = regradedSample();
  const groups = runGroups(merged);
  assert.deepEqual(groups.map((g) => g.run.file), ["class.json", "regrade.json"]);
  assert.deepEqual(groups[1]!.ids, [regradedId]);
  assert.ok(!groups[0]!.ids.includes(regradedId));
  assert.equal(groups[0]!.ids.length + 1, merged.submissions.length);
});

Deno.test("the table footer and the detail view name the run of each grade", () => {
  const { merged, regradedId } = regradedSample();
  const table = formatTable(merged, { color: false, width: 100 });
  assert.match(table, /grades from 2 runs:/);
  assert.match(table, /^ {2}class\.json \(started [^)]+\): alice, bob, 陳大文$/m);
  assert.ok(
    table.includes(`regrade.json (started 2030-01-02 03:04:05 UTC): ${regradedId}`),
    table,
  );
  const regraded = merged.submissions.find((s) => s.id === regradedId)!;
  assert.match(formatDetail(regraded, { color: false }), /from regrade\.json \(started 2030/);
  assert.doesNotMatch(formatTable(sampleResult(), { color: false }), /grades from/);
});

Deno.test("the footer names the regrade command it is given when a check could not run", () => {
  const result = sampleResult();
  assert.ok(result.submissions.some((s) => s.checks.some((c) => c.status === "error")));
  const command = "deno task grade --regrade-errors r.json --json r.json class/";
  const table = formatTable(result, { color: false, regradeCommand: command });
  assert.ok(table.includes(`regrade only them with:\n  ${command}\n`), table);
  assert.match(formatTable(result, { color: false }), /^ {2}grade --regrade-errors RESULT\.json/m);
});

Deno.test("the HTML overview lists the runs and each student page names its run", () => {
  const { merged, regradedId } = regradedSample();
  const files = renderHtmlReport(merged);
  assert.match(files.get("index.html")!, /Grades from 2 runs:/);
  assert.match(files.get("index.html")!, /regrade\.json \(started 2030-01-02 03:04:05 UTC\)/);
  const pages = [...files].filter(([name]) => name !== "index.html").map(([, text]) => text);
  const withRegrade = pages.filter((p) => p.includes("from regrade.json"));
  assert.equal(withRegrade.length, 1);
  assert.equal(pages.filter((p) => p.includes("from class.json")).length, pages.length - 1);
  assert.ok(regradedId.length > 0);
});

Deno.test("the JSON keeps each submission's run after its notes", () => {
  const { merged } = regradedSample();
  const json = JSON.parse(formatJson(merged)) as GradeResult;
  assert.deepEqual(json.submissions.map((s) => s.run?.file).sort(), [
    "class.json",
    "class.json",
    "class.json",
    "regrade.json",
  ]);
  const keys = Object.keys(json.submissions[0]!);
  assert.ok(keys.indexOf("run") === keys.indexOf("checks") - 1, keys.join(","));
});
