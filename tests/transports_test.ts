/**
 * Tests of the reference server and client over every transport of EXERCISE.md §6: one contract
 * run against each of `tcp`, `udp` (IPv4 and IPv6), `unix-stream` and `unix-dgram` (real sockets
 * on loopback, port 0, or in a temporary folder), then what is particular to one: a datagram is
 * one message, a stale socket file is replaced but nothing else is, a Unix-domain datagram too
 * large for the socket is explained, and the CLI reads paths for the Unix-domain transports; a
 * graded copy of the reference follows the spec file beside its `server.ts` and `client.ts`.
 * Datagrams carry no close, so a test waits for the log line of the last message it sent: the
 * server handles a socket's datagrams in order.
 *
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { ListenError, serve, type ServeOptions, type Transport } from "../server.ts";
import { ClientError, type ClientOptions, runClient } from "../client.ts";
import { CliProcess, Recorder, REF_MAIN, within } from "./_helpers/ref_net.ts";
import { referenceSubmission } from "../grader/inputs/reference.ts";
import { specFromValue } from "../grader/spec.ts";
import { unixDatagramLimit } from "../reference/datagram_client.ts";

const RESPONSE = "Receive Query";

interface Variant {
  name: string;
  transport: Transport;
  /** Server and client options for a client that is allowed, in a fresh folder `dir`. */
  ends(dir: string): { server: ServeOptions; client: ClientOptions; stranger: ServeOptions };
}

const ip = (transport: "tcp" | "udp", address: string): Variant["ends"] => () => ({
  server: { transport, allow: [address], hostname: address, port: 0 },
  client: { transport, hostname: address },
  stranger: { transport, allow: [address === "::1" ? "::2" : "127.0.0.2"], hostname: address },
});

const unix = (transport: "unix-stream" | "unix-dgram"): Variant["ends"] => (dir) => ({
  server: { transport, allow: [join(dir, "client.sock")], path: join(dir, "server.sock") },
  client: { transport, path: join(dir, "server.sock"), bindPath: join(dir, "client.sock") },
  stranger: { transport, allow: [join(dir, "other.sock")], path: join(dir, "server.sock") },
});

const VARIANTS: Variant[] = [
  { name: "tcp over IPv4", transport: "tcp", ends: ip("tcp", "127.0.0.1") },
  { name: "tcp over IPv6", transport: "tcp", ends: ip("tcp", "::1") },
  { name: "udp over IPv4", transport: "udp", ends: ip("udp", "127.0.0.1") },
  { name: "udp over IPv6", transport: "udp", ends: ip("udp", "::1") },
  { name: "unix-stream", transport: "unix-stream", ends: unix("unix-stream") },
  { name: "unix-dgram", transport: "unix-dgram", ends: unix("unix-dgram") },
];

/** Makes a datagram socket something `using` closes. */
function disposable(socket: Deno.DatagramConn): Deno.DatagramConn & Disposable {
  return Object.assign(socket, { [Symbol.dispose]: () => socket.close() });
}

