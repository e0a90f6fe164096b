/**
 * End-to-end tests of the reference pair: the server and the client run as real subprocesses
 * the way a user runs them (`sockgrade server …`, `sockgrade client …`, and the standalone
 * `server.ts` / `client.ts` entries a Deno submission would use), over loopback, and their output
 * is read as lines. "No response" is bounded by a later trigger's response, never by a sleep.
 *
 * @module
 */

import assert from "node:assert/strict";
import { CliProcess, startServerCli } from "./_helpers/ref_net.ts";

const ROOT = new URL("..", import.meta.url).pathname;

/** Runs a client subprocess to its end and asserts it exits 0. */
async function runClientCli(args: string[], entry?: string): Promise<CliProcess> {
  const proc = entry === undefined
    ? new CliProcess(["client", ...args])
    : new CliProcess(args, entry);
  await using _ = proc;
  const status = await proc.exited();
  assert.equal(status.code, 0, proc.describe());
  return proc;
}

Deno.test("the article's client makes the server print nothing; a trigger prints one line", async () => {
  const { proc: server, port } = await startServerCli(["127.0.0.1", "0"]);
  await using _ = server;
  await runClientCli(["127.0.0.1", String(port)]);
  await runClientCli(["127.0.0.1", String(port), "--message", "Client Query"]);
  await server.stdout.waitForCount(1);
  server.kill("SIGTERM");
  assert.equal((await server.exited()).code, 0, server.describe());
  assert.deepEqual(server.stdout.lines, ["Receive Query"]);
  for (const message of ["Client Query test", "Cleint Query", "Client Query Quit"]) {
    assert.ok(
      server.stderr.lines.some((l) => l.includes(`message "${message}" -> not the trigger`)),
      server.describe(),
    );
  }
});

Deno.test("a client from an address that is not allowed is rejected; the allowed one is answered", async () => {
  const { proc: server, port } = await startServerCli(["127.0.0.1", "0"]);
  await using _ = server;
  await runClientCli([
    "127.0.0.1",
    String(port),
    "--bind",
    "127.0.0.2",
    "--message",
    "Client Query",
  ]);
  await runClientCli(["127.0.0.1", String(port), "--message", "Client Query"]);
  await server.stdout.waitForCount(1);
  server.kill("SIGINT");
  assert.equal((await server.exited()).code, 0, server.describe());
  assert.deepEqual(server.stdout.lines, ["Receive Query"]);
  assert.ok(
    server.stderr.lines.some((l) => /^127\.0\.0\.2:\d+: rejected the connection/.test(l)),
    server.describe(),
  );
});

Deno.test("many clients at once are each answered", async () => {
  const { proc: server, port } = await startServerCli(["127.0.0.1", "0"]);
  await using _ = server;
  const clients = 8;
  await Promise.all(
    Array.from(
      { length: clients },
      () =>
        runClientCli([
          "127.0.0.1",
          String(port),
          "--message",
          "Client Query",
          "--message",
          "Cleint Query",
        ]),
    ),
  );
  await server.stdout.waitForCount(clients);
  server.kill("SIGTERM");
  assert.equal((await server.exited()).code, 0, server.describe());
  assert.deepEqual(server.stdout.lines, Array(clients).fill("Receive Query"));
});

Deno.test("server.ts and client.ts run on their own, as a Deno submission would", async () => {
  const server = new CliProcess(["127.0.0.1", "0"], `${ROOT}server.ts`);
  await using _ = server;
  const port = Number(/:(\d+);/.exec(await server.stderr.waitFor("listening on"))?.[1]);
  await runClientCli(["127.0.0.1", String(port)], `${ROOT}client.ts`);
  await runClientCli(
    ["127.0.0.1", String(port), "--message", "Client Query", "--message", "Client Query"],
    `${ROOT}client.ts`,
  );
  await server.stdout.waitForCount(2);
  server.kill("SIGTERM");
  assert.equal((await server.exited()).code, 0, server.describe());
  assert.deepEqual(server.stdout.lines, ["Receive Query", "Receive Query"]);
});
