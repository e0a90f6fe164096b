/**
 * Tests for starting a server for a check: the command line per line-buffering mode, readiness,
 * response counting and the stdout sync barrier, with `_testdata/test_server.py` on loopback.
 *
 * @module
 */

import assert from "node:assert/strict";
import net from "node:net";
import { DEFAULT_SPEC, type Spec } from "../spec.ts";
import { ExchangeRecorder } from "../probes/probe_client.ts";
import {
  describeExit,
  isWildcard,
  RECORDED_OTHER_LINES,
  serverCommand,
  ServerRun,
} from "./server_program.ts";
import type { ProgramPlan } from "./types.ts";
import { loopbackPlan } from "../sandbox/net_plan.ts";

const TESTDATA = new URL("./_testdata/", import.meta.url).pathname;
const opts = { sanitizeOps: true, sanitizeResources: true };

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
  const netPlan = { ...loopbackPlan(), port: 6666 };
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
    const netPlan = loopbackPlan();
    await using run = new ServerRun(DEFAULT_SPEC as Spec, netPlan, python("chatty"), {
      forced: true,
      label: "test",
    });
    const ready = await run.waitReady(5000);
    assert.equal(ready.state, "listening");
    assert.ok(ready.state === "listening" && ready.port === netPlan.port);
    const socket = net.connect({ host: "127.0.0.1", port: netPlan.port });
    const closed = new Promise((r) => socket.once("close", r));
    await new Promise((r) => socket.once("connect", r));
    socket.end("Client Query\n");
    assert.ok(await run.waitResponses(1, 2000));
    await closed;
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
    await using run = new ServerRun(DEFAULT_SPEC as Spec, loopbackPlan(), python("crash"), {
      forced: true,
      label: "test",
    });
    const ready = await run.waitReady(5000);
    assert.equal(ready.state, "exited");
    assert.ok(ready.state === "exited" && ready.exit.code === 3);
    assert.equal(await run.syncOutput(100), false);
  },
});

function shell(script: string, cwd = TESTDATA): ProgramPlan {
  return { argv: ["/bin/sh", "-c", script, "sh"], cwd, env: {}, lineBuffering: "none" };
}

Deno.test({
  name: "ServerRun finds a sync marker inside a line the program wrote in pieces",
  ...opts,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "sockgrade-fifo-" });
    try {
      const fifo = `${dir}/go`;
      assert.ok((await new Deno.Command("mkfifo", { args: [fifo] }).output()).success);
      // "Receive Query" is in the pipe before the marker (one write with "ready\n"); its "\n"
      // comes only after the test opens the FIFO, so the marker lands inside the line.
      const plan = shell("printf 'ready\\nReceive Query'; read x < go; echo; read y < go", dir);
      await using run = new ServerRun(DEFAULT_SPEC as Spec, loopbackPlan(), plan, {
        forced: true,
        label: "test",
      });
      assert.ok(await run.program.waitForStdoutLine((l) => l === "ready", 5000));
      const synced = run.syncOutput(5000);
      // Read-write: opening a FIFO so never blocks, whether or not the program reads it yet.
      using release = await Deno.open(fifo, { read: true, write: true });
      await release.write(new TextEncoder().encode("go\n"));
      assert.equal(await synced, true);
      // The response is complete once its "\n" (written after the marker) has been read.
      assert.equal(await run.waitResponses(1, 5000), true);
      assert.equal(run.responseCount(), 1);
      assert.deepEqual(run.otherLines(), ["ready"]);
      assert.equal(run.evidence().stdout, "ready\\nReceive Query\\n");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "ServerRun counts and syncs past the sandbox's line cap, with bounded bookkeeping",
  ...opts,
  async fn() {
    // A flood with a response after every 1000 lines: far faster than any student's server.
    const script = `yes "poll returned 0" | sed '0~1000s/$/\\nReceive Query/'`;
    await using run = new ServerRun(
      DEFAULT_SPEC as Spec,
      loopbackPlan(),
      shell(script),
      { forced: true, label: "test" },
    );
    const past = await run.program.waitForStdout(() => run.linesNotStored > 0, 20_000);
    assert.ok(past, "the sandbox's line cap was never reached");
    const seen = run.responseCount();
    assert.ok(await run.waitResponses(seen + 3, 10_000), "responses are counted past the cap");
    assert.ok(await run.syncOutput(10_000), "the sync marker is seen past the cap");
    const other = run.otherOutput();
    assert.ok(other.lines > 100_000, `${other.lines} lines`);
    assert.deepEqual(other.sample, ["poll returned 0"]);
    assert.ok(run.responseCount() * 1000 <= other.lines + 1000, "one response per 1000 lines");
    const recorder = new ExchangeRecorder("flood");
    run.recordOutput(recorder);
    const events = recorder.toExchange().events;
    const responses = events.filter((e) => e.data === "Receive Query").length;
    assert.ok(responses >= seen, `${responses} response events for ${seen} responses`);
    assert.ok(events.length - responses <= RECORDED_OTHER_LINES + 2, `${events.length} events`);
    assert.ok(events.some((e) => /more stdout lines not shown/.test(e.data ?? "")));
  },
});

Deno.test("describeExit() names the memory cap, not the SIGKILL it sends", () => {
  const killed = { code: null, signal: "SIGKILL", durationMs: 1, killed: false };
  assert.equal(describeExit(killed), "killed by SIGKILL");
  assert.equal(
    describeExit({ ...killed, memoryExceeded: true, peakMemoryBytes: 512 * 1024 * 1024 }),
    "killed by the sandbox's memory cap (it used 512 MiB)",
  );
  assert.equal(describeExit({ ...killed, signal: null, code: 3 }), "exit code 3");
});
