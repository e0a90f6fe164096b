/**
 * `Capture.sync` over every transport: once it returns, everything a client sent before it is
 * in the capture (read at once, without waiting for messages), and the capture's own sync
 * connection or datagram leaves no trace among the messages and connections. The client checks
 * rely on it to know, after the client exited, that they have seen all it sent. And a Unix
 * capture's socket file is open to every user (a student's client may run as a user of its own).
 */

import assert from "node:assert/strict";
import type { Transport } from "../../spec.ts";
import { freePort } from "../../sandbox/free_port.ts";
import { ExchangeRecorder } from "../probe_client.ts";
import type { Endpoint } from "../transport.ts";
import { probeTransport } from "./mod.ts";

const WAIT_MS = 5000;
const COUNT = 20;
const TRANSPORTS: Transport[] = ["tcp", "udp", "unix-stream", "unix-dgram"];

for (const name of TRANSPORTS) {
  Deno.test({
    name: `Capture.sync brings in everything sent before it: ${name}`,
    sanitizeOps: true,
    sanitizeResources: true,
    async fn() {
      const dir = await Deno.makeTempDir({ prefix: "sockgrade-sync-" });
      const transport = probeTransport(name);
      const unix = name === "unix-stream" || name === "unix-dgram";
      const server: Endpoint = unix
        ? { path: `${dir}/server.sock` }
        : { address: "127.0.0.1", port: name === "tcp" ? 0 : freePort() };
      const from: Endpoint = unix
        ? { path: `${dir}/client.sock` }
        : { address: "127.0.0.1", port: 0 };
      const capture = await transport.capture({ at: server });
      try {
        const recorder = new ExchangeRecorder("sync");
        for (let round = 1; round <= 2; round++) {
          const session = await transport.open({
            to: capture.at,
            from,
            timeoutMs: WAIT_MS,
            recorder,
          });
          try {
            for (let i = 0; i < COUNT; i++) {
              assert.equal(await session.send(`round ${round} message ${i}\n`), "sent");
            }
          } finally {
            await session.close();
          }
          assert.equal(await capture.sync(WAIT_MS), true, `round ${round}`);
          if (!transport.datagram) assert.ok(await capture.waitForAllEnded(WAIT_MS));
          const texts = capture.messages().map((m) => new TextDecoder().decode(m.bytes));
          assert.equal(texts.length, round * COUNT, texts.join("|"));
          assert.equal(texts.at(-1), `round ${round} message ${COUNT - 1}`);
          assert.equal(capture.connections().length, transport.datagram ? 0 : round);
        }
      } finally {
        await capture.close();
        await Deno.remove(dir, { recursive: true });
      }
    },
  });
}

for (const name of ["unix-stream", "unix-dgram"] as const) {
  Deno.test({
    name: `a ${name} capture's socket file lets a program of another user connect or send`,
    sanitizeOps: true,
    sanitizeResources: true,
    async fn() {
      const dir = await Deno.makeTempDir({ prefix: "sockgrade-sync-" });
      const path = `${dir}/server.sock`;
      const capture = await probeTransport(name).capture({ at: { path } });
      try {
        const info = await Deno.lstat(path);
        assert.ok(info.isSocket);
        assert.equal((info.mode ?? 0) & 0o777, 0o777);
      } finally {
        await capture.close();
        await Deno.remove(dir, { recursive: true });
      }
    },
  });
}
