/** Tests for the /proc/net reader: captured table text per format, then live sockets on loopback. */

import assert from "node:assert/strict";
import dgram from "node:dgram";
import {
  decodeProcAddress,
  formatAddress,
  formatIPv6,
  parseInetTable,
  parseUnixTable,
  readInetSockets,
  readUnixSockets,
  socketInodes,
  TCP_STATE,
} from "./proc_net.ts";
import { hasIPv6Loopback } from "./net_plan.ts";

/** Deno.test with the op and resource sanitizers on. */
function test(name: string, fn: (t: Deno.TestContext) => Promise<void> | void): void {
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
    ["B80D0120000000000000000000000000", "2001:db8::"],
  ];
  for (const [hex, address] of table) {
    await t.step(`${hex} is ${address}`, () => assert.equal(decodeProcAddress(hex), address));
  }
  assert.throws(() => decodeProcAddress("0102"), SyntaxError);
});

test("formatIPv6() is the one IPv6 formatter: mapped addresses keep ::ffff:, endpoints unmap", () => {
  const mapped = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255, 255, 10, 0, 0, 1];
  assert.equal(formatIPv6(mapped), "::ffff:10.0.0.1");
  assert.equal(formatAddress(formatIPv6(mapped), 80), "10.0.0.1:80");
  assert.equal(formatAddress("fd00::2", 6666), "[fd00::2]:6666");
  assert.throws(() => formatIPv6([1, 2]), RangeError);
});

// Captured from a Linux 6.x machine (inodes and pointers changed), one sample per table.
const TCP = [
  "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode",
  "   0: 0100007F:1A0A 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1 0000000000000000 100 0 0 10 0",
  "   1: 0100007F:1A0A 0200007F:D431 01 00000003:00000010 00:00000000 00000000     0        0 4243 1 0000000000000000 20 4 30 10 -1",
  "",
].join("\n");
const TCP6 = [
  "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode",
  "   0: 00000000000000000000000001000000:1A0A 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 5001 1 00000000cab1e0a2 100 0 0 10 0",
  "   1: 0000000000000000FFFF00000100007F:1A0A 0000000000000000FFFF00000100007F:D431 06 00000000:00000000 03:000009A6 00000000     0        0 0 3 00000000cab1e0a2",
  "",
].join("\n");
const UDP = [
  "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops             ",
  "  512: A864A8C0:1A0A 00000000:0000 07 00000000:00000040 00:00000000 00000000  1000        0 6001 2 0000000000000000 0          ",
  "  700: 0264A8C0:C350 A864A8C0:1A0A 01 00000000:00000000 00:00000000 00000000  1000        0 6002 2 0000000000000000 0          ",
  "",
].join("\n");
const UDP6 = [
  "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops",
  "  512: 000000FD000000000000000068010000:1A0A 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000  1000        0 7001 2 0000000000000000 0",
  "",
].join("\n");
const UNIX = [
  "Num       RefCount Protocol Flags    Type St Inode Path",
  "000000009943a314: 00000002 00000000 00010000 0001 01 8001 /tmp/run/server.sock",
  "00000000224b0945: 00000002 00000000 00000000 0002 01 8002 /tmp/run/a path with spaces.sock",
  "000000006252e322: 00000003 00000000 00000000 0001 03 8003",
  "000000001c0951b6: 00000002 00000000 00010000 0001 01 8004 @/tmp/.X11-unix/X0",
  "0000000011111111: 00000002 00000000 00000000 0005 01 8005 relative.sock",
  "",
].join("\n");

