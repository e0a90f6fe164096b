/**
 * Tests for evidence as text lines.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  actorsOf,
  cutLines,
  evidenceLines,
  exchangeLines,
  splitEscapedLines,
} from "./_evidence.ts";
import { triggerExchange } from "./_sample_result.ts";

Deno.test("splitEscapedLines() splits at \\n escapes but not at an escaped backslash", () => {
  assert.deepEqual(splitEscapedLines("a\\nb\\r\\n"), ["a", "b\\r"]);
  assert.deepEqual(splitEscapedLines("C:\\\\new\\n"), ["C:\\\\new"]);
  assert.deepEqual(splitEscapedLines(""), []);
});

Deno.test("cutLines() keeps head and tail and says how much is left out", () => {
  const lines = Array.from({ length: 100 }, (_, i) => `line ${i}`);
  const cut = cutLines(lines, 10);
  assert.equal(cut.length, 10);
  assert.equal(cut[0], "line 0");
  assert.equal(cut.at(-1), "line 99");
  assert.ok(cut.some((l) => l.includes("91 more lines")));
});

Deno.test("exchangeLines() shows sends as → and receives as ← with escaped bytes", () => {
  const lines = exchangeLines(triggerExchange());
  assert.equal(lines[0], "exchange: trigger from 192.168.100.2");
  assert.ok(lines.some((l) => /probe\s+→ server\s+send "Client Query\\n" \(13 B\)/.test(l)));
  assert.ok(lines.some((l) => /server ← probe\s+recv "Client Query\\n"/.test(l)));
  assert.ok(lines.some((l) => l.includes('stdout "Receive Query"')));
});

Deno.test("actorsOf() adds the silent server a probe talks to", () => {
  const exchange = {
    label: "no response",
    events: [{ atMs: 0, actor: "probe" as const, kind: "send" as const, data: "x" }],
  };
  assert.deepEqual(actorsOf(exchange), ["probe", "server"]);
});

Deno.test("evidenceLines() shows output, fields and exchanges, escaping control characters", () => {
  const lines = evidenceLines({
    stdout: "one\\ntwo\\n",
    stderr: "",
    exitCode: 1,
    weird: "a\x1b[31mb",
  });
  assert.deepEqual(lines, [
    "stdout:",
    "  │ one",
    "  │ two",
    "stderr: (empty)",
    "exitCode: 1",
    "weird: a\\x1b[31mb",
  ]);
});
