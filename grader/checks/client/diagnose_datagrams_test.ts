/**
 * Tests for the datagram diagnosis of `client.messages` (`diagnose_datagrams.ts`) and the
 * too-large-datagram words (`_too_large.ts`): pure, on bytes alone.
 */

import assert from "node:assert/strict";
import { diagnoseDatagrams } from "./diagnose_datagrams.ts";
import { tooLargeWords } from "./_too_large.ts";

const EXPECTED = ["Client Query test", "Cleint Query", "Client Query Quit"];
const enc = (s: string) => new TextEncoder().encode(s);
const padded = (s: string, size: number) => {
  const out = new Uint8Array(size);
  out.set(enc(s));
  return out;
};

Deno.test("diagnoseDatagrams() passes one datagram per message, in order", () => {
  const d = diagnoseDatagrams(EXPECTED.map(enc), EXPECTED);
  assert.equal(d.status, "pass");
  assert.equal(d.kind, "exact");
  assert.equal(d.message, "sent the 3 messages in order, one datagram each");
  assert.equal(d.details.layout, "datagrams");
});

Deno.test("diagnoseDatagrams() names each typical mistake first", async (t) => {
  const cases: [string, Uint8Array[], string, RegExp][] = [
    [
      "all messages packed into one datagram",
      [enc(EXPECTED.join("\n"))],
      "packed",
      /^your client sent all its messages in one datagram `Client Query test\\nCleint Query\\nClient Query Quit`: a datagram is one message/,
    ],
    [
      "two messages packed without a delimiter",
      [enc("Client Query test"), enc("Cleint QueryClient Query Quit")],
      "packed",
      /^your client sent several messages in one datagram `Cleint QueryClient Query Quit`/,
    ],
    [
      "a message split over two datagrams",
      [enc("Client Query "), enc("test"), enc("Cleint Query"), enc("Client Query Quit")],
      "split",
      /^your client split the message `Client Query test` over 2 datagrams/,
    ],
    [
      "whole 1024-byte buffers",
      EXPECTED.map((m) => padded(m, 1024)),
      "padding",
      /^your client sent 1024 bytes per datagram: each message is followed by the rest of its buffer/,
    ],
    [
      "a NUL after each message",
      EXPECTED.map((m) => enc(`${m}\0`)),
      "nul-terminated",
      /^each datagram ends with a '\\0' after the message/,
    ],
    ["a missing message", EXPECTED.slice(0, 2).map(enc), "missing", /never sent the third/],
    [
      "reordered messages",
      [EXPECTED[1]!, EXPECTED[0]!, EXPECTED[2]!].map(enc),
      "reordered",
      /right messages in the wrong order/,
    ],
    [
      "the article's typo fixed",
      [enc("Client Query test"), enc("Client Query"), enc("Client Query Quit")],
      "typo-fixed",
      /keeps the article's typo `Cleint Query` verbatim/,
    ],
    ["an extra datagram", [...EXPECTED, "hello"].map(enc), "extra", /sent `hello`, which/],
  ];
  for (const [name, datagrams, kind, message] of cases) {
    await t.step(name, () => {
      const d = diagnoseDatagrams(datagrams, EXPECTED, "c");
      assert.equal(d.status, "fail", d.message);
      assert.equal(d.kind, kind, d.message);
      assert.match(d.message, message);
      assert.ok(d.hint, "a hint says what to do");
    });
  }
});

Deno.test("diagnoseDatagrams() charges half for empty datagrams alone", () => {
  const d = diagnoseDatagrams([...EXPECTED.map(enc), enc("")], EXPECTED);
  assert.equal(d.kind, "empty-datagrams");
  assert.equal(d.fraction, 0.5);
  assert.match(d.message, /also sent 1 empty datagram/);
});

Deno.test("diagnoseDatagrams() puts the too large datagram first, with its words", () => {
  const words = "your client's datagram was too large for a Unix datagram socket here";
  const d = diagnoseDatagrams(EXPECTED.slice(0, 1).map(enc), EXPECTED, undefined, words);
  assert.equal(d.kind, "too-large");
  assert.ok(d.message.startsWith(words), d.message);
  assert.match(d.message, /and 2 more problems/);
});

Deno.test("tooLargeWords() reads EMSGSIZE and ENOBUFS from the client's stderr", () => {
  assert.equal(
    tooLargeWords("unix-dgram", ["sendto: No buffer space available (262144 bytes)"], 212_960),
    `your client's datagram was too large for a Unix datagram socket here (262144 bytes, at most 212960 bytes): its send failed with ENOBUFS ("sendto: No buffer space available (262144 bytes)")`,
  );
  assert.match(
    tooLargeWords("unix-dgram", ["Error: EMSGSIZE"], 212_960) ?? "",
    /\(at most 212960 bytes\): its send failed with EMSGSIZE/,
  );
  assert.match(
    tooLargeWords("udp", ["sendto: Message too long"]) ?? "",
    /too large for a UDP datagram \(at most 65507 bytes\)/,
  );
  // ENOBUFS is the Unix pitfall only; streams have no datagram to be too large.
  assert.equal(tooLargeWords("udp", ["No buffer space available"]), undefined);
  assert.equal(tooLargeWords("tcp", ["Message too long"]), undefined);
  assert.equal(tooLargeWords("unix-dgram", ["connect: No such file or directory"]), undefined);
});