test("parseInetTable() reads TCP, TCP6, UDP and UDP6 rows", () => {
  const tcp = parseInetTable(TCP, "tcp");
  assert.deepEqual(tcp[1], {
    table: "tcp",
    localAddress: "127.0.0.1",
    localPort: 6666,
    remoteAddress: "127.0.0.2",
    remotePort: 54321,
    local: "127.0.0.1:6666",
    remote: "127.0.0.2:54321",
    state: TCP_STATE.ESTABLISHED,
    txQueue: 3,
    rxQueue: 16,
    inode: "4243",
  });
  assert.equal(tcp[0]!.state, TCP_STATE.LISTEN);
  const tcp6 = parseInetTable(TCP6, "tcp6");
  assert.deepEqual(tcp6.map((r) => [r.localAddress, r.local, r.remote, r.state]), [
    ["::1", "[::1]:6666", "[::]:0", TCP_STATE.LISTEN],
    ["::ffff:127.0.0.1", "127.0.0.1:6666", "127.0.0.1:54321", TCP_STATE.TIME_WAIT],
  ]);
  const udp = parseInetTable(UDP, "udp");
  assert.deepEqual(udp.map((r) => [r.local, r.remote, r.state, r.rxQueue, r.inode]), [
    ["192.168.100.168:6666", "0.0.0.0:0", TCP_STATE.CLOSE, 64, "6001"],
    ["192.168.100.2:50000", "192.168.100.168:6666", TCP_STATE.ESTABLISHED, 0, "6002"],
  ]);
  assert.deepEqual(parseInetTable(UDP6, "udp6").map((r) => r.local), ["[fd00::168]:6666"]);
  assert.deepEqual(
    parseInetTable("header\ngarbage line\n 0: XYZ:1 0:0 0A 0:0 0 0 0 0 1", "tcp"),
    [],
  );
});

test("parseUnixTable() reads type, listening, path (spaces, unbound, abstract, relative)", () => {
  assert.deepEqual(parseUnixTable(UNIX), [
    { type: "stream", path: "/tmp/run/server.sock", listening: true, state: 1, inode: "8001" },
    {
      type: "dgram",
      path: "/tmp/run/a path with spaces.sock",
      listening: false,
      state: 1,
      inode: "8002",
    },
    { type: "stream", path: "", listening: false, state: 3, inode: "8003" },
    { type: "stream", path: "@/tmp/.X11-unix/X0", listening: true, state: 1, inode: "8004" },
    { type: "seqpacket", path: "relative.sock", listening: false, state: 1, inode: "8005" },
  ]);
});

test("readInetSockets() sees this process's TCP listener and UDP socket, by inode", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const socket = dgram.createSocket("udp4");
  try {
    await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
    const udpPort = socket.address().port;
    const rows = await readInetSockets(["tcp", "tcp6", "udp", "udp6"]);
    assert.ok(rows, "/proc/net is readable");
    const tcp = rows.find((r) =>
      r.table === "tcp" && r.local === `127.0.0.1:${listener.addr.port}`
    );
    const udp = rows.find((r) => r.table === "udp" && r.local === `127.0.0.1:${udpPort}`);
    assert.equal(tcp?.state, TCP_STATE.LISTEN);
    assert.equal(udp?.state, TCP_STATE.CLOSE);
    const mine = socketInodes([Deno.pid]);
    assert.ok(mine.has(tcp.inode) && mine.has(udp.inode), "both are this process's");
  } finally {
    await new Promise<void>((resolve) => socket.close(() => resolve()));
  }
});

Deno.test({
  name: "readInetSockets() sees an IPv6 listener on ::1 (skipped: no ::1 here)",
  ignore: !hasIPv6Loopback(),
}, async () => {
  using listener = Deno.listen({ hostname: "::1", port: 0 });
  const rows = await readInetSockets(["tcp6"]) ?? [];
  const row = rows.find((r) => r.local === `[::1]:${listener.addr.port}`);
  assert.equal(row?.localAddress, "::1");
  assert.equal(row?.state, TCP_STATE.LISTEN);
});

test("readUnixSockets() sees a listening stream socket and a bound datagram socket", async () => {
  const dir = await Deno.makeTempDir();
  try {
    using stream = Deno.listen({ transport: "unix", path: `${dir}/s.sock` });
    const datagrams = Deno.listenDatagram({ transport: "unixpacket", path: `${dir}/d.sock` });
    const rows = await readUnixSockets() ?? [];
    const s = rows.find((r) => r.path === `${dir}/s.sock`);
    const d = rows.find((r) => r.path === `${dir}/d.sock`);
    assert.deepEqual([s?.type, s?.listening], ["stream", true]);
    assert.deepEqual([d?.type, d?.listening], ["dgram", false]);
    assert.ok(socketInodes([Deno.pid]).has(s!.inode));
    assert.ok(stream.addr.transport === "unix");
    datagrams.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
