/** Tests for the assignment spec: defaults, JSONC loading and readable validation errors. */

import assert from "node:assert/strict";
import {
  DEFAULT_SPEC,
  isDatagramTransport,
  isIpTransport,
  loadSpec,
  parseSpec,
  resolveSocketPath,
  SpecError,
  specFromValue,
  TRANSPORTS,
} from "./spec.ts";
import { CHECK_IDS } from "./checks/catalogue.ts";

Deno.test("DEFAULT_SPEC is the article's homework with a 100-point rubric", () => {
  assert.equal(DEFAULT_SPEC.trigger, "Client Query");
  assert.equal(DEFAULT_SPEC.response, "Receive Query");
  assert.deepEqual(DEFAULT_SPEC.messages, [
    "Client Query test",
    "Cleint Query",
    "Client Query Quit",
  ]);
  assert.equal(DEFAULT_SPEC.port, 6666);
  assert.equal(DEFAULT_SPEC.serverAddress, "192.168.100.168");
  assert.equal(DEFAULT_SPEC.clientAddress, "192.168.100.2");
  assert.equal(CHECK_IDS.reduce((s, id) => s + DEFAULT_SPEC.points[id], 0), 100);
});

Deno.test("parseSpec() accepts JSONC with comments and trailing commas and merges defaults", () => {
  const spec = parseSpec(
    `{
      // a teacher's variant
      "port": 7000,
      "timeouts": { "startMs": 500, },
      "points": { "server.trigger": 20 },
      "visibility": { "server.exact-match": "hidden" },
    }`,
    "hw.jsonc",
  );
  assert.equal(spec.port, 7000);
  assert.equal(spec.timeouts.startMs, 500);
  assert.equal(spec.timeouts.buildMs, DEFAULT_SPEC.timeouts.buildMs);
  assert.equal(spec.points["server.trigger"], 20);
  assert.equal(spec.points["server.framing"], DEFAULT_SPEC.points["server.framing"]);
  assert.equal(spec.visibility["server.exact-match"], "hidden");
  assert.equal(spec.visibility["server.trigger"], "visible");
  assert.equal(spec.trigger, "Client Query");
});

Deno.test("parseSpec() never changes DEFAULT_SPEC", () => {
  parseSpec('{ "points": { "server.trigger": 1 }, "messages": ["a"] }');
  assert.equal(DEFAULT_SPEC.points["server.trigger"], 15);
  assert.equal(DEFAULT_SPEC.messages.length, 3);
});

