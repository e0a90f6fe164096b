/**
 * Tests for the client checks: test clients (`_testdata/client_variants.py`, one mode per
 * typical student client, and a correct C client compiled here) run against the capture server
 * on loopback; each check's status is asserted per client.
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { DEFAULT_SPEC, type Spec } from "../../spec.ts";
import type { CheckId } from "../catalogue.ts";
import type { CheckStatus } from "../../result.ts";
import { type ClientObservation, runClientChecks } from "./mod.ts";
import type { CheckContext, CheckOutcome, ProgramPlan } from "../types.ts";
import { loopbackPlan } from "../../sandbox/net_plan.ts";

const sanitize = { sanitizeOps: true, sanitizeResources: true, sanitizeExit: true };
const TESTDATA = fileURLToPath(new URL("../_testdata/", import.meta.url));
const PYTHON = "/usr/bin/python3";

function spec(clientMs = 1500): Spec {
  const s = structuredClone(DEFAULT_SPEC) as Spec;
  s.timeouts.clientMs = clientMs;
  return s;
}

function pythonClient(mode: string): ProgramPlan {
  return {
    argv: [PYTHON, `${TESTDATA}client_variants.py`, mode],
    cwd: TESTDATA,
    env: {},
    lineBuffering: "env",
    lineBufferingEnv: { PYTHONUNBUFFERED: "1" },
  };
}

async function check(client: ProgramPlan, s = spec()): Promise<Map<CheckId, CheckOutcome>> {
  const ctx: CheckContext = { spec: s, net: loopbackPlan(), client };
  const outcomes = await runClientChecks(ctx);
  assert.deepEqual(
    outcomes.map((o) => o.id),
    ["client.connects", "client.messages", "client.exits", "client.no-server"],
  );
  return new Map(outcomes.map((o) => [o.id, o]));
}

function statuses(got: Map<CheckId, CheckOutcome>): CheckStatus[] {
  return [...got.values()].map((o) => o.status);
}

function show(got: Map<CheckId, CheckOutcome>): string {
  return [...got.values()].map((o) => `${o.id}: ${o.status}: ${o.message}`).join("\n");
}

Deno.test({
  name: "runClientChecks() passes a correct C client quickly",
  ...sanitize,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "sockgrade-client-" });
    try {
      const cc = await new Deno.Command("cc", {
        args: ["-Wall", "-Wextra", "-o", `${dir}/client`, `${TESTDATA}client_correct.c`],
      }).output();
      assert.equal(cc.code, 0, new TextDecoder().decode(cc.stderr));
      const started = performance.now();
      const got = await check({ argv: ["./client"], cwd: dir, env: {}, lineBuffering: "stdbuf" });
      const took = performance.now() - started;
      assert.deepEqual(statuses(got), ["pass", "pass", "pass", "pass"], show(got));
      assert.match(got.get("client.messages")!.message, /3 messages in order, on one connection/);
      assert.match(
        got.get("client.exits")!.message,
        /status 0 .* its connection was closed \(FIN\)/,
      );
      assert.match(got.get("client.no-server")!.message, /status 1 .*Connection refused/);
      const exchange = (got.get("client.messages")!.evidence.exchanges as {
        events: { kind: string }[];
      }[])[0]!;
      const kinds = exchange.events.map((e) => e.kind).filter((k) => k !== "send");
      // The close (seen by the capture server) and the exit (seen by the sandbox) happen at
      // the same moment, when the client ends: either may be recorded first.
      assert.deepEqual(kinds.slice(0, 2), ["start", "connect"]);
      assert.deepEqual(kinds.slice(2).sort(), ["close", "exit"]);
      console.log(`all four client checks of a C client took ${Math.round(took)} ms`);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "runClientChecks() grades each kind of student client",
  ...sanitize,
  async fn(t) {
    const cases: [string, CheckStatus[], RegExp?][] = [
      ["correct", ["pass", "pass", "pass", "pass"]],
      ["per-message", ["pass", "pass", "pass", "pass"], /one connection per message/],
      ["sizeof", ["pass", "fail", "pass", "pass"], /4096 bytes per message/],
      ["nul", ["pass", "fail", "pass", "pass"], /ends with '\\0'/],
      ["nodelim", ["pass", "fail", "pass", "pass"], /no '\\n' between messages/],
      ["typo-fixed", ["pass", "fail", "pass", "pass"], /typo `Cleint Query` verbatim/],
      ["hang", ["pass", "pass", "fail", "pass"], /did not exit within 1500 ms/],
      ["exit1", ["pass", "pass", "fail", "pass"], /status 1, expected 0/],
      ["crash", ["pass", "pass", "fail", "fail"], /crashed with SIGSEGV/],
      ["silent", ["pass", "pass", "pass", "fail"], /printed no error message/],
      ["zero", ["pass", "pass", "pass", "fail"], /exited with status 0 when no server/],
      ["retry", ["pass", "pass", "pass", "fail"], /waited forever when no server was listening/],
      [
        "wrong-port",
        ["fail", "skip", "skip", "pass"],
        /without connecting to 127\.0\.0\.1:\d+: "client: cannot connect/,
      ],
    ];
    for (const [mode, expected, message] of cases) {
      await t.step(mode, async () => {
        const got = await check(pythonClient(mode));
        assert.deepEqual(statuses(got), expected, show(got));
        if (message) {
          assert.ok([...got.values()].some((o) => message.test(o.message)), show(got));
        }
      });
    }
  },
});

Deno.test({
  name: "runClientChecks() reports a crash with its signal in client.no-server",
  ...sanitize,
  async fn() {
    const got = await check(pythonClient("crash"));
    assert.equal(
      got.get("client.no-server")!.message,
      "your client crashed with SIGSEGV when no server was listening",
    );
  },
});

Deno.test({
  name: "runClientChecks() fails client.connects when the client cannot start",
  ...sanitize,
  async fn() {
    const got = await check({
      argv: ["./no-such-client"],
      cwd: TESTDATA,
      env: {},
      lineBuffering: "none",
    });
    assert.deepEqual(statuses(got), ["fail", "skip", "skip", "skip"], show(got));
    assert.match(got.get("client.connects")!.message, /could not be started: .*no-such-client/);
  },
});

Deno.test({
  name: "runClientChecks() reports the grader's own failure to listen by throwing",
  ...sanitize,
  async fn() {
    using busy = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const ctx: CheckContext = {
      spec: spec(),
      net: { ...loopbackPlan(), port: busy.addr.port },
      client: pythonClient("correct"),
    };
    await assert.rejects(runClientChecks(ctx), /capture server could not listen on 127\.0\.0\.1/);
  },
});

Deno.test({
  name: "runClientChecks() tells the caller which messages the client sent, framed per the spec",
  ...sanitize,
  async fn(t) {
    const cases: [string, string[] | undefined][] = [
      ["correct", ["Client Query test", "Cleint Query", "Client Query Quit"]],
      ["typo-fixed", ["Client Query test", "Client Query", "Client Query Quit"]],
      ["per-message", ["Client Query test", "Cleint Query", "Client Query Quit"]],
      ["wrong-port", []],
    ];
    for (const [mode, sent] of cases) {
      await t.step(mode, async () => {
        const observed: ClientObservation = {};
        await runClientChecks(
          { spec: spec(), net: loopbackPlan(), client: pythonClient(mode) },
          observed,
        );
        assert.deepEqual(observed.sent, sent);
      });
    }
    await t.step("a client that cannot start: nothing observed", async () => {
      const observed: ClientObservation = {};
      const client = { ...pythonClient("correct"), argv: ["/nonexistent/client"] };
      await runClientChecks({ spec: spec(), net: loopbackPlan(), client }, observed);
      assert.equal(observed.sent, undefined);
    });
  },
});
