/**
 * Tests for the server checks against real tiny servers on host loopback: the configurable
 * Python server in `_testdata/test_server.py` (a correct one and one per typical bug) and, when a
 * C compiler is present, the correct forked C server in `_testdata/server.c` (also timed).
 *
 * @module
 */

import assert from "node:assert/strict";
import { DEFAULT_SPEC, type Spec } from "../spec.ts";
import type { CheckStatus } from "../result.ts";
import { readTcpTable, TCP_TIME_WAIT } from "../probes/probe_client.ts";
import { FLOOD_LINES, nearMisses, runServerChecks, SERVER_CHECK_IDS } from "./server_checks.ts";
import { OTHER_SAMPLE, RECORDED_OTHER_LINES } from "./server_program.ts";
import type { CheckOutcome, ProgramPlan } from "./types.ts";
import { loopbackPlan } from "../sandbox/net_plan.ts";

const TESTDATA = new URL("./_testdata/", import.meta.url).pathname;
const PYTHON = "/usr/bin/python3";

function spec(): Spec {
  const s = structuredClone(DEFAULT_SPEC) as Spec;
  // Generous start (the test machine may be busy), short response bound (failures wait it out).
  s.timeouts = { ...s.timeouts, startMs: 5000, responseMs: 600 };
  return s;
}

function pythonServer(mode: string): ProgramPlan {
  return {
    argv: [PYTHON, `${TESTDATA}test_server.py`, mode],
    cwd: TESTDATA,
    env: {},
    lineBuffering: "env",
    lineBufferingEnv: { PYTHONUNBUFFERED: "1" },
  };
}

function statuses(outcomes: CheckOutcome[]): Record<string, CheckStatus> {
  return Object.fromEntries(outcomes.map((o) => [o.id.replace("server.", ""), o.status]));
}

function byId(outcomes: CheckOutcome[], id: string): CheckOutcome {
  const found = outcomes.find((o) => o.id === id);
  assert.ok(found, `no outcome for ${id}`);
  return found;
}

const ALL_PASS: Record<string, CheckStatus> = {
  starts: "pass",
  trigger: "pass",
  "exact-match": "pass",
  framing: "pass",
  "address-filter": "pass",
  robustness: "pass",
  concurrency: "pass",
  output: "pass",
};

const opts = { sanitizeOps: true, sanitizeResources: true };

Deno.test("nearMisses() derives the near misses from the trigger and the spec's messages", () => {
  assert.deepEqual(nearMisses(DEFAULT_SPEC), [
    "Client Query test",
    "Cleint Query",
    "Client Query Quit",
    "client query",
    "Client Query ",
    "XClient Query",
  ]);
  assert.deepEqual(nearMisses({ trigger: "ping", messages: ["ping", "pong"] }), [
    "ping test",
    "pong",
    "ping Quit",
    "ping ",
    "Xping",
  ]);
});

Deno.test({
  name: "runServerChecks() passes a correct server and records evidence",
  ...opts,
  async fn() {
    const outcomes = await runServerChecks({
      spec: spec(),
      net: loopbackPlan(),
      server: pythonServer("correct"),
    });
    assert.deepEqual(outcomes.map((o) => o.id), [...SERVER_CHECK_IDS]);
    assert.deepEqual(statuses(outcomes), ALL_PASS, JSON.stringify(outcomes, null, 1));
    const exact = byId(outcomes, "server.exact-match");
    const exchanges = exact.evidence.exchanges ?? [];
    assert.ok(exchanges.length >= 12, "one exchange per near miss and per sentinel");
    assert.ok(exchanges.some((e) => e.events.some((ev) => ev.kind === "stdout")));
    assert.ok(
      exchanges[0]!.events.some((ev) => ev.kind === "send" && ev.data === "Client Query test\\n"),
    );
    assert.ok(!String(exact.evidence.stdout).includes("sockgrade-sync"), "markers are hidden");
  },
});

