/** Tests of `fresh_netns.ts`, in a namespace of their own (the host's network is never touched). */

import assert from "node:assert/strict";
import { EHASH_ENTRIES } from "./fresh_netns.ts";
import { namespaceCommand, namespaceSupport } from "./netns.ts";

Deno.test("enterFreshNetwork() gives sockets and programs an empty network of their own", async () => {
  assert.deepEqual(await namespaceSupport(), { ok: true }, "the namespace must be available");
  const child = new URL("./_testdata/fresh_netns_child.ts", import.meta.url).pathname;
  const [command, ...args] = namespaceCommand([Deno.execPath(), "run", "-A", child]);
  const out = await new Deno.Command(command!, { args, stdin: "null" }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, stderr);
  const seen = JSON.parse(new TextDecoder().decode(out.stdout));
  assert.equal(seen.failure, null);
  assert.equal(seen.changed, true, "the main thread is in another network namespace");
  if (Deno.statSync("/proc/sys/net/ipv4/tcp_child_ehash_entries").isFile) {
    assert.equal(seen.ehash, EHASH_ENTRIES, "the new namespace has a small socket table");
  }
  assert.deepEqual(seen.listeningAfter, [], "the first namespace's listener is not seen");
  assert.deepEqual(seen.addressesSeenByAProgram, [], "a program started there sees no address");
  assert.equal(seen.peer, "192.168.100.2", "port 6666 was free again and the route works");
});
