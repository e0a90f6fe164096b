/**
 * Tests of the reference client, `runClient()` and the client CLI, against a capture server in
 * the test: the exact bytes sent (`Client Query test\nCleint Query\nClient Query Quit\n`, typo
 * kept), the local address it binds, and the exit statuses (0 normal, 1 refused or timed out,
 * 2 usage errors).
 *
 * @module
 */

import assert from "node:assert/strict";
import { ClientError, runClient } from "../client.ts";
import { CliProcess, drain, within } from "./_helpers/ref_net.ts";
import { freePort } from "../grader/sandbox/free_port.ts";

const ARTICLE_BYTES = "Client Query test\nCleint Query\nClient Query Quit\n";

/** Accepts one connection and reads it to its end; `hold` keeps it open until released. */
function capture(hold = false) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const release = Promise.withResolvers<void>();
  const received = (async () => {
    const conn = await listener.accept();
    try {
      const chunks: Uint8Array[] = [];
      const buffer = new Uint8Array(4096);
      let n: number | null;
      while ((n = await conn.read(buffer)) !== null) chunks.push(buffer.slice(0, n));
      if (hold) await release.promise;
      return {
        text: new TextDecoder().decode(new Uint8Array(chunks.flatMap((c) => [...c]))),
        writes: chunks.length,
        peer: conn.remoteAddr.hostname,
      };
    } finally {
      conn.close();
    }
  })();
  return {
    port: listener.addr.port,
    received: within(received, "the client's bytes"),
    release: () => release.resolve(),
    [Symbol.dispose]: () => listener.close(),
  };
}

Deno.test("runClient() sends the article's three messages, typo included, then closes", async () => {
  using server = capture();
  const logs: string[] = [];
  const result = await runClient({ port: server.port, log: (l) => logs.push(l) });
  const got = await server.received;
  assert.equal(got.text, ARTICLE_BYTES);
  assert.deepEqual(result, {
    sent: ["Client Query test", "Cleint Query", "Client Query Quit"],
    bytes: ARTICLE_BYTES.length,
    serverClosed: true,
  });
  assert.match(logs.at(-1)!, /sent 3 messages \(49 bytes\); the server closed the connection/);
});

Deno.test("runClient() sends given messages instead", async (t) => {
  for (
    const messages of [["Client Query"], ["Client Query", "", "Client Query"], ["héllo\t\0"]]
  ) {
    await t.step(JSON.stringify(messages), async () => {
      using server = capture();
      const result = await runClient({ port: server.port, messages, log: () => {} });
      assert.equal((await server.received).text, messages.map((m) => `${m}\n`).join(""));
      assert.equal(result.bytes, new TextEncoder().encode(messages.join("\n") + "\n").length);
    });
  }
});

Deno.test("runClient() connects from the --bind address", async () => {
  using server = capture();
  const result = await runClient({ port: server.port, bind: "127.0.0.2", log: () => {} });
  const got = await server.received;
  assert.equal(got.peer, "127.0.0.2");
  assert.equal(got.text, ARTICLE_BYTES);
  assert.equal(result.serverClosed, true);
});

Deno.test("runClient() closes by itself when the server keeps the connection open", async (t) => {
  for (const bind of [undefined, "127.0.0.2"]) {
    await t.step(bind === undefined ? "default local address" : `bound to ${bind}`, async () => {
      using server = capture(true);
      const result = await runClient({ port: server.port, bind, closeWaitMs: 50, log: () => {} });
      server.release();
      assert.equal(result.serverClosed, false);
      assert.equal((await server.received).text, ARTICLE_BYTES);
    });
  }
});

Deno.test("runClient() says nothing is listening when the connection is refused", async (t) => {
  const port = freePort();
  for (const bind of [undefined, "127.0.0.2"]) {
    await t.step(bind ?? "default local address", async () => {
      await assert.rejects(
        runClient({ port, bind, log: () => {} }),
        (error: unknown) =>
          error instanceof ClientError &&
          error.message ===
            `nothing is listening on 127.0.0.1:${port} (connection refused): start the server first, or check the address and port`,
      );
    });
  }
});

Deno.test("runClient() gives up after the connect timeout", async (t) => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0, tcpBacklog: 0 });
  const port = listener.addr.port;
  const filler = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    for (const bind of [undefined, "127.0.0.2"]) {
      await t.step(bind ?? "default local address", async () => {
        await assert.rejects(
          runClient({ port, bind, connectTimeoutMs: 100, log: () => {} }),
          (error: unknown) =>
            error instanceof ClientError &&
            error.message.startsWith(`could not connect to 127.0.0.1:${port} within 0.1 s`),
        );
      });
    }
  } finally {
    filler.close();
  }
});

Deno.test("runClient() rejects options that are not valid", async () => {
  await assert.rejects(runClient({ messages: ["two\nlines"] }), TypeError);
  await assert.rejects(runClient({ hostname: "not-an-ip" }), TypeError);
  await assert.rejects(runClient({ bind: "nowhere" }), TypeError);
  await assert.rejects(runClient({ port: 0 }), RangeError);
});

Deno.test("client CLI: sends the article's bytes and exits 0, stdout empty", async () => {
  using server = capture();
  await using proc = new CliProcess(["client", "127.0.0.1", String(server.port)]);
  const status = await proc.exited();
  assert.equal(status.code, 0, proc.describe());
  assert.equal((await server.received).text, ARTICLE_BYTES);
  assert.deepEqual(proc.stdout.lines, []);
});

Deno.test("client CLI: --message and --bind", async () => {
  using server = capture();
  await using proc = new CliProcess([
    "client",
    "--port",
    String(server.port),
    "--bind",
    "127.0.0.2",
    "--message",
    "Client Query",
    "--message",
    "Client Query",
  ]);
  assert.equal((await proc.exited()).code, 0, proc.describe());
  const got = await server.received;
  assert.equal(got.text, "Client Query\nClient Query\n");
  assert.equal(got.peer, "127.0.0.2");
});

Deno.test("client CLI: a refused connection exits 1 with one line and no stack", async () => {
  const port = freePort();
  await using proc = new CliProcess(["client", "127.0.0.1", String(port)]);
  const status = await proc.exited();
  assert.equal(status.code, 1, proc.describe());
  assert.deepEqual(proc.stderr.lines, [
    `sockgrade client: nothing is listening on 127.0.0.1:${port} (connection refused): start the server first, or check the address and port`,
  ]);
});

Deno.test("client CLI: usage errors exit 2", async (t) => {
  for (
    const args of [
      ["not-an-address"],
      ["127.0.0.1", "0"],
      ["127.0.0.1", "65536"],
      ["--message", "two\nlines"],
      ["--bind", "nowhere"],
      ["--connect-timeout", "-1"],
    ]
  ) {
    await t.step(JSON.stringify(args), async () => {
      await using proc = new CliProcess(["client", ...args]);
      assert.equal((await proc.exited()).code, 2, proc.describe());
      assert.ok(!proc.stderr.lines.some((l) => /^\s+at /.test(l)), proc.describe());
    });
  }
});

Deno.test("the client's connection is seen closed by the server after it finishes", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const running = runClient({ port: listener.addr.port, log: () => {} });
  const conn = await listener.accept();
  try {
    await within(drain(conn), "the client to half-close");
  } finally {
    conn.close();
  }
  assert.equal((await running).serverClosed, true);
});
