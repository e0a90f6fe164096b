/** Tests for line framing: split and packed reads, CRLF, close as a delimiter, oversize lines. */

import assert from "node:assert/strict";
import { frameAll, frameDatagram, LineFramer } from "./framing.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

Deno.test("LineFramer frames any split of the same bytes identically", () => {
  const text = "Client Query test\nCleint Query\r\nClient Query Quit\nlast";
  const expected = ["Client Query test", "Cleint Query", "Client Query Quit", "last"];
  const bytes = enc(text);
  for (let cut = 0; cut <= bytes.length; cut++) {
    const framer = new LineFramer();
    const got = [
      ...framer.push(bytes.subarray(0, cut)),
      ...framer.push(bytes.subarray(cut)),
      ...framer.end(),
    ];
    assert.deepEqual(got.map((m) => dec(m.bytes)), expected, `cut at ${cut}`);
    assert.deepEqual(got.map((m) => m.endedBy), ["newline", "newline", "newline", "close"]);
  }
});

Deno.test("LineFramer keeps empty lines, NULs and a lone \\r inside a message", () => {
  const got = frameAll(enc("\n\0a\rb\n\r\n"));
  assert.deepEqual(got.map((m) => dec(m.bytes)), ["", "\0a\rb", ""]);
});

Deno.test("LineFramer.end() returns nothing when the stream ended on a newline", () => {
  const framer = new LineFramer();
  assert.equal(framer.push(enc("x\n")).length, 1);
  assert.deepEqual(framer.end(), []);
});

Deno.test("LineFramer discards a line over the limit up to its newline and reports it", () => {
  const oversize: number[] = [];
  const framer = new LineFramer(8, (o) => oversize.push(o.discardedBytes));
  const got = [
    ...framer.push(enc("12345")),
    ...framer.push(enc("67890abc")),
    ...framer.push(enc("def\nok\n")),
  ];
  assert.deepEqual(got.map((m) => dec(m.bytes)), ["ok"]);
  assert.deepEqual(oversize, [16]);
});

Deno.test("LineFramer reports an oversize line that ends at close", () => {
  const oversize: number[] = [];
  const framer = new LineFramer(4, (o) => oversize.push(o.discardedBytes));
  framer.push(enc("123456"));
  assert.deepEqual(framer.end(), []);
  assert.deepEqual(oversize, [6]);
});

Deno.test("LineFramer holds no more than its limit for 1 MiB without a newline", () => {
  const framer = new LineFramer(64 * 1024);
  const chunk = new Uint8Array(64 * 1024).fill(65);
  for (let i = 0; i < 16; i++) assert.deepEqual(framer.push(chunk), []);
  assert.deepEqual(framer.push(enc("\nClient Query\n")).map((m) => dec(m.bytes)), ["Client Query"]);
});

Deno.test("frameDatagram() keeps a datagram whole and drops one trailing newline only", () => {
  const text = (s: string) =>
    new TextDecoder().decode(frameDatagram(new TextEncoder().encode(s)).bytes);
  assert.equal(text("Client Query\n"), "Client Query");
  assert.equal(text("a\nb"), "a\nb");
  assert.equal(text("a\n\n"), "a\n");
  assert.equal(text(""), "");
  assert.equal(frameDatagram(new Uint8Array([65])).endedBy, "datagram");
});
