/**
 * Tests of the reference server, `serve()`, driven over loopback with the rows of EXERCISE.md §3
 * (trigger, exact match, framing, address filter, robustness, concurrency), and of the server
 * CLI (stdout carries only response lines; bind failures and signals give the right exit status).
 * Negative checks are sequenced by events: a connection's responses are all printed before the
 * server closes it, so "no response" is asserted once the close is seen, never after a sleep.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  ListenError,
  normalizeAddress,
  serve,
  type ServeOptions,
  type ServerHandle,
} from "../server.ts";
import {
  CliProcess,
  connectFrom,
  drain,
  Recorder,
  sendAndFinish,
  startServerCli,
  within,
  writeNode,
} from "./_helpers/ref_net.ts";

const RESPONSE = "Receive Query";

/** The address of a server on an IP transport. */
function ipOf(server: ServerHandle): { hostname: string; port: number } {
  assert.ok("port" in server.addr, `not an IP transport: ${JSON.stringify(server.addr)}`);
  return server.addr;
}

/** A server on 127.0.0.1 with a free port whose output and log are recorded. */
function startServer(options: ServeOptions = {}) {
  const out = new Recorder();
  const log = new Recorder();
  const server = serve({
    port: 0,
    hostname: "127.0.0.1",
    onResponse: out.push,
    log: log.push,
    ...options,
  });
  return { server, out, log, port: ipOf(server).port };
}

/** `text` cut into pieces of `size` characters. */
function chunks(text: string, size: number): string[] {
  return Array.from(
    { length: Math.ceil(text.length / size) },
    (_, i) => text.slice(i * size, (i + 1) * size),
  );
}

interface Row {
  name: string;
  /** Each entry is one write on one connection, which is then half-closed. */
  writes: (string | Uint8Array)[];
  /** How many response lines the server must print for it. */
  responses: number;
}

const ROWS: Row[] = [
  { name: "the trigger gets one response", writes: ["Client Query\n"], responses: 1 },
  ...[
    "Client Query test",
    "Cleint Query",
    "Client Query Quit",
    "client query",
    "Client Query ",
    "XClient Query",
    " Client Query",
    "Client Query\r\r",
    "",
  ].map((nearMiss) => ({
    name: `the near miss ${JSON.stringify(nearMiss)} gets none`,
    writes: [`${nearMiss}\n`],
    responses: 0,
  })),
  { name: "the trigger split over two writes", writes: ["Client Qu", "ery\n"], responses: 1 },
  { name: "two triggers in one write", writes: ["Client Query\nClient Query\n"], responses: 2 },
  { name: "the trigger ended by close", writes: ["Client Query"], responses: 1 },
  { name: "the trigger ended by CRLF", writes: ["Client Query\r\n"], responses: 1 },
  {
    name: "the article's three messages get none",
    writes: ["Client Query test\nCleint Query\nClient Query Quit\n"],
    responses: 0,
  },
  {
    name: "triggers packed among near misses, split at odd places",
    writes: ["Cleint Query\nClient Query\nClient ", "Query test\nClient Query\r", "\nClient Query"],
    responses: 3,
  },
  {
    name: "binary bytes with NULs get none, and the next line is answered",
    writes: [
      new Uint8Array([0, 0xff, 0xfe, 10, 0, 67, 108, 0, 10]),
      "Client Query\0\nClient Query\n",
    ],
    responses: 1,
  },
  {
    name: "500 triggers among 1,000 near misses, CRLF and LF mixed, written 7 bytes at a time",
    writes: chunks(
      Array.from(
        { length: 500 },
        (_, i) => `Cleint Query\nClient Query${i % 2 ? "\r\n" : "\n"}Client Query\r\r\n`,
      ).join(""),
      7,
    ),
    responses: 500,
  },
  {
    name: "1 MiB without a newline, ended by close, gets none",
    writes: ["x".repeat(1 << 20)],
    responses: 0,
  },
  {
    name: "1 MiB without a newline is discarded up to its newline, then the trigger is answered",
    writes: ["Client Query".repeat(90_000), "\nClient Query\n"],
    responses: 1,
  },
];

Deno.test("serve() answers exactly the trigger, framed per line", async (t) => {
  const { server, out, port } = startServer();
  await using _ = server;
  for (const row of ROWS) {
    await t.step(row.name, async () => {
      const before = out.lines.length;
      await sendAndFinish(port, row.writes);
      assert.deepEqual(out.lines.slice(before), Array(row.responses).fill(RESPONSE));
    });
  }
});