/** Runs `body` with a fresh temporary folder, removed afterwards. */
async function inTempDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "sockgrade-transports-" });
  try {
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Starts a server that records its output, and fills in the client's port from it. */
function start(options: ServeOptions, client: ClientOptions) {
  const out = new Recorder();
  const log = new Recorder();
  const server = serve({ ...options, onResponse: out.push, log: log.push });
  const to = "port" in server.addr ? { ...client, port: server.addr.port } : client;
  return { server, out, log, client: { ...to, log: () => {} } };
}

const MESSAGES = ["Client Query test", "Client Query", "Cleint Query", "Client Query", "Last"];

for (const variant of VARIANTS) {
  Deno.test(`reference server and client over ${variant.name}: exactly the triggers are answered`, async () => {
    await inTempDir(async (dir) => {
      const ends = variant.ends(dir);
      const { server, out, log, client } = start(ends.server, ends.client);
      await using _ = server;
      const result = await runClient({ ...client, messages: MESSAGES });
      assert.deepEqual(result.sent, MESSAGES);
      await log.waitFor('message "Last"');
      assert.deepEqual(out.lines, [RESPONSE, RESPONSE], log.lines.join("\n"));
      const firstLine = log.lines.find((l) => l.includes('message "Client Query" -> printed'))!;
      if (variant.transport.startsWith("unix")) {
        assert.ok(firstLine.startsWith(`${ends.client.bindPath}:`), firstLine);
      }
    });
  });

  Deno.test(`reference server over ${variant.name}: a client it does not allow gets nothing`, async () => {
    await inTempDir(async (dir) => {
      const ends = variant.ends(dir);
      const { server, out, log, client } = start(ends.stranger, ends.client);
      await using _ = server;
      await runClient({ ...client, messages: ["Client Query"] }).catch((error) => {
        if (!(error instanceof ClientError)) throw error;
      });
      await log.waitFor(/rejected the connection|ignored a datagram/);
      assert.deepEqual(out.lines, []);
    });
  });
}

Deno.test("serve() over unix-stream refuses a client that never bound its socket, saying why", async () => {
  await inTempDir(async (dir) => {
    const path = join(dir, "s.sock");
    const { server, out, log } = start(
      { transport: "unix-stream", allow: [join(dir, "c.sock")], path },
      {},
    );
    await using _ = server;
    const conn = await Deno.connect({ transport: "unix", path });
    try {
      await conn.write(new TextEncoder().encode("Client Query\n")).catch(() => 0);
      const line = await log.waitFor("rejected the connection");
      assert.match(line, /^an unbound socket: .*did not bind its socket to a path/);
      assert.deepEqual(out.lines, []);
    } finally {
      conn.close();
    }
  });
});

Deno.test("a UDP datagram is one message: one trailing \\n is tolerated, nothing else", async () => {
  const { server, out, log } = start({ transport: "udp", hostname: "127.0.0.1", port: 0 }, {});
  await using _ = server;
  assert.ok("port" in server.addr);
  using socket = disposable(
    Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 }),
  );
  const to = { transport: "udp", hostname: "127.0.0.1", port: server.addr.port } as const;
  for (const text of ["Client Query\n", "Client Query\r\n", "Client Query\nClient Query", "End"]) {
    await socket.send(new TextEncoder().encode(text), to);
  }
  await log.waitFor('message "End"');
  assert.deepEqual(out.lines, [RESPONSE]);
});

Deno.test("a Unix-domain datagram must be exactly the trigger", async () => {
  await inTempDir(async (dir) => {
    const client = join(dir, "c.sock");
    const { server, out, log } = start(
      { transport: "unix-dgram", allow: [client], path: join(dir, "s.sock") },
      {},
    );
    await using _ = server;
    using socket = disposable(Deno.listenDatagram({ transport: "unixpacket", path: client }));
    const to = { transport: "unixpacket", path: join(dir, "s.sock") } as const;
    for (const text of ["Client Query\n", "Client Query", "End"]) {
      await socket.send(new TextEncoder().encode(text), to);
    }
    await log.waitFor('message "End"');
    assert.deepEqual(out.lines, [RESPONSE]);
  });
});

for (const transport of ["unix-stream", "unix-dgram"] as const) {
  Deno.test(`serve() over ${transport} replaces a stale socket file, but never another file`, async () => {
    await inTempDir(async (dir) => {
      const path = join(dir, "server.sock");
      // A server that exits without closing its socket leaves the file behind.
      const crashed = await new Deno.Command(Deno.execPath(), {
        args: [
          "eval",
          `Deno.listen({ transport: "unix", path: ${JSON.stringify(path)} }); Deno.exit(0);`,
        ],
        stdin: "null",
      }).output();
      assert.equal(crashed.code, 0);
      assert.ok(Deno.lstatSync(path).isSocket, "the test's stale socket file is there");
      const options = { transport, allow: [join(dir, "c.sock")], path, log: () => {} };
      await serve(options).close();
      assert.throws(() => Deno.lstatSync(path), Deno.errors.NotFound, "removed when it stops");

      await Deno.writeTextFile(path, "notes");
      assert.throws(
        () => serve(options),
        (error: unknown) =>
          error instanceof ListenError && error.message.includes("is a file, not a socket"),
      );
      assert.equal(await Deno.readTextFile(path), "notes");
    });
  });
}

