/** Tests for the host-network guard. */

import assert from "node:assert/strict";
import { join } from "node:path";
import {
  commentStyle,
  foreignAddresses,
  isHostSafe,
  scanForForeignAddresses,
  withoutComments,
} from "./host_guard.ts";

Deno.test("foreignAddresses() finds the article's addresses and ignores loopback", () => {
  const code = `
    servaddr.sin_addr.s_addr = inet_addr("192.168.100.168"); // server
    if (strcmp(peer, "192.168.100.2") != 0) return;
    bind("127.0.0.1"); bind("0.0.0.0"); connect("::1"); bind("::");
    version = "1.2.3.4.5"; float x = 10.0.1;
    ipv6 = "fe80::1"; mapped = "::ffff:127.0.0.1";
    printf("%d:%02d", h, m);
  `;
  assert.deepEqual(foreignAddresses(code), ["192.168.100.168", "192.168.100.2", "fe80::1"]);
});

Deno.test("isHostSafe() accepts loopback and unspecified addresses only", () => {
  for (const a of ["127.0.0.1", "127.0.0.2", "0.0.0.0", "::1", "::", "::ffff:127.0.0.1"]) {
    assert.ok(isHostSafe(a), a);
  }
  for (const a of ["192.168.100.168", "10.0.0.1", "8.8.8.8", "fe80::1", "::ffff:10.0.0.1"]) {
    assert.ok(!isHostSafe(a), a);
  }
});

Deno.test("withoutComments() drops comments and keeps string and character literals", async (t) => {
  const cases: [string, Parameters<typeof withoutComments>[1], string, string[]][] = [
    ["C line and block comments", "c", 'a = "10.0.0.9"; // 10.0.0.1\n/* 10.0.0.2\n */ b', [
      "10.0.0.9",
    ]],
    ["a // inside a C string", "c", 'url = "http://10.0.0.3/"; // 10.0.0.4', ["10.0.0.3"]],
    ["a quote inside a C comment", "c", "// don't 10.0.0.5\nx = '\"'; y = \"10.0.0.6\"", [
      "10.0.0.6",
    ]],
    ["a TypeScript template literal", "c", "s = `${a} 10.0.0.7`; // ::ffff:1.2.3.4", [
      "10.0.0.7",
    ]],
    ["Python comments and a # in a string", "hash", 'h = "#10.0.0.8" # 10.0.0.1\n', [
      "10.0.0.8",
    ]],
    ["a Python docstring counts as a string", "hash", '"""\nlab: 10.0.0.9\n"""\n', [
      "10.0.0.9",
    ]],
  ];
  for (const [name, style, code, expected] of cases) {
    await t.step(name, () => {
      assert.deepEqual(foreignAddresses(withoutComments(code, style)), expected);
    });
  }
});

Deno.test("commentStyle() reads only source files", () => {
  assert.equal(commentStyle("server.c"), "c");
  assert.equal(commentStyle("Server.java"), "c");
  assert.equal(commentStyle("client.py"), "hash");
  assert.equal(commentStyle("Makefile"), "hash");
  assert.equal(commentStyle("submission.json"), "none");
  assert.equal(commentStyle("README.md"), undefined);
  assert.equal(commentStyle("server"), undefined);
});

Deno.test("scanForForeignAddresses() reports source files by relative path, ignoring comments and other files", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(join(dir, "src"));
    await Deno.writeTextFile(join(dir, "src", "client.c"), 'connect("192.168.100.168")');
    await Deno.writeTextFile(join(dir, "server.c"), 'bind("127.0.0.1"); // 192.168.100.2');
    await Deno.writeTextFile(join(dir, "README.md"), "run it as ./client 192.168.100.168 6666");
    await Deno.writeFile(join(dir, "blob.bin"), new Uint8Array([0, 255, 1, 2]));
    assert.deepEqual(await scanForForeignAddresses(dir), [
      { file: join("src", "client.c"), addresses: ["192.168.100.168"] },
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