Deno.test("spec errors are one line naming the file, the place and the fix", async (t) => {
  const cases: [string, string, RegExp][] = [
    ["syntax", '{ "port": 6666 ', /^bad\.json:1:16: not valid JSON \(.+\)\. Fix the spec/],
    ["type", '{ "port": "6666" }', /field "port": .*number/i],
    ["range", '{ "port": 70000 }', /field "port": /],
    ["unknown field", '{ "prot": 1 }', /unknown field "prot"/],
    ["unknown check id", '{ "points": { "server.nope": 3 } }', /field "points.server.nope"|points/],
    ["address", '{ "clientAddress": "192.168.100" }', /field "clientAddress": must be an IPv4/],
    ["newline in trigger", '{ "trigger": "a\\nb" }', /single line/],
    ["empty messages", '{ "messages": [] }', /at least one message/],
    ["array", "[1, 2]", /the top level/],
    ["empty file", "  ", /the file is empty/],
    ["same addresses", '{ "clientAddress": "192.168.100.168" }', /three different addresses/],
    [
      "any address",
      '{ "serverAddress": "0.0.0.0" }',
      /field "serverAddress": 0\.0\.0\.0 .*any address/,
    ],
    ["IPv6 any address", '{ "serverAddress": "::" }', /unspecified address/],
    ["multicast", '{ "clientAddress": "239.1.2.3" }', /field "clientAddress": .*multicast/],
    ["IPv6 multicast", '{ "strangerAddress": "ff02::1" }', /multicast/],
    ["transport", '{ "transport": "sctp" }', /field "transport": must be one of "tcp", "udp"/],
    ["IPv6 link-local", '{ "serverAddress": "fe80::1" }', /link-local .*unique-local/],
    ["IPv4-mapped", '{ "clientAddress": "::ffff:10.0.0.2" }', /write it as 10\.0\.0\.2/],
    [
      "mixed families",
      '{ "serverAddress": "fd00::168", "clientAddress": "fd00::2" }',
      /all be IPv4 or all IPv6/,
    ],
    ["absolute path", '{ "serverPath": "/tmp/server.sock" }', /field "serverPath": .*relative/],
    ["leaving path", '{ "clientPath": "../x.sock" }', /field "clientPath": .*inside/],
    ["abstract path", '{ "clientPath": "@x" }', /abstract/],
    ["empty path", '{ "strangerPath": "" }', /field "strangerPath": must not be empty/],
    ["long path", `{ "serverPath": "${"s".repeat(80)}" }`, /too long .*at most 67 bytes/],
    ["same paths", '{ "clientPath": "server.sock" }', /three different paths/],
    ["broadcast", '{ "strangerAddress": "255.255.255.255" }', /broadcast/],
    ["server is the stranger", '{ "strangerAddress": "192.168.100.168" }', /three different/],
    ["nested 100,000 deep", `{ "messages": ${"[".repeat(100_000)} }`, /nested more than 64/],
    [
      "deep, in a comment and a string",
      `// ${"[".repeat(100)}\n{ "trigger": "${"{".repeat(100)}", "messages": ${"[".repeat(70)} }`,
      /^bad\.json:2:\d+: .*nested more than 64/,
    ],
  ];
  for (const [name, text, pattern] of cases) {
    await t.step(name, () => {
      assert.throws(() => parseSpec(text, "bad.json"), (error: unknown) => {
        assert.ok(error instanceof SpecError);
        assert.match(error.message, pattern);
        assert.ok(!error.message.includes("\n"), "one line");
        return true;
      });
    });
  }
});

Deno.test("transport defaults to tcp; IPv6 addresses and socket paths are accepted", () => {
  assert.equal(DEFAULT_SPEC.transport, "tcp");
  assert.equal(DEFAULT_SPEC.serverPath, "server.sock");
  for (const transport of TRANSPORTS) {
    assert.equal(parseSpec(JSON.stringify({ transport })).transport, transport);
  }
  const v6 = parseSpec(
    '{ "transport": "udp", "serverAddress": "fd00::168", "clientAddress": "fd00::2", "strangerAddress": "::1" }',
  );
  assert.equal(v6.serverAddress, "fd00::168");
  const unix = parseSpec('{ "transport": "unix-dgram", "serverPath": "sockets/srv" }');
  assert.equal(unix.serverPath, "sockets/srv");
  assert.equal(unix.clientPath, "client.sock");
  assert.ok(isDatagramTransport(unix.transport) && !isIpTransport(unix.transport));
});

Deno.test("resolveSocketPath() puts a path under the run's folder and refuses what does not fit", () => {
  assert.equal(resolveSocketPath("/tmp/run/", "a/b.sock"), "/tmp/run/a/b.sock");
  assert.throws(
    () => resolveSocketPath(`/tmp/${"d".repeat(100)}`, "server.sock"),
    (error: unknown) =>
      error instanceof SpecError && /more than a socket address holds \(107\)/.test(error.message),
  );
  assert.throws(() => resolveSocketPath("/tmp", "../x"), SpecError);
});

Deno.test("loadSpec() explains a missing file and a folder", async () => {
  await assert.rejects(
    loadSpec("/nonexistent/spec.json"),
    /Cannot read the spec file .*no such file/,
  );
  const dir = await Deno.makeTempDir();
  try {
    await assert.rejects(loadSpec(dir), SpecError);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadSpec() reads a valid file", async () => {
  const file = await Deno.makeTempFile({ suffix: ".json" });
  try {
    await Deno.writeTextFile(file, JSON.stringify({ trigger: "PING", response: "PONG" }));
    const spec = await loadSpec(file);
    assert.equal(spec.trigger, "PING");
    assert.equal(spec.response, "PONG");
  } finally {
    await Deno.remove(file);
  }
});

Deno.test("specFromValue() rejects a binary-looking value with a readable message", () => {
  assert.throws(() => specFromValue("\u0000\u0001"), /the top level/);
});
