/** Tests for showing bytes escaped in evidence. */

import assert from "node:assert/strict";
import { escapeBytes, escapeText } from "./bytes.ts";

Deno.test("escapeBytes() shows control bytes, NULs and invalid UTF-8 as escapes", async (t) => {
  const cases: [string, number[] | string, string][] = [
    ["newline and CR", "a\r\nb", "a\\r\\nb"],
    ["NUL and tab", "x\0\t", "x\\0\\t"],
    ["backslash", "a\\b", "a\\\\b"],
    ["other control", [1, 0x1b, 0x7f], "\\x01\\x1b\\x7f"],
    ["UTF-8 stays", "Zoë 你好", "Zoë 你好"],
    ["invalid UTF-8", [0xff, 0xc3, 0x41], "\\xff\\xc3A"],
    ["truncated UTF-8 at end", [0x41, 0xe4, 0xbd], "A\\xe4\\xbd"],
  ];
  for (const [name, input, expected] of cases) {
    await t.step(name, () => {
      const bytes = typeof input === "string"
        ? new TextEncoder().encode(input)
        : new Uint8Array(input);
      assert.equal(escapeBytes(bytes), expected);
    });
  }
});

Deno.test("escapeBytes() keeps the head and tail of long data and says how much was cut", () => {
  const bytes = new Uint8Array(10_000).fill(0x61);
  bytes[0] = 0x42;
  bytes[9_999] = 0x45;
  const shown = escapeBytes(bytes, 100);
  assert.match(shown, /^Ba{49}…\[9900 bytes left out\]…a{49}E$/);
});

Deno.test("escapeText() escapes a string's bytes", () => {
  assert.equal(escapeText("Client Query\n"), "Client Query\\n");
});
