import assert from "node:assert/strict";
import { StreamCapture } from "./_capture.ts";

const bytes = (s: string) => new TextEncoder().encode(s);

Deno.test("StreamCapture splits chunks into lines with the time the line completed", () => {
  const capture = new StreamCapture(1024);
  capture.push(bytes("Receive Qu"), 1);
  assert.deepEqual(capture.lines, []);
  capture.push(bytes("ery\r\nsecond\n\nthi"), 2);
  capture.push(bytes("rd"), 3);
  capture.end(4);
  assert.deepEqual(capture.lines, [
    { atMs: 2, text: "Receive Query" },
    { atMs: 2, text: "second" },
    { atMs: 2, text: "" },
    { atMs: 4, text: "third" },
  ]);
  assert.equal(new TextDecoder().decode(capture.bytes()), "Receive Query\r\nsecond\n\nthird");
});

Deno.test("StreamCapture decodes UTF-8 split across chunks", () => {
  const capture = new StreamCapture(1024);
  const all = bytes("héllo\n");
  capture.push(all.subarray(0, 2), 1);
  capture.push(all.subarray(2), 2);
  assert.equal(capture.lines[0]?.text, "héllo");
});

Deno.test("StreamCapture keeps head and tail, and caps line length and total", () => {
  const capture = new StreamCapture(10);
  capture.push(bytes("0123456789abcdefghij\nxyz\n"), 1);
  assert.equal(new TextDecoder().decode(capture.bytes()), "01234…[15 bytes left out]…\nxyz\n");
  assert.deepEqual(capture.lines.map((l) => l.text), ["0123456789", "xyz"]);
  for (let i = 0; i < 10; i++) capture.push(bytes("0123456789\n"), 2);
  assert.ok(capture.lines.length < 6, "lines stop being stored past 4 × the cap");
  assert.equal(capture.totalBytes, 25 + 110);
});

Deno.test("StreamCapture.waitForLine() resolves on a match, on timeout and at the end", async () => {
  const capture = new StreamCapture(1024);
  capture.push(bytes("a\n"), 1);
  const waitB = capture.waitForLine((line) => line === "b", 10_000);
  const fromOne = capture.waitForLine(() => true, 10_000, 1);
  capture.push(bytes("b\n"), 2);
  assert.deepEqual(await waitB, { atMs: 2, text: "b" });
  assert.deepEqual(await fromOne, { atMs: 2, text: "b" });
  assert.equal(await capture.waitForLine((line) => line === "c", 5), undefined);
  const never = capture.waitForLine((line) => line === "c", 10_000);
  capture.end(3);
  assert.equal(await never, undefined);
});

Deno.test("StreamCapture.waitForLine() rejects when pred throws, and capture goes on", async () => {
  const capture = new StreamCapture(1024);
  const failing = capture.waitForLine(() => {
    throw new RangeError("bad predicate");
  }, 10_000);
  capture.push(bytes("x\n"), 1);
  await assert.rejects(failing, RangeError);
  capture.push(bytes("y\n"), 2);
  assert.deepEqual(capture.lines.map((l) => l.text), ["x", "y"]);
});

Deno.test("StreamCapture counts exactly the lines it drops past the total cap", async (t) => {
  const stored = "aaaaaaaaa\n".repeat(4); // 36 of the 40 bytes lines may hold with a cap of 10
  await t.step("lines arriving in pieces", () => {
    const capture = new StreamCapture(10);
    capture.push(bytes(stored), 1);
    assert.equal(capture.linesDropped, 0);
    capture.push(bytes("bbbbb\n"), 2);
    capture.push(bytes("c\n"), 3);
    for (const piece of ["d", "d\ne", "e"]) capture.push(bytes(piece), 4);
    assert.equal(capture.linesDropped, 3, "bbbbb, c and dd; ee is not complete yet");
    capture.end(5);
    assert.equal(capture.linesDropped, 4, "ee counts at the end");
    assert.deepEqual(capture.lines.map((l) => l.text), Array(4).fill("aaaaaaaaa"));
  });
  await t.step("the cap reached inside one chunk", () => {
    const capture = new StreamCapture(10);
    capture.push(bytes(`${stored}bbbbb\nc\nd`), 1);
    capture.push(bytes("\n"), 2);
    capture.end(3);
    assert.equal(capture.linesDropped, 3);
    assert.equal(capture.lines.length, 4, "c would fit, but lines stay the start of the output");
  });
});
