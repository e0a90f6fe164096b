/**
 * Tests for the probe client against small in-process `node:net` servers on loopback.
 *
 * @module
 */

import assert from "node:assert/strict";
import net from "node:net";
import {
  connectProbe,
  ExchangeRecorder,
  ProbeConnectError,
  readTcpTable,
  TCP_TIME_WAIT,
} from "./probe_client.ts";

/** A loopback server whose connections are handled by `onConnection`; closed on dispose. */
async function listen(
  onConnection: (socket: net.Socket) => void,
): Promise<{ port: number; sockets: net.Socket[] } & AsyncDisposable> {
  const sockets: net.Socket[] = [];
  const server = net.createServer((s) => {
    sockets.push(s);
    s.on("error", () => {});
    onConnection(s);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    port: (server.address() as net.AddressInfo).port,
    sockets,
    async [Symbol.asyncDispose]() {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

Deno.test("connectProbe() binds the local address and records a connect", async () => {
  await using server = await listen(() => {});
  const recorder = new ExchangeRecorder("bind");
  await using conn = await connectProbe({
    host: "127.0.0.1",
    port: server.port,
    localAddress: "127.0.0.2",
    timeoutMs: 1000,
    recorder,
    connection: "stranger",
  });
  assert.equal(conn.localAddress, "127.0.0.2");
  const [event] = recorder.toExchange().events;
  assert.equal(event?.kind, "connect");
  assert.equal(event?.connection, "stranger");
  assert.equal(event?.to, `127.0.0.1:${server.port}`);
});

Deno.test("connectProbe() reports a refused connection", async () => {
  let port: number;
  {
    await using server = await listen(() => {});
    port = server.port;
  }
  const recorder = new ExchangeRecorder("refused");
  const error = await connectProbe({ host: "127.0.0.1", port, timeoutMs: 1000, recorder })
    .catch((e) => e);
  assert.ok(error instanceof ProbeConnectError);
  assert.equal(error.failure, "refused");
  assert.equal(recorder.toExchange().events[0]?.kind, "refused");
});

Deno.test("connectProbe() reports an address it cannot bind as a bind failure", async () => {
  await using server = await listen(() => {});
  const recorder = new ExchangeRecorder("bind failure");
  const error = await connectProbe({
    host: "127.0.0.1",
    port: server.port,
    localAddress: "192.0.2.55",
    timeoutMs: 1000,
    recorder,
  }).catch((e) => e);
  assert.ok(error instanceof ProbeConnectError);
  assert.equal(error.failure, "bind");
});

Deno.test("the probe tells FIN from RST and records what it sent and received", async (t) => {
  await t.step("FIN after echo", async () => {
    await using server = await listen((s) => s.on("data", (d) => s.end(d)));
    const recorder = new ExchangeRecorder("echo");
    await using conn = await connectProbe({
      host: "127.0.0.1",
      port: server.port,
      timeoutMs: 1000,
      recorder,
    });
    assert.equal(await conn.send("Client Query\0\n"), "sent");
    assert.equal(await conn.waitPeerEnd(1000), "fin");
    assert.equal(new TextDecoder().decode(conn.received), "Client Query\0\n");
    const kinds = recorder.toExchange().events.map((e) => e.kind);
    assert.deepEqual(kinds, ["connect", "send", "receive", "close"]);
    assert.equal(recorder.toExchange().events[1]?.data, "Client Query\\0\\n");
  });
  await t.step("RST", async () => {
    await using server = await listen((s) => s.on("data", () => s.resetAndDestroy()));
    const recorder = new ExchangeRecorder("reset");
    await using conn = await connectProbe({
      host: "127.0.0.1",
      port: server.port,
      timeoutMs: 1000,
      recorder,
    });
    await conn.send("x");
    assert.equal(await conn.waitPeerEnd(1000), "rst");
    assert.equal(await conn.send("more"), "closed");
  });
  await t.step("still open", async () => {
    await using server = await listen(() => {});
    const recorder = new ExchangeRecorder("open");
    await using conn = await connectProbe({
      host: "127.0.0.1",
      port: server.port,
      timeoutMs: 1000,
      recorder,
    });
    assert.equal(await conn.waitPeerEnd(20), "open");
  });
});

Deno.test("end() half-closes and the server's FIN comes back", async () => {
  const seen: string[] = [];
  let done = () => {};
  const finished = new Promise<void>((r) => done = r);
  await using server = await listen((s) => {
    s.on("end", () => {
      seen.push("end");
      s.end();
    });
    s.on("error", (e: NodeJS.ErrnoException) => {
      seen.push(e.code ?? "error");
      done();
    });
    s.on("close", () => done());
  });
  const recorder = new ExchangeRecorder("half-close");
  {
    await using conn = await connectProbe({
      host: "127.0.0.1",
      port: server.port,
      timeoutMs: 1000,
      recorder,
    });
    await conn.end();
    assert.equal(await conn.waitPeerEnd(1000), "fin");
  }
  await finished;
  assert.deepEqual(seen, ["end"]);
});

Deno.test("reset() makes the server's recv() fail with ECONNRESET", async () => {
  let resolveSeen = (_: string) => {};
  const seen = new Promise<string>((r) => resolveSeen = r);
  await using server = await listen((s) => {
    s.on("error", (e: NodeJS.ErrnoException) => resolveSeen(e.code ?? "error"));
    s.on("close", () => resolveSeen("close"));
  });
  const recorder = new ExchangeRecorder("reset");
  const conn = await connectProbe({
    host: "127.0.0.1",
    port: server.port,
    timeoutMs: 1000,
    recorder,
  });
  await conn.send("Client Qu");
  assert.equal(await conn.waitConsumed(1000), true);
  conn.reset();
  assert.equal(await seen, "ECONNRESET");
  assert.ok(recorder.toExchange().events.some((e) => e.kind === "reset" && e.actor === "probe"));
});

Deno.test("waitConsumed() tells whether the server's program has read the bytes", async () => {
  await using server = await listen((s) => {
    s.pause();
    s.on("data", () => {});
  });
  const recorder = new ExchangeRecorder("consumed");
  await using conn = await connectProbe({
    host: "127.0.0.1",
    port: server.port,
    timeoutMs: 1000,
    recorder,
  });
  await conn.send("Client Q");
  assert.equal(await conn.waitConsumed(30), false);
  server.sockets[0]?.resume();
  assert.equal(await conn.waitConsumed(1000), true);
});

Deno.test("a send the server never takes times out instead of hanging", async () => {
  await using server = await listen((s) => s.pause());
  const recorder = new ExchangeRecorder("full");
  await using conn = await connectProbe({
    host: "127.0.0.1",
    port: server.port,
    timeoutMs: 1000,
    recorder,
  });
  assert.equal(await conn.send(new Uint8Array(64 * 1024 * 1024), 50), "timeout");
  assert.equal(recorder.toExchange().events.at(-1)?.kind, "timeout");
});

/** TIME_WAIT sockets whose local end is 127.0.0.1:`port`. */
async function timeWaitOn(port: number): Promise<string[]> {
  const rows = await readTcpTable() ?? [];
  return rows.filter((r) => r.state === TCP_TIME_WAIT && r.local === `127.0.0.1:${port}`)
    .map((r) => `${r.local} → ${r.remote}`);
}

Deno.test("the probe never leaves the server's port in TIME_WAIT", async (t) => {
  await t.step("the server closes first: the probe resets", async () => {
    await using server = await listen((s) => s.on("data", () => s.end()));
    const recorder = new ExchangeRecorder("server closes first");
    {
      await using conn = await connectProbe({
        host: "127.0.0.1",
        port: server.port,
        timeoutMs: 1000,
        recorder,
      });
      await conn.send("Client Query\n");
      assert.equal(await conn.waitPeerEnd(1000), "fin");
      await conn.end();
      assert.equal(conn.serverClosedFirst, true);
    }
    const kinds = recorder.toExchange().events.map((e) => `${e.actor} ${e.kind}`);
    assert.deepEqual(kinds.slice(-2), ["probe note", "probe reset"]);
    assert.ok(!kinds.includes("probe close"), "no FIN after the server's FIN");
    assert.deepEqual(await timeWaitOn(server.port), []);
  });
  await t.step("the server's FIN is in the kernel but not read yet: still a reset", async () => {
    let ended = () => {};
    const serverEnded = new Promise<void>((r) => ended = r);
    await using server = await listen((s) => s.end(ended));
    const recorder = new ExchangeRecorder("FIN not read yet");
    const conn = await connectProbe({
      host: "127.0.0.1",
      port: server.port,
      timeoutMs: 1000,
      recorder,
    });
    await serverEnded;
    await conn.close();
    assert.ok(recorder.toExchange().events.some((e) => e.kind === "reset"));
    assert.deepEqual(await timeWaitOn(server.port), []);
  });
  await t.step(
    "the probe closes first: FIN, and the TIME_WAIT is on the probe's side",
    async () => {
      const seen: string[] = [];
      await using server = await listen((s) => {
        s.on("data", (d) => seen.push(typeof d === "string" ? d : new TextDecoder().decode(d)));
        s.on("end", () => s.end());
      });
      const recorder = new ExchangeRecorder("probe closes first");
      {
        await using conn = await connectProbe({
          host: "127.0.0.1",
          port: server.port,
          timeoutMs: 1000,
          recorder,
        });
        assert.equal(await conn.sendAndEnd("Client Query"), "sent");
        assert.equal(await conn.waitPeerEnd(1000), "fin");
        assert.equal(conn.serverClosedFirst, false);
      }
      assert.deepEqual(seen, ["Client Query"]);
      const kinds = recorder.toExchange().events.map((e) => `${e.actor} ${e.kind}`);
      assert.deepEqual(kinds, ["probe connect", "probe send", "probe close", "server close"]);
      assert.deepEqual(await timeWaitOn(server.port), []);
    },
  );
});
