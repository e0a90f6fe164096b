/**
 * Tests for the terminal summary table, the detail view and the student view.
 *
 * @module
 */

import assert from "node:assert/strict";
import { CHECK_IDS } from "../checks/catalogue.ts";
import type { SubmissionResult } from "../result.ts";
import { CHEN, sampleResult, sampleSingle, ZOE } from "./_sample_result.ts";
import { stripAnsi, visibleWidth } from "./_text.ts";
import { formatDetail, formatStudentView, formatTable } from "./table.ts";

// deno-lint-ignore no-control-regex
const ANSI = /\x1b\[/;

/** The rows between the header's rule and the closing rule. */
function rowsOf(table: string): string[] {
  const lines = table.split("\n").slice(2);
  return lines.slice(0, lines.findIndex((l) => l.startsWith("─")));
}

Deno.test("formatTable() lists submissions sorted by id with score and every check that cost points", () => {
  const table = formatTable(sampleResult(), { color: false });
  const rows = rowsOf(table);
  assert.deepEqual(rows.map((r) => r.split("  ")[0]), ["alice", "bob", ZOE, CHEN]);
  assert.match(
    rows[1]!,
    /50\/90\s+build\.client, server\.address-filter!, server\.robustness, \+5 more$/,
  );
  assert.match(rows[2]!, /55\/100\s+server\.trigger, server\.exact-match/);
  assert.match(rows[3]!, /97\/100\s+server\.concurrency~$/, "a warning that cost points is named");
  assert.match(table, /4 submissions · mean 76\.89% · median 76\.28% · 1 with full marks/);
  assert.match(table, /1 with full marks(\n| · )2 below full marks(\n| · )1 not fully graded/);
  assert.match(table, /! = the grader could not run it \(not charged\)/);
  assert.match(table, /~ = passed with a remark/);
  for (const line of table.split("\n").slice(2 + rows.length)) {
    assert.ok(visibleWidth(line) <= 80, `footer line wider than 80 columns: ${line}`);
  }
  assert.doesNotMatch(table, ANSI);
});

Deno.test("formatTable() aligns the score column by visible width, wide characters included", () => {
  const rows = rowsOf(formatTable(sampleResult(), { color: false }));
  const ends = rows.map((r) => {
    const match = r.match(/^(.*?\d+\/\d+)/)!;
    return visibleWidth(match[1]!);
  });
  assert.equal(new Set(ends).size, 1, rows.join("\n"));
});

Deno.test("formatTable() colours only when asked", () => {
  const coloured = formatTable(sampleResult(), { color: true });
  assert.match(coloured, ANSI);
  assert.equal(stripAnsi(coloured), formatTable(sampleResult(), { color: false }));
});

Deno.test("formatTable() stays readable at 300 rows in a narrow terminal", () => {
  const result = sampleResult();
  const zoe = result.submissions.find((s) => s.id === ZOE)!;
  result.submissions = Array.from({ length: 300 }, (_, i): SubmissionResult => ({
    ...zoe,
    id: `student-${i + 1}-with-a-rather-long-folder-name`,
    checks: zoe.checks.map((c) => ({ ...c, status: i % 2 ? "fail" : c.status })),
  }));
  const table = formatTable(result, { color: false, width: 80 });
  const rows = rowsOf(table);
  assert.equal(rows.length, 300);
  for (const row of rows) assert.ok(visibleWidth(row) <= 80, row);
  assert.match(rows[0]!, /^student-1-with-a-rather-long-fo…/);
  assert.match(rows[1]!, /\+\d+ more$/);
  assert.equal(rows[9]!.split("  ")[0], "student-10-with-a-rather-long-f…");
});

Deno.test("formatTable() escapes control characters in ids", () => {
  const result = sampleResult();
  result.submissions[0]!.id = "evil\x1b[2J";
  const table = formatTable(result, { color: false });
  assert.doesNotMatch(table, ANSI);
  assert.match(table, /evil\\x1b\[2J/);
});

Deno.test("formatDetail() shows every check with points, message, hint and evidence", () => {
  const zoe = sampleResult().submissions.find((s) => s.id === ZOE)!;
  const detail = formatDetail(zoe, { color: false });
  for (const id of CHECK_IDS) {
    assert.match(detail, new RegExp(`^[✓✗!\\-E] ${id.replace(".", "\\.")} `, "m"));
  }
  assert.match(detail, /^✗ server\.trigger\s+0\/15 {2}The server printed "Receive Query" 2 times/m);
  assert.match(detail, /hint: Print the response once per received line/);
  assert.match(detail, /note: The symlink notes\.txt was not followed\./);
  assert.match(detail, /probe\s+→ server\s+send "Client Query\\n" \(13 B\)/);
  assert.match(detail, /capture ← client\s+recv "<script>alert\(1\)<\/script>\\0\\n" \(28 B\)/);
  assert.match(detail, /│ Receive Query/);
  assert.doesNotMatch(detail, ANSI);
});

Deno.test("formatStudentView() puts the first thing to fix on top and leaves out hidden checks", () => {
  const view = formatStudentView(sampleSingle(ZOE), { color: false });
  const lines = view.split("\n");
  assert.equal(lines[0], `sockgrade: ${ZOE} — 45 of 90 points from the checks you can see`);
  assert.equal(lines[2], "THE FIRST THING TO FIX");
  assert.match(lines[3]!, /^ {2}server\.trigger \(trigger answered, 0\/15 points\)$/);
  assert.match(view, /How to fix it: Print the response once per received line/);
  assert.match(view, /What the grader saw:/);
  assert.doesNotMatch(view, /server\.robustness|server\.concurrency/);
  assert.match(
    view,
    /1 check is shown after the due date and 1 check is hidden \(10 points in all\)\./,
  );
});

Deno.test("formatStudentView() says when there is nothing to fix, and that grader errors are not charged", () => {
  assert.match(formatStudentView(sampleSingle("alice"), { color: false }), /Nothing to fix/);
  const bob = formatStudentView(sampleSingle("bob"), { color: false });
  assert.match(bob, /THE FIRST THING TO FIX\n {2}build\.client/);
  assert.match(bob, /could not run 1 check \(marked E\); they do not count against you/);
});

Deno.test("formatStudentView() never says nothing to fix while a check was skipped or errored", async (t) => {
  for (const status of ["skip", "error"] as const) {
    await t.step(status, () => {
      const result = sampleSingle("alice");
      const check = result.submissions[0]!.checks.find((c) => c.id === "server.address-filter")!;
      check.status = status;
      check.message = "could not run here";
      const view = formatStudentView(result, { color: false });
      assert.doesNotMatch(view, /Nothing to fix/);
      assert.match(
        view,
        /No check you can see failed, but 1 of them did not run \(server\.address-filter\)/,
      );
    });
  }
});

Deno.test("formatTable() never counts a submission with errored checks as full marks", () => {
  const result = sampleResult();
  // Every check errored: nothing is charged, so the score is 0/0.
  const errored = result.submissions.map((s) => ({
    ...s,
    score: 0,
    maxScore: 0,
    checks: s.checks.map((k) => ({ ...k, status: "error" as const, points: 0, maxPoints: 0 })),
  }));
  const table = formatTable({ ...result, submissions: errored }, { color: false });
  assert.match(table, /0 with full marks(\n| · )0 below full marks(\n| · )4 not fully graded/);
});