Deno.test("serve() logs each message escaped and a discarded over-long line", async () => {
  const { server, log, port } = startServer({ maxLineBytes: 16 });
  await using _ = server;
  await sendAndFinish(port, ["Client Query\0\r\n", "y".repeat(40), "\nClient Query\n"]);
  await log.waitFor('message "Client Query\\0" -> not the trigger');
  await log.waitFor("discarded a line of 40 bytes");
  await log.waitFor('message "Client Query" -> printed "Receive Query"');
});

Deno.test("serve() rejects a client that is not allowed, and the allowed one still works", async () => {
  const { server, out, log, port } = startServer({ allow: ["127.0.0.1"] });
  await using _ = server;
  const stranger = await connectFrom("127.0.0.2", port);
  await writeNode(stranger.socket, "Client Query\n").catch(() => {});
  stranger.socket.end();
  await within(stranger.closed, "the server to close the stranger's connection");
  await log.waitFor("127.0.0.2");
  assert.match(log.lines.find((l) => l.includes("127.0.0.2"))!, /rejected/);
  await sendAndFinish(port, ["Client Query\n"]);
  assert.deepEqual(out.lines, [RESPONSE]);
});

Deno.test("serve() accepts a second allowed address and IPv4-mapped peers", async () => {
  const { server, out, port } = startServer({
    allow: ["127.0.0.2", "::ffff:127.0.0.1"],
    hostname: "::",
  });
  await using _ = server;
  const allowed = await connectFrom("127.0.0.2", port);
  await writeNode(allowed.socket, "Client Query\n");
  allowed.socket.end();
  await within(allowed.closed, "the server to close the connection");
  await sendAndFinish(port, ["Client Query\n"]);
  assert.deepEqual(out.lines, [RESPONSE, RESPONSE]);
});

Deno.test("serve() listens on ::1 when an allowed address is IPv6", async () => {
  const { server, out } = startServer({ allow: ["::1"], hostname: undefined });
  await using _ = server;
  assert.equal(ipOf(server).hostname, "::");
  const conn = await Deno.connect({ hostname: "::1", port: ipOf(server).port });
  await conn.write(new TextEncoder().encode("Client Query\n"));
  await conn.closeWrite();
  await within(drain(conn), "the server to close the connection");
  conn.close();
  assert.deepEqual(out.lines, [RESPONSE]);
});

Deno.test("normalizeAddress() maps IPv4-mapped IPv6 to IPv4 and compresses IPv6", () => {
  assert.equal(normalizeAddress("::ffff:127.0.0.1"), "127.0.0.1");
  assert.equal(normalizeAddress("::FFFF:7f00:2"), "127.0.0.2");
  assert.equal(normalizeAddress("0:0:0:0:0:0:0:1"), "::1");
  assert.equal(normalizeAddress("192.168.100.2"), "192.168.100.2");
});

Deno.test("serve() survives abuse and keeps answering", async (t) => {
  const { server, out, log, port } = startServer();
  await using _ = server;
  await t.step("connect and close at once", async () => {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    conn.close();
    await log.waitFor("the client closed the connection");
  });
  await t.step("a reset in the middle of a line drops the line", async () => {
    const { socket, closed } = await connectFrom("127.0.0.1", port);
    await writeNode(socket, "Client Query");
    socket.resetAndDestroy();
    await within(closed, "the reset socket to close");
    await log.waitFor("reset the connection");
  });
  await t.step("still answering", async () => {
    await sendAndFinish(port, ["Client Query\n"]);
    assert.deepEqual(out.lines, [RESPONSE]);
  });
});

Deno.test("serve() answers one client while another holds an idle connection", async () => {
  const { server, out, port } = startServer();
  await using _ = server;
  const idle = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await idle.write(new TextEncoder().encode("Client Qu"));
    await sendAndFinish(port, ["Client Query\n"]);
    assert.deepEqual(out.lines, [RESPONSE]);
    await idle.write(new TextEncoder().encode("ery\n"));
    await out.waitForCount(2);
    await idle.closeWrite();
    await within(drain(idle), "the server to close the idle connection");
    assert.deepEqual(out.lines, [RESPONSE, RESPONSE]);
  } finally {
    idle.close();
  }
});

Deno.test("serve() closes a connection that stays idle past the timeout", async () => {
  const { server, log, port } = startServer({ idleTimeoutMs: 50 });
  await using _ = server;
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await within(drain(conn), "the server to close the idle connection");
    await log.waitFor("sent nothing for 50 ms");
  } finally {
    conn.close();
  }
});

