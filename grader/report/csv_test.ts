/**
 * Tests for the gradebook CSV: round trip through csv-parse.
 *
 * @module
 */

import assert from "node:assert/strict";
import { parse } from "csv-parse/sync";
import { CHECK_IDS } from "../checks/catalogue.ts";
import { CHEN, sampleResult, ZOE } from "./_sample_result.ts";
import { formatCsv, neutraliseCell } from "./csv.ts";

Deno.test("formatCsv() round-trips through csv-parse with quoting and UTF-8 intact", () => {
  const result = sampleResult();
  const text = formatCsv(result);
  const rows: string[][] = parse(text);
  assert.deepEqual(rows[0], ["id", "score", "max", "percent", ...CHECK_IDS]);
  assert.deepEqual(rows.slice(1).map((r) => r[0]), ["alice", "bob", ZOE, CHEN]);
  for (const row of rows.slice(1)) {
    const s = result.submissions.find((x) => x.id === row[0])!;
    assert.deepEqual(row.slice(1), [
      String(s.score),
      String(s.maxScore),
      String(Math.round(s.score / s.maxScore * 10000) / 100),
      ...s.checks.map((c) => c.status === "error" ? "" : String(c.points)),
    ]);
  }
  assert.ok(text.includes(`"${ZOE}"`), "an id with a comma is quoted");
  assert.ok(text.includes("\r\n"));
  assert.ok(!text.startsWith("\ufeff"));
});

Deno.test("formatCsv() can start with a BOM and keeps check ids it does not know", () => {
  const result = sampleResult();
  const extra = { ...result.submissions[0]!.checks[0]!, id: "server.future" as never, points: 2 };
  result.submissions[0]!.checks.push(extra);
  const text = formatCsv(result, { bom: true });
  assert.ok(text.startsWith("\ufeff"));
  const rows: string[][] = parse(text, { bom: true });
  assert.equal(rows[0]!.at(-1), "server.future");
  const zoe = rows.find((r) => r[0] === ZOE)!;
  assert.equal(zoe.at(-1), "2");
  assert.equal(rows.find((r) => r[0] === "alice")!.at(-1), "");
});

Deno.test("formatCsv() neutralises cells a spreadsheet would run as formulas", () => {
  const result = sampleResult();
  const hostile = ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx", "plain"];
  result.submissions = hostile.map((id, i) => ({ ...result.submissions[i % 4]!, id }));
  const rows: string[][] = parse(formatCsv(result));
  const ids = rows.slice(1).map((r) => r[0]);
  for (const id of hostile) {
    assert.ok(ids.includes(id === "plain" ? id : `'${id}`), `${JSON.stringify(id)} in ${ids}`);
  }
  for (const row of rows.slice(1)) {
    for (const cell of row.slice(1)) assert.match(cell, /^(\d+(\.\d+)?)?$/, "points stay numbers");
  }
});

Deno.test("neutraliseCell() keeps plain numbers, negative ones included", () => {
  assert.deepEqual(
    ["-2", "7.5", "0", "-0.25", "-", "-x", "+3", "=A1"].map(neutraliseCell),
    ["-2", "7.5", "0", "-0.25", "'-", "'-x", "'+3", "'=A1"],
  );
});

Deno.test("formatCsv() percent leaves out checks the grader could not run", () => {
  const result = sampleResult();
  const bob = result.submissions.find((s) => s.id === "bob")!;
  assert.ok(bob.checks.some((c) => c.status === "error"), "the sample has a grader fault");
  bob.score = 80;
  bob.maxScore = 82;
  result.submissions = [bob, { ...bob, id: "nobody", score: 0, maxScore: 0 }];
  const rows: string[][] = parse(formatCsv(result));
  assert.deepEqual(rows[1]!.slice(0, 4), ["bob", "80", "82", "97.56"]);
  assert.deepEqual(rows[2]!.slice(0, 4), ["nobody", "0", "0", ""]);
  const errorColumn = rows[0]!.indexOf("server.address-filter");
  assert.equal(rows[1]![errorColumn], "", "a check the grader could not run is no 0");
});
