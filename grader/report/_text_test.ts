/**
 * Tests for the terminal text helpers.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  compareIds,
  formatDuration,
  formatPoints,
  padEnd,
  stripAnsi,
  terminalSafe,
  truncate,
  visibleWidth,
} from "./_text.ts";

Deno.test("visibleWidth() counts wide characters twice and combining marks not at all", () => {
  assert.equal(visibleWidth("alice"), 5);
  assert.equal(visibleWidth("陳大文"), 6);
  assert.equal(visibleWidth("Zoë"), 3);
  assert.equal(visibleWidth("Zoe\u0308"), 3);
  assert.equal(visibleWidth("ｆｕｌｌ"), 8);
  assert.equal(visibleWidth("ok 🎉"), 5);
  assert.equal(visibleWidth("\x1b[31mred\x1b[39m"), 3);
});

Deno.test("truncate() and padEnd() work in columns, not code units", () => {
  assert.equal(truncate("陳大文陳大文", 7), "陳大文…");
  assert.equal(visibleWidth(truncate("陳大文陳大文", 7)), 7);
  assert.equal(truncate("short", 10), "short");
  assert.equal(padEnd("陳", 4), "陳  ");
  assert.equal(stripAnsi(padEnd("\x1b[1mab\x1b[22m", 4)), "ab  ");
});

Deno.test("terminalSafe() escapes control characters so output cannot drive the terminal", () => {
  assert.equal(terminalSafe("a\x1b[2Jb\n\r\t\0"), "a\\x1b[2Jb\\n\\r\\t\\x00");
  assert.equal(terminalSafe("Zoë <ok>"), "Zoë <ok>");
});

Deno.test("compareIds() sorts naturally and deterministically", () => {
  assert.deepEqual(["s10", "s2", "Bob", "alice"].sort(compareIds), ["alice", "Bob", "s2", "s10"]);
  assert.notEqual(compareIds("a", "A"), 0);
});

Deno.test("formatPoints() and formatDuration() read like people write them", () => {
  assert.equal(formatPoints(15), "15");
  assert.equal(formatPoints(1 / 3), "0.33");
  assert.equal(formatDuration(850), "850 ms");
  assert.equal(formatDuration(1840), "1.8 s");
  assert.equal(formatDuration(125_000), "2 min 5 s");
});

Deno.test("terminalSafe() escapes C1 controls and bidirectional formatting characters", () => {
  assert.equal(terminalSafe("a\x9b2Jb\x85"), "a\\x9b2Jb\\x85");
  assert.equal(
    terminalSafe("x\u202egnp.exe\u202a\u202d\u2066\u2067\u2068\u2069\u200e\u200f\u061c\u2028"),
    "x\\u202egnp.exe\\u202a\\u202d\\u2066\\u2067\\u2068\\u2069\\u200e\\u200f\\u061c\\u2028",
  );
  assert.equal(terminalSafe("עברית 中文 😀"), "עברית 中文 😀", "ordinary text stays");
});
