/** Tests for the `client.messages` diagnosis: what passes, and what each mistake is called. */

import assert from "node:assert/strict";
import {
  diagnoseMessages,
  MAX_LINES_PER_CONNECTION,
  type ReceivedConnection,
  sentMessages,
} from "./diagnose.ts";

const ARTICLE = ["Client Query test", "Cleint Query", "Client Query Quit"];
const enc = (s: string) => new TextEncoder().encode(s);
const conn = (s: string | Uint8Array, closed = true): ReceivedConnection => ({
  bytes: typeof s === "string" ? enc(s) : s,
  closed,
});

/** `text` padded with NULs (or `fill`) up to `size` bytes, as `send(fd, buf, sizeof buf, 0)` does. */
function padded(text: string, size: number, fill = 0): Uint8Array {
  const out = new Uint8Array(size).fill(fill);
  out.set(enc(text));
  return out;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

Deno.test("diagnoseMessages() passes the messages framed per the spec", async (t) => {
  const cases: [string, ReceivedConnection[], RegExp][] = [
    ["one connection", [conn("Client Query test\nCleint Query\nClient Query Quit\n")], /one conn/],
    ["one connection per message", ARTICLE.map((m) => conn(`${m}\n`)), /one connection per/],
    ["CRLF", [conn("Client Query test\r\nCleint Query\r\nClient Query Quit\r\n")], /\\r\\n/],
    [
      "the last ended by close",
      [conn("Client Query test\nCleint Query\nClient Query Quit")],
      /close/,
    ],
    ["each ended by close, one per message", ARTICLE.map((m) => conn(m)), /close/],
    ["an empty connection first", [conn(""), conn(ARTICLE.join("\n") + "\n")], /no bytes/],
  ];
  for (const [name, conns, note] of cases) {
    await t.step(name, () => {
      const d = diagnoseMessages(conns, ARTICLE);
      assert.equal(d.status, "pass", d.message);
      assert.equal(d.kind, "exact");
      assert.match(d.message, note);
      assert.deepEqual(d.details.problems, []);
    });
  }
});

Deno.test("diagnoseMessages() says the messages ran together without delimiters", () => {
  const d = diagnoseMessages([conn("Client Query testCleint QueryClient Query Quit")], ARTICLE);
  assert.equal(d.status, "fail");
  assert.equal(d.kind, "no-delimiter");
  assert.equal(
    d.message,
    "your client sent `Client Query testCleint QueryClient Query Quit` with no '\\n' between " +
      "messages: the server cannot tell where one ends",
  );
  assert.match(d.hint!, /\\n/);
  assert.equal(d.details.problems.length, 1);
});

Deno.test("diagnoseMessages() names the two messages that ran together", () => {
  const d = diagnoseMessages([conn("Client Query test\nCleint QueryClient Query Quit\n")], ARTICLE);
  assert.equal(d.kind, "no-delimiter");
  assert.match(d.message, /`Cleint Query` and `Client Query Quit` run together/);
  assert.equal(d.details.problems.length, 1);
});

Deno.test("diagnoseMessages() spots a separator other than a newline", () => {
  const d = diagnoseMessages([conn("Client Query test;Cleint Query;Client Query Quit;")], ARTICLE);
  assert.equal(d.kind, "other-delimiter");
  assert.match(d.message, /separated the messages with `;` instead of '\\n'/);
});

Deno.test("diagnoseMessages() spots strlen+1 NUL terminators", async (t) => {
  await t.step("after the newline", () => {
    const d = diagnoseMessages([conn(ARTICLE.map((m) => `${m}\n\0`).join(""))], ARTICLE, "c");
    assert.equal(d.status, "fail");
    assert.equal(d.kind, "nul-terminated");
    assert.match(d.message, /each message ends with '\\0'/);
    assert.match(d.hint!, /strlen\(buf\) bytes, not strlen\(buf\)\+1/);
    assert.equal(d.details.problems.length, 1);
  });
  await t.step("instead of the newline", () => {
    const d = diagnoseMessages([conn(ARTICLE.map((m) => `${m}\0`).join(""))], ARTICLE);
    assert.equal(d.kind, "nul-terminated");
    assert.match(d.message, /'\\0' instead of '\\n'/);
    assert.equal(d.details.problems.length, 1);
  });
  await t.step("one connection per message", () => {
    const d = diagnoseMessages(ARTICLE.map((m) => conn(`${m}\0`)), ARTICLE);
    assert.equal(d.kind, "nul-terminated");
    assert.equal(d.details.layout, "one per message");
  });
});

Deno.test("diagnoseMessages() spots whole buffers sent with sizeof", async (t) => {
  await t.step("zeroed 4096-byte buffers on one connection", () => {
    const bytes = concat(...ARTICLE.map((m) => padded(`${m}\n`, 4096)));
    const d = diagnoseMessages([conn(bytes)], ARTICLE, "c");
    assert.equal(d.status, "fail");
    assert.equal(d.kind, "padding");
    assert.match(d.message, /4096 bytes per message/);
    assert.match(d.hint!, /sizeof buf.*strlen\(buf\)/);
    assert.equal(d.details.problems.length, 1);
  });
  await t.step("1024-byte buffers without newlines, one connection each", () => {
    const d = diagnoseMessages(ARTICLE.map((m) => conn(padded(m, 1024))), ARTICLE);
    assert.equal(d.kind, "padding");
    assert.match(d.message, /1024 bytes per message/);
  });
  await t.step("a reused buffer with leftovers of the previous message", () => {
    const first = padded("Client Query test\n", 256);
    const second = first.slice();
    second.set(enc("Cleint Query\n\0"));
    const third = second.slice();
    third.set(enc("Client Query Quit\n\0"));
    const d = diagnoseMessages([conn(concat(first, second, third))], ARTICLE);
    assert.equal(d.kind, "padding");
    assert.match(d.message, /256 bytes per message/);
  });
  await t.step("uninitialised buffers (garbage after the NUL)", () => {
    const bytes = concat(...ARTICLE.map((m) => padded(`${m}\0`, 128, 0x41)));
    const d = diagnoseMessages([conn(bytes)], ARTICLE);
    assert.equal(d.kind, "padding");
    assert.match(d.message, /128 bytes per message/);
  });
  await t.step("padding and a fixed typo", () => {
    const msgs = ["Client Query test", "Client Query", "Client Query Quit"];
    const d = diagnoseMessages([conn(concat(...msgs.map((m) => padded(m, 512))))], ARTICLE);
    assert.equal(d.kind, "padding");
    assert.deepEqual(d.details.problems.map((p) => p.kind), ["padding", "typo-fixed"]);
    assert.match(d.message, /and 1 more problem/);
  });
});

Deno.test("diagnoseMessages() says a fixed typo is kept verbatim by the assignment", () => {
  const d = diagnoseMessages(
    [conn("Client Query test\nClient Query\nClient Query Quit\n")],
    ARTICLE,
  );
  assert.equal(d.status, "fail");
  assert.equal(d.kind, "typo-fixed");
  assert.match(d.message, /second message was `Client Query`/);
  assert.match(d.message, /keeps the article's typo `Cleint Query` verbatim/);
});

Deno.test("diagnoseMessages() tells a new typo, case and spaces apart", async (t) => {
  const cases: [string, string, string][] = [
    ["typo", "Client Qeury test", "typo"],
    ["case", "client query test", "case"],
    ["whitespace", "Client Query test ", "whitespace"],
    ["changed", "Hello", "changed"],
  ];
  for (const [name, first, kind] of cases) {
    await t.step(name, () => {
      const d = diagnoseMessages([conn(`${first}\nCleint Query\nClient Query Quit\n`)], ARTICLE);
      assert.equal(d.status, "fail");
      assert.equal(d.kind, kind);
      assert.match(d.message, /first message/);
    });
  }
});

Deno.test("diagnoseMessages() finds missing, extra and reordered messages", async (t) => {
  await t.step("missing", () => {
    const d = diagnoseMessages([conn("Client Query test\nClient Query Quit\n")], ARTICLE);
    assert.equal(d.kind, "missing");
    assert.match(d.message, /never sent the second message `Cleint Query`/);
  });
  await t.step("extra", () => {
    const d = diagnoseMessages([conn(ARTICLE.join("\n") + "\nbye\n")], ARTICLE);
    assert.equal(d.kind, "extra");
    assert.match(d.message, /sent `bye`/);
  });
  await t.step("reordered", () => {
    const d = diagnoseMessages(
      [conn("Cleint Query\nClient Query test\nClient Query Quit\n")],
      ARTICLE,
    );
    assert.equal(d.kind, "reordered");
    assert.match(d.message, /wrong order/);
  });
  await t.step("sent twice", () => {
    const d = diagnoseMessages(
      [conn(ARTICLE.join("\n") + "\n"), conn(ARTICLE.join("\n"))],
      ARTICLE,
    );
    assert.equal(d.status, "fail");
    assert.deepEqual(d.details.problems.map((p) => p.kind), ["extra", "extra", "extra"]);
  });
});

Deno.test("diagnoseMessages() fails empty lines alone with half the points", () => {
  const d = diagnoseMessages(
    [conn("\nClient Query test\n\nCleint Query\nClient Query Quit\n")],
    ARTICLE,
  );
  assert.equal(d.status, "fail");
  assert.equal(d.kind, "empty-lines");
  assert.equal(d.fraction, 0.5);
  assert.match(d.message, /2 empty lines/);
});

Deno.test("diagnoseMessages() reports nothing sent and never connected", () => {
  assert.equal(diagnoseMessages([], ARTICLE).kind, "never-connected");
  const d = diagnoseMessages([conn(""), conn("")], ARTICLE);
  assert.equal(d.kind, "nothing-sent");
  assert.match(d.message, /connected \(2 times\) but sent nothing/);
});

Deno.test("diagnoseMessages() does not count an unfinished line on a connection left open", () => {
  const d = diagnoseMessages(
    [conn("Client Query test\nCleint Query\nClient Query Quit", false)],
    ARTICLE,
  );
  assert.equal(d.status, "fail");
  assert.equal(d.kind, "unterminated");
  assert.equal(d.details.problems.length, 1);
  assert.match(d.details.received.at(-1)!, /unterminated/);
});

Deno.test("diagnoseMessages() shows control bytes escaped", () => {
  const d = diagnoseMessages(
    [conn("Client Query test\x01\nCleint Query\nClient Query Quit\n")],
    ARTICLE,
  );
  assert.equal(d.kind, "changed");
  assert.match(d.message, /`Client Query test\\x01`/);
  assert.deepEqual(d.details.expected, ARTICLE);
});

Deno.test("diagnoseMessages() works for a teacher's own messages", () => {
  const spec = ["HELLO", "Client Query", "BYE"];
  assert.equal(diagnoseMessages([conn("HELLO\nClient Query\nBYE\n")], spec).status, "pass");
  assert.equal(diagnoseMessages([conn("HELLOClient QueryBYE")], spec).kind, "no-delimiter");
});

Deno.test("diagnoseMessages() spots Java's writeUTF length prefixes", () => {
  const utf = (m: string) => concat(Uint8Array.of(0, m.length), enc(m));
  const d = diagnoseMessages([conn(concat(...ARTICLE.map(utf)))], ARTICLE, "java");
  assert.equal(d.status, "fail");
  assert.equal(d.kind, "length-prefix");
  assert.match(d.message, /length in 2 bytes before it \(as Java's writeUTF does\)/);
  assert.match(d.hint!, /instead of `writeUTF\(msg\)`/);
  assert.equal(d.details.problems.length, 1);
  const fixed = ["Client Query test", "Client Query", "Client Query Quit"];
  const both = diagnoseMessages([conn(concat(...fixed.map(utf)))], ARTICLE);
  assert.deepEqual(both.details.problems.map((p) => p.kind), ["length-prefix", "typo-fixed"]);
});

Deno.test("sentMessages() frames what a client sent as the spec's framing reads it", () => {
  const enc = (s: string) => new TextEncoder().encode(s);
  assert.deepEqual(
    sentMessages([
      { bytes: enc("Client Query test\r\nClient Query\n") },
      { bytes: enc("Client Query Quit") },
      { bytes: enc("half a line"), closed: false },
      { bytes: enc("") },
    ]),
    ["Client Query test", "Client Query", "Client Query Quit"],
  );
  assert.deepEqual(sentMessages([]), []);
});

Deno.test("diagnoseMessages() gives hints in the client's language", () => {
  const bytes = concat(...ARTICLE.map((m) => padded(`${m}\n`, 4096)));
  const python = diagnoseMessages([conn(bytes)], ARTICLE, "python");
  assert.match(python.hint!, /sendall/);
  assert.doesNotMatch(python.hint!, /sizeof|strlen|send\(fd/);
  const java = diagnoseMessages([conn(bytes)], ARTICLE, "java");
  assert.match(java.hint!, /getBytes/);
  const unknown = diagnoseMessages([conn(bytes)], ARTICLE);
  assert.doesNotMatch(unknown.hint!, /sizeof|strlen|sendall|getBytes/);
});

Deno.test("diagnoseMessages() diagnoses at most MAX_LINES_PER_CONNECTION messages per connection", () => {
  const flood = Array.from({ length: 16 }, () => ({ bytes: new Uint8Array(65536).fill(10) }));
  const d = diagnoseMessages(flood, ARTICLE);
  assert.equal(d.status, "fail");
  assert.ok(
    d.details.received.length <= 16 * MAX_LINES_PER_CONNECTION,
    `${d.details.received.length}`,
  );
  assert.ok(d.details.notes.some((n) => n.includes(`first ${MAX_LINES_PER_CONNECTION} messages`)));
  assert.equal(d.details.bytesPerConnection.length, 16);
  const sent = sentMessages([{ bytes: new TextEncoder().encode("Client Query\n".repeat(1000)) }]);
  assert.equal(sent.length, MAX_LINES_PER_CONNECTION);
});
