import assert from "node:assert/strict";
import {
  listeningPorts,
  serverSockets,
  serverSocketsOfAnyTransport,
  waitForListening,
  waitForServerSocket,
} from "./ports.ts";
import { startProgram } from "./process.ts";

/** A datagram socket closed by `using` (Deno's DatagramConn is not Disposable). */
function closing(conn: Deno.DatagramConn): { conn: Deno.DatagramConn } & Disposable {
  return { conn, [Symbol.dispose]: () => conn.close() };
}

/** Deno.test with the op and resource sanitizers on. */
function test(name: string, fn: (t: Deno.TestContext) => Promise<void>): void {
  Deno.test({ name, sanitizeOps: true, sanitizeResources: true, sanitizeExit: true, fn });
}

test("listeningPorts() finds this process's own listener by pid", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const mine = await listeningPorts({ pids: [Deno.pid] });
  assert.ok(mine.some((s) => s.port === listener.addr.port && s.address === "127.0.0.1"));
  const all = await listeningPorts();
  assert.ok(all.some((s) => s.port === listener.addr.port));
});

test("waitForListening() finds a child listening on 127.0.0.1:0 by its pids", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await using server = startProgram({
      argv: [
        Deno.execPath(),
        "eval",
        "const l = Deno.listen({ hostname: '127.0.0.1', port: 0 });" +
        "console.log(l.addr.port); await l.accept();",
      ],
      cwd: dir,
      env: { NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" },
      label: "server",
    });
    const found = await waitForListening(() => server.treePids(), 6666, 30_000, server.exited);
    assert.ok(found, "the listener is found");
    const printed = await server.waitForStdoutLine(() => true, 30_000);
    assert.deepEqual(found, { address: "127.0.0.1", port: Number(printed?.text) });
    const others = await listeningPorts({ pids: [Deno.pid] });
    assert.ok(!others.some((s) => s.port === found.port), "not among this process's sockets");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

test("waitForListening() gives up when the program exits", async () => {
  const program = startProgram({ argv: ["true"], cwd: "/" });
  const found = await waitForListening(() => program.treePids(), 6666, 30_000, program.exited);
  assert.equal(found, undefined);
  await program.kill();
});

test("waitForListening() gives up at the deadline", async () => {
  const started = performance.now();
  assert.equal(await waitForListening([], 6666, 30), undefined);
  assert.ok(performance.now() - started >= 30);
});

test("serverSockets() finds a bound UDP socket and Unix sockets by path, for their transport", async () => {
  const dir = await Deno.makeTempDir();
  try {
    using stream = Deno.listen({ transport: "unix", path: `${dir}/s.sock` });
    using datagrams = closing(
      Deno.listenDatagram({ transport: "unixpacket", path: `${dir}/d.sock` }),
    );
    using udp = closing(Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 }));
    const pids = [Deno.pid];
    const udpPort = (udp.conn.addr as Deno.NetAddr).port;
    assert.ok(
      (await serverSockets("udp", { pids })).some((s) => "port" in s && s.port === udpPort),
    );
    assert.ok(
      !(await serverSockets("tcp", { pids })).some((s) => "port" in s && s.port === udpPort),
    );
    assert.deepEqual(await waitForServerSocket("unix-stream", pids, `${dir}/s.sock`, 1000), {
      path: `${dir}/s.sock`,
    });
    assert.deepEqual(await waitForServerSocket("unix-dgram", pids, `${dir}/d.sock`, 1000), {
      path: `${dir}/d.sock`,
    });
    const streams = await serverSockets("unix-stream", { pids });
    assert.ok(!streams.some((s) => "path" in s && s.path === `${dir}/d.sock`), "not a stream");
    assert.ok(stream.addr.transport === "unix" && datagrams.conn.addr.transport === "unixpacket");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

test("serverSocketsOfAnyTransport() tells a TCP server from a UDP one", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const found = await serverSocketsOfAnyTransport([Deno.pid]);
  const mine = found.filter((f) => "port" in f.socket && f.socket.port === listener.addr.port);
  assert.deepEqual(mine, [{
    transport: "tcp",
    socket: { address: "127.0.0.1", port: listener.addr.port },
  }]);
  assert.ok(
    !(await serverSockets("udp", { pids: [Deno.pid] })).some((s) =>
      "port" in s && s.port === listener.addr.port
    ),
  );
});
