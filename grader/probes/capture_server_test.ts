/** Tests for the capture server: what it records of each connection, and how it ends them. */

import assert from "node:assert/strict";
import net from "node:net";
import { CaptureServer, UNBOUND_CLIENT } from "./capture_server.ts";
import { ExchangeRecorder, readTcpTable, TCP_TIME_WAIT } from "./probe_client.ts";

const sanitize = { sanitizeOps: true, sanitizeResources: true, sanitizeExit: true };
const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

/** A node:net client to the capture server, connected. */
async function nodeClient(port: number): Promise<net.Socket> {
  const socket = net.connect({ host: "127.0.0.1", port });
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  return socket;
}

Deno.test({
  name: "CaptureServer records chunks, the peer and a FIN, and never answers",
  ...sanitize,
  async fn() {
    await using capture = CaptureServer.listen({ hostname: "127.0.0.1", port: 0 });
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: capture.port });
    await conn.write(enc("Client Query test\n"));
    assert.equal(await capture.waitFor(() => capture.connections[0]?.size === 18, 2000), true);
    await conn.write(enc("Cleint Query\n"));
    conn.closeWrite();
    assert.equal(await capture.waitForAllEnded(2000, 1), true);
    assert.equal(await conn.read(new Uint8Array(16)), null, "the capture server sent bytes");
    conn.close();
    const [c] = capture.connections;
    assert.equal(c!.end, "fin");
    assert.equal(dec(c!.bytes()), "Client Query test\nCleint Query\n");
    assert.equal(c!.chunks.length, 2);
    assert.equal(c!.remoteAddress, "127.0.0.1");
    assert.equal(c!.localPort, capture.port);
    assert.ok(c!.endedAt! >= c!.chunks[1]!.at);
    const recorder = new ExchangeRecorder("client run");
    capture.record(recorder);
    const kinds = recorder.toExchange().events.map((e) => e.kind);
    assert.deepEqual(kinds, ["connect", "send", "send", "close"]);
    assert.equal(recorder.toExchange().events[1]!.data, "Client Query test\\n");
  },
});

Deno.test({
  name: "CaptureServer tells a reset from a close and keeps connections apart",
  ...sanitize,
  async fn() {
    await using capture = CaptureServer.listen({ hostname: "127.0.0.1", port: 0 });
    const first = await nodeClient(capture.port);
    first.write("a\n");
    assert.equal(await capture.waitFor(() => capture.connections[0]?.size === 2, 2000), true);
    const closed = new Promise((resolve) => first.once("close", resolve));
    first.resetAndDestroy();
    await closed;
    const second = await Deno.connect({ hostname: "127.0.0.1", port: capture.port });
    second.close();
    assert.equal(await capture.waitForAllEnded(2000, 2), true);
    assert.deepEqual(capture.connections.map((c) => c.end), ["rst", "fin"]);
    assert.deepEqual(capture.connections.map((c) => c.label), ["conn 1", "conn 2"]);
    assert.equal(capture.connections[1]!.size, 0);
  },
});

Deno.test({
  name:
    "CaptureServer goes on accepting after a client reset its connection before it was accepted",
  ...sanitize,
  async fn() {
    await using capture = CaptureServer.listen({ hostname: "127.0.0.1", port: 0 });
    // The child connects, sends and resets while this thread is blocked, so the reset is
    // certainly in before the capture's accept runs (a faster machine made that race real).
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "eval",
        `import net from "node:net";
         const s = net.connect({ host: "127.0.0.1", port: ${capture.port} });
         s.once("connect", () => { s.write("y"); s.resetAndDestroy(); });`,
      ],
      stdout: "null",
      stderr: "piped",
    }).outputSync();
    assert.equal(child.code, 0, dec(child.stderr));
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: capture.port });
    await conn.write(enc("Client Query\n"));
    conn.close();
    assert.equal(await capture.waitForAllEnded(2000, 1), true, "the next client is captured");
    assert.equal(dec(capture.connections.at(-1)!.bytes()), "Client Query\n");
    const recorder = new ExchangeRecorder("reset early");
    capture.record(recorder);
    const notes = recorder.toExchange().events.filter((e) => e.kind === "note");
    assert.equal(capture.connections.length, 1, JSON.stringify(notes));
    assert.match(notes.at(-1)?.data ?? "", /1 more connection\(s\) were reset by the client/);
  },
});

Deno.test({
  name: "CaptureServer closes connections still open on dispose and records them as open",
  ...sanitize,
  async fn() {
    const capture = CaptureServer.listen({ hostname: "127.0.0.1", port: 0 });
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: capture.port });
    assert.equal(await capture.waitForConnection(2000), true);
    assert.equal(await capture.waitForAllEnded(30), false, "an open connection counts as ended");
    const pending = capture.waitForConnection(5000, 2);
    await capture.close();
    assert.equal(await pending, false, "close() must release waiters");
    assert.equal(capture.connections[0]!.end, "open");
    assert.equal(await conn.read(new Uint8Array(4)), null, "the client sees the grader's close");
    conn.close();
    const recorder = new ExchangeRecorder("left open");
    capture.record(recorder);
    assert.ok(recorder.toExchange().events.some((e) => e.data?.includes("still open")));
    await assert.rejects(Deno.connect({ hostname: "127.0.0.1", port: capture.port }));
  },
});