Deno.test("runClient() over unix-dgram sends the largest datagram and explains one byte more", async () => {
  const limit = unixDatagramLimit();
  assert.ok(limit !== undefined, "net.core.wmem_default is readable on Linux");
  const wmem = Number(Deno.readTextFileSync("/proc/sys/net/core/wmem_default").trim());
  assert.equal(limit, wmem - 32, "the limit is the default send buffer less Linux's 32 bytes");
  await inTempDir(async (dir) => {
    const { server, client } = start(
      { transport: "unix-dgram", allow: [join(dir, "c.sock")], path: join(dir, "s.sock") },
      { transport: "unix-dgram", path: join(dir, "s.sock"), bindPath: join(dir, "c.sock") },
    );
    await using _ = server;
    const largest = await runClient({ ...client, messages: ["x".repeat(limit)] });
    assert.equal(largest.bytes, limit);
    const shown = limit.toLocaleString("en-US");
    const more = (limit + 1).toLocaleString("en-US");
    await assert.rejects(
      runClient({ ...client, messages: ["x".repeat(limit + 1)] }),
      (error: unknown) => {
        assert.ok(error instanceof ClientError);
        assert.match(
          error.message,
          new RegExp(
            `^the datagram of ${more} bytes is too large for a Unix-domain datagram socket \\((EMSGSIZE|ENOBUFS)\\): at most ${shown} bytes here`,
          ),
        );
        assert.match(error.message, /use unix-stream/);
        assert.doesNotMatch(error.message, /os error/);
        return true;
      },
    );
    assert.throws(() => Deno.lstatSync(join(dir, "c.sock")), Deno.errors.NotFound);
  });
});

Deno.test("client CLI over unix-dgram: a datagram too large is one plain line and exit 1", async () => {
  await inTempDir(async (dir) => {
    const [c, s] = [join(dir, "c.sock"), join(dir, "s.sock")];
    await using server = new CliProcess(["server", "--transport", "unix-dgram", c, s]);
    await server.stderr.waitFor("listening on");
    // Through a spec: an argument of 256 KiB is more than the kernel passes to a program.
    const spec = join(dir, "spec.json");
    await Deno.writeTextFile(
      spec,
      JSON.stringify({ transport: "unix-dgram", messages: ["x".repeat(256 * 1024)] }),
    );
    await using client = new CliProcess(["client", "--spec", spec, s, c]);
    assert.equal((await client.exited()).code, 1, client.describe().slice(0, 2000));
    const last = client.stderr.lines.at(-1) ?? "";
    assert.match(
      last,
      /^sockgrade client: the datagram of 262,144 bytes is too large for a Unix-domain datagram socket \((EMSGSIZE|ENOBUFS)\): at most [\d,]+ bytes here/,
    );
  });
});

Deno.test("runClient() over unix-stream and unix-dgram says nothing is listening at a missing path", async () => {
  await inTempDir(async (dir) => {
    for (const transport of ["unix-stream", "unix-dgram"] as const) {
      await assert.rejects(
        runClient({
          transport,
          path: join(dir, "none.sock"),
          bindPath: join(dir, "c.sock"),
          messages: ["Client Query"],
          log: () => {},
        }),
        (error: unknown) =>
          error instanceof ClientError &&
          /start the server first/.test(error.message),
        transport,
      );
    }
  });
});

