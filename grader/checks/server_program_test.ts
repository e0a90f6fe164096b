/**
 * Tests for starting a server for a check: the command line per line-buffering mode, readiness,
 * response counting and the stdout sync barrier, with `_testdata/test_server.py` on loopback.
 *
 * @module
 */

import assert from "node:assert/strict";
import net from "node:net";
import { DEFAULT_SPEC, type Spec } from "../spec.ts";
import { isWildcard, serverCommand, ServerRun } from "./server_program.ts";
import type { NetPlan, ProgramPlan } from "./types.ts";

const TESTDATA = new URL("./_testdata/", import.meta.url).pathname;
const opts = { sanitizeOps: true, sanitizeResources: true };

function loopback(): NetPlan {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return {
    mode: "none",
    serverAddress: "127.0.0.1",
    clientAddress: "127.0.0.1",
    strangerAddress: "127.0.0.2",
    port,
  };
}

function python(mode: string): ProgramPlan {
  return {
    argv: ["/usr/bin/python3", `${TESTDATA}test_server.py`, mode],
    cwd: TESTDATA,
    env: { KEEP: "1" },
    lineBuffering: "env",
    lineBufferingEnv: { PYTHONUNBUFFERED: "1" },
  };
}

Deno.test("serverCommand() appends the address and port and forces line buffering as planned", () => {
  const netPlan = { ...loopback(), port: 6666 };
  const c = { argv: ["./server"], cwd: "/x", env: { A: "1" }, lineBuffering: "stdbuf" as const };
  assert.deepEqual(serverCommand(c, netPlan, true), {
    argv: ["./server", "127.0.0.1", "6666"],
    env: { A: "1" },
    lineBuffered: true,
    shown: ["stdbuf", "-oL", "-eL", "./server", "127.0.0.1", "6666"],
  });
  assert.equal(serverCommand(c, netPlan, false).lineBuffered, false);
  const py = { ...python("correct"), env: { PYTHONUNBUFFERED: "1", KEEP: "1" } };
  assert.deepEqual(serverCommand(py, netPlan, true).env, { PYTHONUNBUFFERED: "1", KEEP: "1" });
  assert.deepEqual(serverCommand(py, netPlan, false).env, { KEEP: "1" });
  assert.equal(serverCommand(py, netPlan, true).lineBuffered, false);
  assert.ok(isWildcard("0.0.0.0") && isWildcard("::") && !isWildcard("127.0.0.1"));
});

Deno.test({
  name: "ServerRun waits for listening, counts responses and hides its sync markers",
  ...opts,
  async fn() {
    const netPlan = loopback();
    await using run = new ServerRun(DEFAULT_SPEC as Spec, netPlan, python("chatty"), {
      forced: true,
      label: "test",
    });
    const ready = await run.waitReady(5000);
    assert.equal(ready.state, "listening");
    assert.ok(ready.state === "listening" && ready.port === netPlan.port);
    const socket = net.connect({ host: "127.0.0.1", port: netPlan.port });
    await new Promise((r) => socket.once("connect", r));
    socket.end("Client Query\n");
    assert.ok(await run.waitResponses(1, 2000));
    await new Promise((r) => socket.once("close", r));
    assert.ok(await run.syncOutput(2000));
    assert.equal(run.responseCount(), 1);
    assert.deepEqual(run.otherLines(), [
      "======waiting for client's request======",
      "connection from 127.0.0.1",
    ]);
    assert.ok(!run.evidence().stdout.includes("sockgrade-sync"));
    assert.match(run.evidence().stdout, /Receive Query\\n$/);
  },
});

Deno.test({
  name: "ServerRun reports an exit before listening",
  ...opts,
  async fn() {
    await using run = new ServerRun(DEFAULT_SPEC as Spec, loopback(), python("crash"), {
      forced: true,
      label: "test",
    });
    const ready = await run.waitReady(5000);
    assert.equal(ready.state, "exited");
    assert.ok(ready.state === "exited" && ready.exit.code === 3);
    assert.equal(await run.syncOutput(100), false);
  },
});
