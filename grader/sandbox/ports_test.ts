import assert from "node:assert/strict";
import { decodeProcAddress, listeningPorts, parseProcNetTcp, waitForListening } from "./ports.ts";
import { startProgram } from "./process.ts";

/** Deno.test with the op and resource sanitizers on. */
function test(name: string, fn: (t: Deno.TestContext) => Promise<void>): void {
  Deno.test({ name, sanitizeOps: true, sanitizeResources: true, sanitizeExit: true, fn });
}

test("decodeProcAddress() reads each 32-bit word little-endian", async (t) => {
  const table: [string, string][] = [
    ["0100007F", "127.0.0.1"],
    ["00000000", "0.0.0.0"],
    ["A864A8C0", "192.168.100.168"],
    ["0264A8C0", "192.168.100.2"],
    ["00000000000000000000000000000000", "::"],
    ["00000000000000000000000001000000", "::1"],
    ["0000000000000000FFFF00000100007F", "::ffff:127.0.0.1"],
    ["000000FD000000000000000002000000", "fd00::2"],
    ["B80D0120000000000000000001000000", "2001:db8::1"],
    ["B80D0120010000000100000001000000", "2001:db8:0:1:0:1:0:1"],
    ["B80D0120000000000000010000000000", "2001:db8:0:0:1::"],
  ];
  for (const [hex, address] of table) {
    await t.step(`${hex} is ${address}`, () => assert.equal(decodeProcAddress(hex), address));
  }
  assert.throws(() => decodeProcAddress("0102"), SyntaxError);
});

test("parseProcNetTcp() keeps listening sockets only", () => {
  const text = [
    "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode",
    "   0: 0100007F:1A0A 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1 0000000000000000 100 0 0 10 0",
    "   1: 0100007F:1A0A 0100007F:C350 01 00000000:00000000 00:00000000 00000000     0        0 4243 1 0000000000000000 20 4 30 10 -1",
    "",
  ].join("\n");
  assert.deepEqual(parseProcNetTcp(text), [{ address: "127.0.0.1", port: 6666, inode: "4242" }]);
  return Promise.resolve();
});

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