Deno.test({
  name: "runServerChecks() fails each typical bug in the check that is about it",
  ...opts,
  async fn(t) {
    const cases: [string, Record<string, CheckStatus>, RegExp][] = [
      ["iterative", { ...ALL_PASS, concurrency: "fail" }, /one client at a time/],
      ["substring", { ...ALL_PASS, "exact-match": "fail", framing: "fail" }, /XClient Query/],
      ["nofilter", { ...ALL_PASS, "address-filter": "fail" }, /not the allowed address/],
      ["recv", { ...ALL_PASS, framing: "fail" }, /treats each read as one message/],
      ["chatty", { ...ALL_PASS, output: "warn" }, /waiting for client's request/],
      ["unflushed", { ...ALL_PASS, output: "warn" }, /forced line buffering/],
      ["fragile", { ...ALL_PASS, robustness: "fail", concurrency: "fail" }, /reset mid-line/],
    ];
    const about: Record<string, string> = {
      iterative: "server.concurrency",
      substring: "server.exact-match",
      nofilter: "server.address-filter",
      recv: "server.framing",
      chatty: "server.output",
      unflushed: "server.output",
      fragile: "server.robustness",
    };
    for (const [mode, expected, message] of cases) {
      await t.step(mode, async () => {
        const outcomes = await runServerChecks({
          spec: spec(),
          net: loopbackPlan(),
          server: pythonServer(mode),
        });
        assert.deepEqual(
          statuses(outcomes),
          expected,
          JSON.stringify(outcomes.map((o) => o.message)),
        );
        assert.match(byId(outcomes, about[mode]!).message, message);
      });
    }
  },
});

Deno.test({
  name: "runServerChecks() skips the rest when the server exits before listening",
  ...opts,
  async fn() {
    const outcomes = await runServerChecks({
      spec: spec(),
      net: loopbackPlan(),
      server: pythonServer("crash"),
    });
    const starts = byId(outcomes, "server.starts");
    assert.equal(starts.status, "fail");
    assert.match(starts.message, /exit code 3.*cannot start/);
    assert.ok(
      outcomes.slice(1).every((o) => o.status === "skip" && /did not start/.test(o.message)),
    );
  },
});

Deno.test({
  name: "runServerChecks() reports the real port and grades the server there",
  ...opts,
  async fn() {
    const net = loopbackPlan();
    const outcomes = await runServerChecks({
      spec: spec(),
      net,
      server: pythonServer("wrongport"),
    });
    const starts = byId(outcomes, "server.starts");
    assert.equal(starts.status, "fail");
    const real = /listens on port (\d+), not on port (\d+)/.exec(starts.message);
    assert.ok(real, starts.message);
    assert.notEqual(real[1], String(net.port));
    assert.equal(real[2], String(net.port));
    assert.equal(byId(outcomes, "server.trigger").status, "pass");
    assert.match(byId(outcomes, "server.trigger").message, /sockgrade used port/);
  },
});

Deno.test({
  name: "server.address-filter is skipped, not failed, when the stranger is unavailable",
  ...opts,
  async fn() {
    const net = { ...loopbackPlan(), strangerUnavailable: "no second loopback address here" };
    const outcomes = await runServerChecks({ spec: spec(), net, server: pythonServer("correct") });
    const filter = byId(outcomes, "server.address-filter");
    assert.equal(filter.status, "skip");
    assert.match(filter.message, /no second loopback address here/);
  },
});

Deno.test({
  name: "runServerChecks() grades a correct C server quickly",
  ...opts,
  ignore: (await Deno.permissions.query({ name: "run", command: "cc" })).state !== "granted",
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "sockgrade-server-test-" });
    try {
      const cc = await new Deno.Command("cc", {
        args: ["-O2", "-o", `${dir}/server`, `${TESTDATA}server.c`],
        stdout: "null",
        stderr: "piped",
      }).output();
      assert.ok(cc.success, new TextDecoder().decode(cc.stderr));
      const t0 = performance.now();
      const outcomes = await runServerChecks({
        spec: spec(),
        net: loopbackPlan(),
        server: { argv: ["./server"], cwd: dir, env: {}, lineBuffering: "stdbuf" },
      });
      const ms = Math.round(performance.now() - t0);
      assert.deepEqual(
        statuses(outcomes),
        ALL_PASS,
        JSON.stringify(outcomes.map((o) => o.message)),
      );
      console.log(`all 8 server checks of a correct C server: ${ms} ms`);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

/** TIME_WAIT sockets whose local end is `port` (the server's side), from /proc/net/tcp. */
async function serverTimeWait(port: number): Promise<string[]> {
  const rows = await readTcpTable() ?? [];
  return rows.filter((r) => r.state === TCP_TIME_WAIT && r.local.endsWith(`:${port}`))
    .map((r) => `${r.local} → ${r.remote}`);
}

Deno.test({
  name:
    "a server without SO_REUSEADDR that closes first leaves no TIME_WAIT: every check can bind again",
  ...opts,
  async fn() {
    // The article's shape: one recv() per connection, closed by the server, no SO_REUSEADDR.
    // Each of the eight checks starts a fresh server on the same port; a TIME_WAIT socket left
    // by an earlier check would make its bind() fail (EADDRINUSE), and the check say so.
    const net = loopbackPlan();
    const outcomes = await runServerChecks({ spec: spec(), net, server: pythonServer("onerecv") });
    const messages = JSON.stringify(outcomes.map((o) => `${o.id}: ${o.message}`), null, 1);
    assert.deepEqual(statuses(outcomes), { ...ALL_PASS, framing: "fail" }, messages);
    assert.ok(outcomes.every((o) => !/did not start|TIME_WAIT/.test(o.message)), messages);
    assert.deepEqual(await serverTimeWait(net.port), [], "TIME_WAIT on the server's port");
  },
});

/** Every outcome's exchanges show at most this many stdout lines other than the response. */
function assertBoundedEvidence(outcomes: CheckOutcome[]): void {
  for (const o of outcomes) {
    const shown = (o.evidence.exchanges ?? []).flatMap((e) => e.events)
      .filter((e) => e.kind === "stdout" && e.data !== "Receive Query");
    assert.ok(shown.length <= 8 * RECORDED_OTHER_LINES, `${o.id}: ${shown.length} lines`);
  }
}

Deno.test({
  name: "a server that floods stdout fails server.output only, and nothing overflows",
  ...opts,
  async fn() {
    const outcomes = await runServerChecks({
      spec: spec(),
      net: loopbackPlan(),
      server: pythonServer("spew"),
    });
    const messages = JSON.stringify(outcomes.map((o) => `${o.id}: ${o.message}`), null, 1);
    assert.deepEqual(statuses(outcomes), { ...ALL_PASS, output: "fail" }, messages);
    const output = byId(outcomes, "server.output");
    assert.match(output.message, /floods stdout: \d+ lines/);
    const flood = output.evidence.flood as { lines: number };
    assert.ok(flood.lines > FLOOD_LINES, JSON.stringify(output.evidence.flood));
    assert.ok((output.evidence.extraLines as string[]).length <= OTHER_SAMPLE);
    assertBoundedEvidence(outcomes);
  },
});

Deno.test({
  name: "floods of every shape and responses no probe caused are charged to server.output",
  ...opts,
  async fn(t) {
    const cases: [string, Record<string, CheckStatus>, Record<string, RegExp>][] = [
      ["spewms", { ...ALL_PASS, output: "warn" }, { "server.output": /poll returned/ }],
      ["afterclose", { ...ALL_PASS, output: "fail" }, {
        "server.output": /floods stdout: \d+ lines .*"Received: "/,
      }],
      ["rawflood", {
        ...ALL_PASS,
        trigger: "fail",
        "exact-match": "skip",
        framing: "skip",
        "address-filter": "skip",
        robustness: "skip",
        concurrency: "skip",
        output: "fail",
      }, {
        "server.trigger": /at the end of other output/,
        "server.output": /bytes .*without (a )?newline/,
      }],
      ["startup", { ...ALL_PASS, output: "fail" }, {
        "server.starts": /1 "Receive Query" line during this check was not caused by a probe/,
        "server.output": /no probe's trigger caused \(\d+ at start-up/,
      }],
      ["ticker", { ...ALL_PASS, output: "fail" }, {
        "server.output": /that no probe's trigger caused/,
      }],
    ];
    for (const [mode, expected, words] of cases) {
      await t.step(mode, async () => {
        const outcomes = await runServerChecks({
          spec: spec(),
          net: loopbackPlan(),
          server: pythonServer(mode),
        });
        const messages = JSON.stringify(outcomes.map((o) => `${o.id}: ${o.message}`), null, 1);
        assert.deepEqual(statuses(outcomes), expected, messages);
        for (const [id, pattern] of Object.entries(words)) {
          assert.match(byId(outcomes, id).message, pattern, messages);
        }
        assertBoundedEvidence(outcomes);
      });
    }
  },
});
