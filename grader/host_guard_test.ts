/** Tests for the host-network guard. */

import assert from "node:assert/strict";
import { join } from "node:path";
import { foreignAddresses, isHostSafe, scanForForeignAddresses } from "./host_guard.ts";

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

Deno.test("scanForForeignAddresses() reports files by relative path, skipping binaries' noise", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(join(dir, "src"));
    await Deno.writeTextFile(join(dir, "src", "client.c"), 'connect("192.168.100.168")');
    await Deno.writeTextFile(join(dir, "server.c"), 'bind("127.0.0.1")');
    await Deno.writeFile(join(dir, "blob.bin"), new Uint8Array([0, 255, 1, 2]));
    assert.deepEqual(await scanForForeignAddresses(dir), [
      { file: join("src", "client.c"), addresses: ["192.168.100.168"] },
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
