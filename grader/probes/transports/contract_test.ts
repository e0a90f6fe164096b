/**
 * The contract every transport keeps (as Hono runs one test file against each router): one set of
 * steps run against each implementation in `mod.ts`, and against IPv6 for `tcp` and `udp`
 * (skipped, saying so, where `::1` is missing). Real sockets on loopback and temporary folders
 * only.
 *
 * @module
 */

import assert from "node:assert/strict";
import { serverSockets } from "../../sandbox/ports.ts";
import type { Transport } from "../../spec.ts";
import { hasIPv6Loopback } from "../../sandbox/net_plan.ts";
import { UNBOUND_CLIENT } from "../capture_server.ts";
import { ExchangeRecorder } from "../probe_client.ts";
import { type Endpoint, formatEndpoint, type ProbeTransport } from "../transport.ts";
import { PROBE_TRANSPORTS } from "./mod.ts";

/** Where one case's capture (the server side), allowed client and stranger are. */
interface Places {
  server: Endpoint;
  client: Endpoint;
  stranger: Endpoint;
  /** A place where nothing waits. */
  nowhere: Endpoint;
}

interface Case {
  name: string;
  transport: ProbeTransport;
  places(dir: string): Places;
  ignore?: string;
}

/** A port nothing listens on when asked (TCP and UDP alike: both are tried). */
function unusedPort(hostname: string): number {
  const listener = Deno.listen({ hostname, port: 0 });
  const port = listener.addr.port;
  listener.close();
  return port;
}

const ip = (server: string, client: string, stranger: string) => (): Places => ({
  server: { address: server, port: 0 },
  client: { address: client, port: 0 },
  stranger: { address: stranger, port: 0 },
  nowhere: { address: server, port: unusedPort(server) },
});
const unix = (dir: string): Places => ({
  server: { path: `${dir}/server.sock` },
  client: { path: `${dir}/client.sock` },
  stranger: { path: `${dir}/stranger.sock` },
  nowhere: { path: `${dir}/nobody.sock` },
});
const noIPv6 = hasIPv6Loopback() ? undefined : "no ::1 in this network namespace";

const CASES: Case[] = [
  {
    name: "tcp",
    transport: PROBE_TRANSPORTS.tcp,
    places: ip("127.0.0.1", "127.0.0.1", "127.0.0.2"),
  },
  {
    name: "tcp over IPv6",
    transport: PROBE_TRANSPORTS.tcp,
    places: ip("::1", "::1", "::1"),
    ...(noIPv6 ? { ignore: noIPv6 } : {}),
  },
  {
    name: "udp",
    transport: PROBE_TRANSPORTS.udp,
    places: ip("127.0.0.1", "127.0.0.1", "127.0.0.2"),
  },
  {
    name: "udp over IPv6",
    transport: PROBE_TRANSPORTS.udp,
    places: ip("::1", "::1", "::1"),
    ...(noIPv6 ? { ignore: noIPv6 } : {}),
  },
  { name: "unix-stream", transport: PROBE_TRANSPORTS["unix-stream"], places: unix },
  { name: "unix-dgram", transport: PROBE_TRANSPORTS["unix-dgram"], places: unix },
];

Deno.test("every transport in the table has a contract case", () => {
  const covered = new Set(CASES.map((c) => c.transport.name));
  assert.deepEqual([...covered].sort(), (Object.keys(PROBE_TRANSPORTS) as Transport[]).sort());
});

/** Every wait's deadline: generous, since a passing run never waits it out (the machine is shared). */
const WAIT_MS = 5000;
const MESSAGES = ["Client Query test", "Cleint Query", "Client Query Quit"];
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