Deno.test({
  name: "CaptureServer keeps at most maxBytesPerConnection and counts the rest",
  ...sanitize,
  async fn() {
    await using capture = CaptureServer.listen({
      hostname: "127.0.0.1",
      port: 0,
      limits: { maxBytesPerConnection: 10 },
    });
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: capture.port });
    await conn.write(enc("0123456789abcdef"));
    conn.close();
    assert.equal(await capture.waitForAllEnded(2000, 1), true);
    const c = capture.connections[0]!;
    assert.equal(dec(c.bytes()), "0123456789");
    assert.equal(c.droppedBytes, 6);
    assert.equal(c.size, 16);
  },
});

Deno.test({
  name: "CaptureServer keeps a bounded total and connection count, and counts what it left out",
  ...sanitize,
  async fn() {
    await using capture = CaptureServer.listen({
      hostname: "127.0.0.1",
      port: 0,
      limits: { maxBytesPerConnection: 8, maxBytes: 20, maxConnections: 3, maxUnrecordedOpen: 2 },
    });
    assert.equal(capture.overflow, undefined);
    const conns = [];
    for (let i = 0; i < 7; i++) {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port: capture.port });
      conns.push(conn);
      // Accepted in order: the first three are recorded, the next two read and counted.
      if (i < 5) await conn.write(enc("0123456789"));
    }
    assert.equal(await capture.sync(2000), true);
    for (const conn of conns) conn.close();
    assert.equal(await capture.waitForAllEnded(2000, 3), true);
    assert.equal(capture.connections.length, 3);
    assert.deepEqual(capture.connections.map((c) => c.keptBytes), [8, 8, 4]);
    assert.deepEqual(capture.connections.map((c) => c.size), [10, 10, 10]);
    // The counted connections are read until they end.
    assert.equal(await capture.waitFor(() => capture.overflow?.receivedBytes === 50, 2000), true);
    const overflow = capture.overflow!;
    assert.equal(overflow.connections, 7);
    assert.equal(overflow.unrecordedConnections, 4);
    assert.equal(overflow.unreadConnections, 2);
    assert.equal(overflow.receivedBytes, 50);
    assert.equal(overflow.droppedBytes, 30);
  },
});

Deno.test({
  name: "CaptureServer.sync() waits for connections not yet accepted and leaves no trace",
  ...sanitize,
  async fn() {
    await using capture = CaptureServer.listen({ hostname: "127.0.0.1", port: 0 });
    const conns = await Promise.all(
      [1, 2, 3].map(() => Deno.connect({ hostname: "127.0.0.1", port: capture.port })),
    );
    for (const c of conns) c.close();
    assert.equal(await capture.sync(2000), true);
    assert.equal(capture.connections.length, 3, "every earlier connection is accepted");
    assert.deepEqual(capture.connections.map((c) => c.label), ["conn 1", "conn 2", "conn 3"]);
    assert.equal(await capture.waitForAllEnded(2000), true);
    const recorder = new ExchangeRecorder("sync");
    capture.record(recorder);
    assert.equal(recorder.toExchange().events.filter((e) => e.kind === "connect").length, 3);
  },
});

Deno.test({
  name: "CaptureServer never closes first: no TIME_WAIT on its port after clients and sync()",
  ...sanitize,
  async fn() {
    let port: number;
    {
      await using capture = CaptureServer.listen({ hostname: "127.0.0.1", port: 0 });
      port = capture.port;
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      await conn.write(enc("Client Query\n"));
      conn.close();
      for (let i = 0; i < 5; i++) assert.equal(await capture.sync(2000), true);
      assert.equal(await capture.waitForAllEnded(2000, 1), true);
      assert.equal(capture.connections.length, 1, "sync connections leave no trace");
    }
    // A TIME_WAIT socket on the port would block the student's server without SO_REUSEADDR.
    const rows = await readTcpTable() ?? [];
    const held = rows.filter((r) => r.state === TCP_TIME_WAIT && r.local === `127.0.0.1:${port}`);
    assert.deepEqual(held, []);
  },
});

Deno.test({
  name: "CaptureServer on a Unix path: clients shown by bound path, sync() leaves no trace or file",
  ...sanitize,
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      const path = `${dir}/server.sock`;
      {
        await using capture = CaptureServer.listen({ path });
        assert.equal(capture.path, path);
        const conns = await Promise.all(
          [1, 2].map(() => Deno.connect({ transport: "unix", path })),
        );
        await conns[0]!.write(enc("Client Query\n"));
        for (const c of conns) c.close();
        for (let i = 0; i < 3; i++) assert.equal(await capture.sync(2000), true);
        assert.equal(capture.connections.length, 2, "sync connections leave no trace");
        assert.deepEqual(capture.connections.map((c) => c.from), [UNBOUND_CLIENT, UNBOUND_CLIENT]);
        assert.equal(capture.connections[0]!.to, path);
        assert.equal(await capture.waitForAllEnded(2000, 2), true);
        assert.equal(dec(capture.connections[0]!.bytes()), "Client Query\n");
        const left = [...Deno.readDirSync(dir)].map((e) => e.name);
        assert.deepEqual(left, ["server.sock"], "no sync socket file is left");
      }
      assert.deepEqual([...Deno.readDirSync(dir)], [], "closing removes the socket file");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
