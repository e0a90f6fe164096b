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
  assert.equal(capture.counts().lines, 12, "but every line is counted");
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

Deno.test("StreamCapture recognises and times the watched line past the cap", () => {
  const capture = new StreamCapture({ captureBytes: 20, watchedLine: "Receive Query" });
  capture.push(bytes(`${"a".repeat(19)}\n`.repeat(5)), 1);
  assert.equal(capture.linesDropped, 1, "the cap is reached");
  capture.push(bytes("noise\nReceive Query\nReceive Query\r\nReceive Queryy\nReceive"), 2);
  capture.push(bytes(" Query\n"), 3);
  const counts = capture.counts();
  assert.equal(counts.lines, 10);
  assert.equal(counts.watched, 3);
  assert.deepEqual(capture.watched.map((l) => l.atMs), [2, 2, 3]);
  assert.equal(capture.lines.length, 4, "only the head is stored");
  assert.equal(counts.otherBytes, capture.totalBytes - "Receive Query\n".length * 3 - 1);
});

Deno.test("StreamCapture bounds the times it keeps, and counts on", () => {
  const capture = new StreamCapture({ captureBytes: 64, watchedLine: "R", maxWatchedTimes: 2 });
  capture.push(bytes("R\n".repeat(5)), 1);
  assert.equal(capture.watched.length, 2);
  assert.equal(capture.counts().watched, 5);
  assert.equal(capture.counts().watchedTimesDropped, 3);
});

Deno.test("StreamCapture removes sync markers, before and past the cap, and joins cut lines", async (t) => {
  const prefix = "\x1esync-x-";
  const cases: [string, string][] = [
    ["stored", ""],
    ["past the cap", `${"a".repeat(39)}\n`.repeat(5)],
    ["in a line longer than the cap", "b".repeat(100)],
  ];
  for (const [name, fill] of cases) {
    await t.step(name, async () => {
      const capture = new StreamCapture({
        captureBytes: 40,
        watchedLine: "Receive Query",
        syncPrefix: prefix,
      });
      capture.push(bytes(fill), 1);
      const synced = capture.waitFor(() => capture.syncSeen >= 2, 10_000);
      capture.push(bytes(`${prefix}1\x1e\nReceive ${prefix}2\x1e\n`), 2);
      assert.equal(await synced, true);
      capture.push(bytes("Query\nlast\n"), 3);
      const lines = fill.split("\n").length - 1;
      if (fill.endsWith("b")) {
        assert.equal(capture.counts().lines, 2, "the long line was cut by the marker");
      } else {
        assert.equal(capture.counts().watched, 1, "the cut response is joined back");
        assert.equal(capture.counts().lines, lines + 2, "markers are not lines");
      }
      assert.equal(new TextDecoder().decode(capture.bytes()).includes(prefix), false);
      if (!fill) assert.deepEqual(capture.lines.map((l) => l.text), ["Receive Query", "last"]);
    });
  }
});

Deno.test("StreamCapture counts output without newlines as pending bytes", async () => {
  const capture = new StreamCapture({ captureBytes: 10, watchedLine: "Receive Query" });
  for (let i = 0; i < 100; i++) capture.push(bytes("x".repeat(100)), i);
  capture.push(bytes("Receive Query\n"), 100);
  assert.equal(capture.counts().pendingBytes, 0);
  assert.equal(capture.counts().watched, 0, "the response ended a line of x's");
  capture.push(bytes("y".repeat(50)), 101);
  assert.equal(capture.counts().pendingBytes, 50);
  assert.equal(capture.counts().otherBytes, capture.totalBytes);
  assert.equal(await capture.waitFor(() => false, 1), false);
});

Deno.test("StreamCapture counts the watched line glued to the end of other output", () => {
  const capture = new StreamCapture({ captureBytes: 40, watchedLine: "Receive Query" });
  capture.push(bytes("....Receive Query\nReceive Query\n"), 1);
  capture.push(bytes(`${"a".repeat(39)}\n`.repeat(5)), 2);
  capture.push(bytes("..Receive Query\r\n"), 3);
  capture.push(bytes(".".repeat(100)), 4);
  capture.push(bytes("Receive Query\n"), 5);
  const counts = capture.counts();
  assert.equal(counts.glued, 2, "before the output was a flood, and after a line without newlines");
  assert.equal(counts.watched, 2, "glued in a flood of lines, it counts as the response");
  assert.deepEqual(capture.watched.map((w) => w.atMs), [1, 3]);
  assert.equal(counts.otherBytes, capture.totalBytes - 2 * "Receive Query\n".length);
});

Deno.test("StreamCapture counts a response a flood's writer split around as the response", () => {
  const capture = new StreamCapture({ captureBytes: 40, watchedLine: "Receive Query" });
  const flood = `${"x".repeat(39)}\n`.repeat(5);
  capture.push(bytes(`${flood}xxxxReceive Query\nxxxxxxxxxxxxx\n`), 1);
  capture.push(bytes(`xxxReceive Query\n`), 2);
  assert.equal(capture.counts().watched, 2);
  assert.equal(capture.counts().glued, 0);
  const quiet = new StreamCapture({ captureBytes: 40, watchedLine: "Receive Query" });
  quiet.push(bytes("xxxxReceive Query\n"), 1);
  assert.deepEqual([quiet.counts().watched, quiet.counts().glued], [0, 1]);
});