Deno.test("close() closes open connections and resolves closed", async () => {
  const { server, log, port } = startServer();
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await log.waitFor("accepted the connection");
    const draining = drain(conn);
    await server.close();
    await within(server.closed, "closed to resolve");
    await within(draining, "the connection to be closed by the server");
    await log.waitFor("as the server stops");
  } finally {
    conn.close();
  }
});

Deno.test("an aborted signal closes the server", async () => {
  const abort = new AbortController();
  const { server } = startServer({ signal: abort.signal });
  abort.abort();
  await within(server.closed, "closed to resolve");
});

Deno.test("serve() throws a ListenError that says what to do when the port is taken", () => {
  using taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  assert.throws(
    () => serve({ port: taken.addr.port, hostname: "127.0.0.1", log: () => {} }),
    (error: unknown) =>
      error instanceof ListenError &&
      error.message ===
        `port ${taken.addr.port} is already in use: stop the other server or pass another port`,
  );
});

Deno.test("serve() rejects options that are not valid", () => {
  assert.throws(() => serve({ allow: ["not-an-ip"] }), TypeError);
  assert.throws(() => serve({ allow: [] }), TypeError);
  assert.throws(() => serve({ port: 70000 }), RangeError);
  assert.throws(() => serve({ maxLineBytes: 0 }), RangeError);
  assert.throws(() => serve({ idleTimeoutMs: -1 }), RangeError);
});

Deno.test("server CLI: stdout holds only response lines, SIGTERM exits 0", async () => {
  const { proc, port } = await startServerCli(["127.0.0.1", "0", "--hostname", "127.0.0.1"]);
  await using _ = proc;
  await sendAndFinish(port, ["Cleint Query\nClient Query\n", "Client Query test\nClient Query"]);
  await proc.stdout.waitForCount(2);
  proc.kill("SIGTERM");
  const status = await proc.exited();
  assert.equal(status.code, 0, proc.describe());
  assert.deepEqual(proc.stdout.lines, [RESPONSE, RESPONSE]);
  assert.ok(proc.stderr.lines.some((l) => l.includes("received SIGTERM")), proc.describe());
});

Deno.test("server CLI: SIGINT exits 0 with a connection still open", async () => {
  const { proc, port } = await startServerCli(["--port", "0", "--hostname", "127.0.0.1"]);
  await using _ = proc;
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await proc.stderr.waitFor("accepted the connection");
    proc.kill("SIGINT");
    await within(drain(conn), "the server to close the connection");
    assert.equal((await proc.exited()).code, 0, proc.describe());
  } finally {
    conn.close();
  }
});

Deno.test("server CLI: a spec file sets the trigger, the response and the port", async () => {
  const path = await Deno.makeTempFile({ suffix: ".jsonc" });
  try {
    await Deno.writeTextFile(path, '{ "trigger": "ping", "response": "pong", "port": 6666 } // x');
    const { proc, port } = await startServerCli(["--spec", path, "--port", "0"]);
    await using _ = proc;
    await sendAndFinish(port, ["Client Query\nping\n"]);
    await proc.stdout.waitForCount(1);
    proc.kill("SIGTERM");
    assert.equal((await proc.exited()).code, 0, proc.describe());
    assert.deepEqual(proc.stdout.lines, ["pong"]);
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("server CLI: a port in use exits 1 with one line saying what to do", async () => {
  using taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  await using proc = new CliProcess([
    "server",
    "127.0.0.1",
    String(taken.addr.port),
    "--hostname",
    "127.0.0.1",
  ]);
  const status = await proc.exited();
  assert.equal(status.code, 1, proc.describe());
  assert.deepEqual(proc.stderr.lines, [
    `sockgrade server: port ${taken.addr.port} is already in use: stop the other server or pass another port`,
  ]);
  assert.deepEqual(proc.stdout.lines, []);
});

Deno.test("server CLI: usage errors exit 2", async (t) => {
  for (
    const args of [
      ["not-an-address"],
      ["127.0.0.1", "70000"],
      ["127.0.0.1", "6666", "--port", "7777"],
      ["--idle-timeout", "soon"],
      ["--spec", "/nonexistent/spec.json"],
    ]
  ) {
    await t.step(args.join(" "), async () => {
      await using proc = new CliProcess(["server", ...args]);
      const status = await proc.exited();
      assert.equal(status.code, 2, proc.describe());
      assert.deepEqual(proc.stdout.lines, []);
      assert.ok(!proc.stderr.lines.some((l) => /^\s+at /.test(l)), proc.describe());
    });
  }
});
