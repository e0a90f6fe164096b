import assert from "node:assert/strict";
import { synDestination } from "./dial_watch.ts";

/** An IPv4 TCP packet to 127.0.0.1:`port` with `flags`. */
function ipv4(port: number, flags: number): Uint8Array {
  const p = new Uint8Array(40);
  p[0] = 0x45;
  p[9] = 6;
  p.set([127, 0, 0, 1], 16);
  p[22] = port >> 8;
  p[23] = port & 0xff;
  p[33] = flags;
  return p;
}

Deno.test("synDestination() reads the destination of a SYN, and nothing else", () => {
  assert.equal(synDestination(ipv4(1010, 0x02)), "127.0.0.1:1010");
  assert.equal(synDestination(ipv4(1010, 0x12)), undefined, "SYN+ACK is an answer");
  assert.equal(synDestination(ipv4(1010, 0x10)), undefined);
  const udp = ipv4(53, 0x02);
  udp[9] = 17;
  assert.equal(synDestination(udp), undefined);
  assert.equal(synDestination(new Uint8Array(3)), undefined);
});
