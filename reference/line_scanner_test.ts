import assert from "node:assert/strict";
import { LineScanner } from "./line_scanner.ts";
import { LineFramer } from "../grader/probes/framing.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Scans `chunks` and returns each line (as text, ended by close marked `$`) and each discard. */
function scan(chunks: Uint8Array[], maxLineBytes = 64): string[] {
  const out: string[] = [];
  const scanner = new LineScanner(
    maxLineBytes,
    (line, endedBy) => out.push(`${decoder.decode(line)}${endedBy === "close" ? "$" : ""}`),
    (discarded) => out.push(`<discarded ${discarded}>`),
  );
  for (const chunk of chunks) scanner.push(chunk);
  scanner.end();
  return out;
}

/**
 * The same through the grader's framer, which is the contract's reading of a stream; fed a byte
 * at a time, so its discards come out in order with its messages.
 */
function frame(chunks: Uint8Array[], maxLineBytes = 64): string[] {
  const out: string[] = [];
  const framer = new LineFramer(
    maxLineBytes,
    ({ discardedBytes }) => out.push(`<discarded ${discardedBytes}>`),
  );
  const take = (m: { bytes: Uint8Array; endedBy: string }) =>
    out.push(`${decoder.decode(m.bytes)}${m.endedBy === "close" ? "$" : ""}`);
  for (const chunk of chunks) {
    for (let i = 0; i < chunk.length; i++) framer.push(chunk.subarray(i, i + 1)).forEach(take);
  }
  framer.end().forEach(take);
  return out;
}

const STREAM = encoder.encode(
  "Cleint Query\nClient Query\r\nClient Query test\n\n\r\n" + "x".repeat(70) +
    "\nClient Query\rX\nClient Query\r\r\nClient Query",
);

Deno.test("LineScanner frames like the grader's LineFramer at every split into two and three chunks", () => {
  const expected = frame([STREAM]);
  assert.deepEqual(expected, [
    "Cleint Query",
    "Client Query",
    "Client Query test",
    "",
    "",
    "<discarded 70>",
    "Client Query\rX",
    "Client Query\r",
    "Client Query$",
  ]);
  for (let i = 0; i <= STREAM.length; i++) {
    const two = [STREAM.subarray(0, i), STREAM.subarray(i)];
    assert.deepEqual(scan(two), expected, `split at ${i}`);
    for (let j = i; j <= STREAM.length; j += 7) {
      const three = [STREAM.subarray(0, i), STREAM.subarray(i, j), STREAM.subarray(j)];
      assert.deepEqual(scan(three), expected, `split at ${i} and ${j}`);
    }
  }
});

Deno.test("LineScanner hands on 10,000 lines fed one byte at a time and in 4 KiB chunks", () => {
  const lines = Array.from({ length: 10_000 }, (_, i) => i % 3 === 1 ? "Client Query" : `m${i}`);
  const bytes = encoder.encode(lines.map((l, i) => i % 2 ? `${l}\r\n` : `${l}\n`).join(""));
  const byteWise = Array.from({ length: bytes.length }, (_, i) => bytes.subarray(i, i + 1));
  assert.deepEqual(scan(byteWise), lines);
  const chunks = [];
  for (let i = 0; i < bytes.length; i += 4096) chunks.push(bytes.subarray(i, i + 4096));
  assert.deepEqual(scan(chunks), lines);
});

Deno.test("LineScanner keeps no more than the limit of a line that never ends", () => {
  const out = scan([encoder.encode("y".repeat(40)), encoder.encode("y".repeat(40))], 64);
  assert.deepEqual(out, ["<discarded 80>"]);
  assert.deepEqual(scan([encoder.encode("y".repeat(64) + "\n")], 64), ["y".repeat(64)]);
});

Deno.test("LineScanner hands on views that the caller must copy, and a copy survives the next push", () => {
  const kept: Uint8Array[] = [];
  const scanner = new LineScanner(64, (line) => kept.push(line.slice()));
  const buffer = encoder.encode("Client Query\nCleint Qu");
  scanner.push(buffer);
  buffer.fill(0);
  scanner.push(encoder.encode("ery\n"));
  assert.deepEqual(kept.map((l) => decoder.decode(l)), ["Client Query", "Cleint Query"]);
});
