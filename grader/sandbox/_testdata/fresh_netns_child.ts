/**
 * Run by fresh_netns_test.ts inside a namespace it made: listens on port 6666 of one network
 * namespace, moves into a fresh one, and reports as one JSON line what the fresh one holds: its
 * namespace id, the size of its TCP socket table, whether port 6666 is free there, what
 * /proc/net/tcp lists, and what a program started there sees.
 *
 * @module
 */

import { enterFreshNetwork } from "../fresh_netns.ts";
import { setupLoopback } from "../netns.ts";
import { listeningPorts } from "../ports.ts";

const addresses = { server: "192.168.100.168", client: "192.168.100.2", stranger: "192.168.100.3" };
await setupLoopback(addresses);
const before = Deno.readLinkSync("/proc/self/ns/net");
using _first = Deno.listen({ hostname: "0.0.0.0", port: 6666 });
const failure = enterFreshNetwork();
const after = Deno.readLinkSync("/proc/self/ns/net");
const ehash = Number(Deno.readTextFileSync("/proc/sys/net/ipv4/tcp_ehash_entries").trim());
const listeningAfter = await listeningPorts();
const ipOut = await new Deno.Command("ip", { args: ["-o", "addr"] }).output();
await setupLoopback(addresses);
using second = Deno.listen({ hostname: "0.0.0.0", port: 6666 });
const [accepted, conn] = await Promise.all([
  second.accept(),
  Deno.connect({ hostname: addresses.server, port: 6666 }),
]);
const peer = accepted.remoteAddr.hostname;
accepted.close();
conn.close();
console.log(JSON.stringify({
  failure: failure ?? null,
  changed: before !== after,
  ehash,
  listeningAfter,
  addressesSeenByAProgram: new TextDecoder().decode(ipOut.stdout).trim().split("\n")
    .filter((l) => l.includes("inet")),
  peer,
}));