Deno.test("server and client CLIs talk over unix-dgram and udp, with paths and ports as §6 says", async (t) => {
  await inTempDir(async (dir) => {
    for (const transport of ["unix-dgram", "udp"] as const) {
      await t.step(transport, async () => {
        const unixEnds = [join(dir, `${transport}-c.sock`), join(dir, `${transport}-s.sock`)];
        await using server = new CliProcess([
          "server",
          "--transport",
          transport,
          ...(transport === "udp" ? ["127.0.0.1", "0", "--hostname", "127.0.0.1"] : unixEnds),
        ]);
        const listening = await server.stderr.waitFor("listening on");
        const serverEnd = transport === "udp"
          ? ["127.0.0.1", /:(\d+);/.exec(listening)![1]!]
          : [unixEnds[1]!, unixEnds[0]!];
        await using client = new CliProcess(["client", "--transport", transport, ...serverEnd]);
        assert.equal((await client.exited()).code, 0, client.describe());
        assert.deepEqual(client.stdout.lines, []);
        await server.stderr.waitFor('message "Client Query Quit"');
        server.kill("SIGTERM");
        assert.equal((await server.exited()).code, 0, server.describe());
        assert.deepEqual(server.stdout.lines, [], "the article's messages hold no trigger");
      });
    }
  });
});

Deno.test("client CLI over unix-stream without --allow-ffi says how to run it", async () => {
  await inTempDir(async (dir) => {
    const { code, stderr } = await within(
      new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "--quiet",
          "--allow-net",
          "--allow-read",
          "--allow-write",
          "--no-prompt",
          REF_MAIN,
          "client",
          "--transport",
          "unix-stream",
          join(dir, "s.sock"),
          join(dir, "c.sock"),
        ],
        stdin: "null",
        stdout: "null",
        stderr: "piped",
      }).output(),
      "the client to exit",
    );
    const text = new TextDecoder().decode(stderr);
    assert.equal(code, 1, text);
    assert.match(text, /^sockgrade client: binding a Unix stream client socket .* --allow-ffi/);
  });
});

Deno.test("server and client CLIs: usage errors for the Unix-domain transports exit 2", async (t) => {
  for (
    const args of [
      ["server", "--transport", "unix-stream", "/tmp/only-one.sock"],
      ["server", "--transport", "unix-dgram", "/tmp/c.sock", "6666"],
      ["client", "--transport", "unix-dgram"],
      ["client", "--transport", "udp", "/tmp/s.sock", "6666"],
      ["server", "--transport", "sctp"],
    ]
  ) {
    await t.step(args.join(" "), async () => {
      await using proc = new CliProcess(args);
      const status = await proc.exited();
      assert.equal(status.code, 2, proc.describe());
      assert.ok(!proc.stderr.lines.some((l) => /^\s+at /.test(l)), proc.describe());
    });
  }
});

Deno.test("a copy of the reference made for a spec follows it (its transport, trigger and response)", async () => {
  const copy = await referenceSubmission(
    specFromValue(
      { transport: "unix-dgram", trigger: "Ping", response: "Pong" },
      "the test's spec",
    ),
  );
  try {
    const [client, server] = [join(copy.path, "c.sock"), join(copy.path, "s.sock")];
    // Started as the grader starts a submission's programs: the entry file and §6's arguments.
    await using proc = new CliProcess([client, server], join(copy.path, "server.ts"));
    const listening = await proc.stderr.waitFor("listening on");
    assert.match(listening, /transport unix-dgram/);
    await using sender = new CliProcess(
      ["--message", "Ping", "--message", "Client Query", server, client],
      join(copy.path, "client.ts"),
    );
    assert.equal((await sender.exited()).code, 0, sender.describe());
    await proc.stderr.waitFor('message "Client Query"');
    proc.kill("SIGTERM");
    assert.equal((await proc.exited()).code, 0, proc.describe());
    assert.deepEqual(proc.stdout.lines, ["Pong"], "the spec's trigger and response");
  } finally {
    await copy.cleanup();
  }
});