/** What the source of a message from `place` looks like in a capture. */
function sourceOf(place: Endpoint): RegExp {
  if ("path" in place) return new RegExp(`^${RegExp.escape(place.path)}$`);
  const a = place.address.includes(":") ? `\\[${RegExp.escape(place.address)}\\]` : place.address;
  return new RegExp(`^${a.replaceAll(".", "\\.")}:\\d+$`);
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

for (const c of CASES) {
  Deno.test({
    name: `transport contract: ${c.name}${c.ignore ? ` (skipped: ${c.ignore})` : ""}`,
    ignore: c.ignore !== undefined,
    sanitizeOps: true,
    sanitizeResources: true,
    async fn(t) {
      const dir = await Deno.makeTempDir({ prefix: "sockgrade-contract-" });
      const places = c.places(dir);
      const transport = c.transport;
      const recorder = new ExchangeRecorder(c.name);
      try {
        await t.step("readiness: nothing is seen where nothing waits", async () => {
          assert.equal(await transport.waitReady({ at: places.nowhere, timeoutMs: 30 }), undefined);
        });

        const capture = await transport.capture({ at: places.server });
        const at = capture.at;
        try {
          await t.step("readiness: the server's socket is seen, held by its process", async () => {
            const found = await transport.waitReady({ at, pids: [Deno.pid], timeoutMs: WAIT_MS });
            assert.ok(found, `${formatEndpoint(at)} is seen`);
            if ("path" in at) assert.deepEqual(found, { path: at.path });
            else assert.equal("port" in found && found.port, at.port);
          });

          await t.step("messages arrive framed per §6, with their source", async () => {
            const session = await transport.open({
              to: at,
              from: places.client,
              timeoutMs: WAIT_MS,
              recorder,
              connection: "client",
            });
            try {
              assert.match(session.from, sourceOf(places.client));
              const wire = transport.datagram
                ? ["Client Query test\n", "Cleint Query", "Client Query Quit\n"]
                : ["Client Query test\n", "Cleint Qu", "ery\r\nClient Query Quit"];
              for (const data of wire) assert.equal(await session.send(data), "sent");
              await session.end();
              assert.ok(await capture.waitForMessages(3, WAIT_MS), "three messages arrive");
              const got = capture.messages();
              assert.deepEqual(got.map((m) => dec(m.bytes)), MESSAGES);
              for (const m of got) assert.equal(m.from, session.from);
            } finally {
              await session.close();
            }
          });

          await t.step("a stranger's messages say where they came from", async () => {
            const before = capture.messages().length;
            await using session = await transport.open({
              to: at,
              from: places.stranger,
              timeoutMs: WAIT_MS,
              recorder,
              connection: "stranger",
            });
            assert.equal(await session.send("Client Query\n"), "sent");
            await session.end();
            assert.ok(await capture.waitForMessages(before + 1, WAIT_MS));
            const last = capture.messages().at(-1)!;
            assert.equal(dec(last.bytes), "Client Query");
            assert.match(last.from, sourceOf(places.stranger));
          });

          await t.step(
            "close is observed both ways on streams, never invented for datagrams",
            async () => {
              await using session = await transport.open({ to: at, timeoutMs: WAIT_MS, recorder });
              assert.equal(await session.send("x\n"), "sent");
              if (transport.datagram) {
                assert.equal(await session.waitPeerEnd(20), "open");
                assert.deepEqual(capture.ends(), []);
                // A Unix client that bound no path cannot be told apart, and is shown so.
                assert.ok(await capture.waitForMessages(5, WAIT_MS));
                if ("path" in at) assert.equal(capture.messages().at(-1)?.from, UNBOUND_CLIENT);
                return;
              }
              await session.end();
              // The capture closes its side when the client ends its own, as a reading server would.
              assert.equal(await session.waitPeerEnd(WAIT_MS), "fin");
              assert.ok(await capture.waitForAllEnded(WAIT_MS, 3));
              assert.ok(
                capture.ends().every((e) => e.end === "fin"),
                JSON.stringify(capture.ends()),
              );
              await using reset = await transport.open({ to: at, timeoutMs: WAIT_MS, recorder });
              await reset.send("y");
              // Accepted first: a connection reset before its accept leaves nothing to tell apart.
              assert.ok(await capture.sync(WAIT_MS));
              await reset.reset();
              assert.ok(await capture.waitForAllEnded(WAIT_MS, 4));
              // TCP resets; a Unix stream has no RST and ends like a close.
              assert.equal(capture.ends().at(-1)?.end, transport.name === "tcp" ? "rst" : "fin");
              // A Unix client that bound no path cannot be told apart, and is shown so.
              if ("path" in at) assert.equal(capture.ends().at(-1)?.from, UNBOUND_CLIENT);
            },
          );

          await t.step(
            "the largest message arrives whole, a too large datagram is refused",
            async () => {
              // UDP's payload limit over IPv4; a Unix datagram may be larger; a stream's capture
              // keeps 64 KiB per connection.
              const sizes = {
                tcp: 60_000,
                udp: 65_507,
                "unix-stream": 60_000,
                "unix-dgram": 100_000,
              };
              const size = sizes[transport.name];
              const before = capture.messages().length;
              const local = new ExchangeRecorder("large");
              await using session = await transport.open({
                to: at,
                from: places.client,
                timeoutMs: WAIT_MS,
                recorder: local,
              });
              assert.equal(await session.send(new Uint8Array(size).fill(65), WAIT_MS), "sent");
              await session.end();
              assert.ok(await capture.waitForMessages(before + 1, WAIT_MS));
              assert.equal(capture.messages()[before]!.bytes.length, size, "not cut");
              if (!transport.datagram) return;
              const tooLarge = transport.name === "udp" ? 70_000 : 4 * 1024 * 1024;
              assert.equal(await session.send(new Uint8Array(tooLarge), WAIT_MS), "closed");
              const note = local.toExchange().events.at(-1)?.data ?? "";
              assert.match(
                note,
                new RegExp(`${tooLarge} bytes was not sent \\((EMSGSIZE|ENOBUFS)`),
              );
            },
          );

          await t.step("a probe to where nothing waits fails or is lost, never hangs", async () => {
            const open = transport.open({ to: places.nowhere, timeoutMs: 1000, recorder });
            if (!transport.datagram) {
              await assert.rejects(open, (e: Error) => e.name === "ProbeConnectError");
              return;
            }
            await using session = await open;
            // UDP cannot tell (nothing is acknowledged); a Unix datagram to no socket fails at once.
            assert.equal(
              await session.send("lost\n"),
              transport.name === "udp" ? "sent" : "closed",
            );
          });

          await t.step("waitConsumed: true once the server's program has read it", async () => {
            const before = capture.messages().length;
            await using session = await transport.open({
              to: at,
              from: places.client,
              timeoutMs: WAIT_MS,
              recorder,
              connection: "consumed",
            });
            assert.equal(session.peerEnd, "open");
            assert.equal(await session.send("Client Query\n"), "sent");
            assert.ok(await capture.waitForMessages(before + 1, WAIT_MS));
            assert.equal(await session.waitConsumed(WAIT_MS), true);
            assert.equal(await session.sendAndEnd("Client Query\n"), "sent");
            assert.equal(session.serverClosedFirst, false);
          });
        } finally {
          await capture.close();
        }

        await t.step("cleanup leaves no listener and no socket file", async () => {
          const left = await serverSockets(transport.name, { pids: [Deno.pid] });
          const here = left.filter((s) =>
            "path" in at ? "path" in s && s.path.startsWith(dir) : "port" in s && s.port === at.port
          );
          assert.deepEqual(here, []);
          const files: string[] = [];
          for await (const entry of Deno.readDir(dir)) files.push(entry.name);
          assert.deepEqual(files, []);
          if ("path" in at) assert.equal(await exists(at.path), false);
        });

        await t.step("the exchange recorded what was sent", () => {
          const sends = recorder.toExchange().events.filter((e) => e.kind === "send");
          assert.ok(sends.length >= 4, `${sends.length} sends recorded`);
        });
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    },
  });
}
