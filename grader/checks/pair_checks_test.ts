/**
 * Tests for `pair.end-to-end`: test servers (`_testdata/pair_server.py`) and clients
 * (`_testdata/client_variants.py`) run against each other on loopback.
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { DEFAULT_SPEC, type Spec } from "../spec.ts";
import type { CheckStatus } from "../result.ts";
import { runPairCheck } from "./pair_checks.ts";
import type { CheckContext, ProgramPlan } from "./types.ts";
import { loopbackPlan } from "../sandbox/net_plan.ts";

const sanitize = { sanitizeOps: true, sanitizeResources: true, sanitizeExit: true };
const TESTDATA = fileURLToPath(new URL("./_testdata/", import.meta.url));
const PYTHON = "/usr/bin/python3";

function python(script: string, mode: string): ProgramPlan {
  return {
    argv: [PYTHON, `${TESTDATA}${script}`, mode],
    cwd: TESTDATA,
    env: {},
    lineBuffering: "env",
    lineBufferingEnv: { PYTHONUNBUFFERED: "1" },
  };
}

function spec(messages?: string[]): Spec {
  const s = structuredClone(DEFAULT_SPEC) as Spec;
  s.timeouts = { ...s.timeouts, clientMs: 1500, responseMs: 500 };
  if (messages) s.messages = messages;
  return s;
}

Deno.test({
  name: "runPairCheck() grades the submission's client against its own server",
  ...sanitize,
  async fn(t) {
    const cases: [string, string, string, CheckStatus, RegExp, Spec?][] = [
      [
        "a correct pair",
        "iterative",
        "correct",
        "pass",
        /exited 0 .* 0 times for its messages, as expected \(the spec's 3 messages: none of them/,
      ],
      [
        "a server that answers substrings",
        "substring",
        "correct",
        "fail",
        /printed "Receive Query" twice for your client's messages, expected 0 times/,
      ],
      ["a one-shot server", "oneshot", "correct", "warn", /count was taken when it exited/],
      ["a server that never answers", "silent", "correct", "warn", /did not answer the grader's/],
      ["a client that exits 1", "iterative", "exit1", "fail", /exited with status 1/],
      ["a client that never exits", "iterative", "hang", "fail", /did not exit within 1500 ms/],
      [
        "a teacher's spec whose client sends the trigger",
        "iterative",
        "typo-fixed",
        "pass",
        /once for its messages, as expected \(the spec's 3 messages: 1 of them is exactly "Client Query"\)/,
        spec(["Client Query test", "Client Query", "Client Query Quit"]),
      ],
      [
        "a teacher's spec whose trigger the client does not send",
        "iterative",
        "correct",
        "fail",
        /0 times for your client's messages, expected once/,
        spec(["Client Query test", "Cleint Query", "Client Query"]),
      ],
    ];
    for (const [name, serverMode, clientMode, status, message, s] of cases) {
      await t.step(name, async () => {
        const ctx: CheckContext = {
          spec: s ?? spec(),
          net: loopbackPlan(),
          server: python("pair_server.py", serverMode),
          client: python("client_variants.py", clientMode),
        };
        const got = await runPairCheck(ctx);
        assert.equal(got.id, "pair.end-to-end");
        assert.equal(got.status, status, got.message);
        assert.match(got.message, message);
        assert.ok(Array.isArray(got.evidence.exchanges));
      });
    }
  },
});

Deno.test({
  name: "runPairCheck() fails when the server never listens",
  ...sanitize,
  async fn() {
    const ctx: CheckContext = {
      spec: spec(),
      net: loopbackPlan(),
      server: { ...python("pair_server.py", "iterative"), argv: [PYTHON, "-c", "exit(3)"] },
      client: python("client_variants.py", "correct"),
    };
    const got = await runPairCheck(ctx);
    assert.equal(got.status, "fail");
    assert.match(got.message, /your server ended \(exit code 3\) before it listened/);
  },
});

Deno.test({
  name: "runPairCheck() counts the triggers the client really sent (CheckContext.clientSent)",
  ...sanitize,
  async fn(t) {
    // The client "fixes" the article's typo: it sends "Client Query" once. client.messages
    // charges the typo; the pair expects the one response the server rightly prints.
    const fixed = ["Client Query test", "Client Query", "Client Query Quit"];
    const cases: [string, string[] | undefined, CheckStatus, RegExp][] = [
      [
        "from client.messages' run",
        fixed,
        "pass",
        /once for its messages, as expected \(your client sent 3 messages in client.messages: 1 of them is exactly "Client Query"\)/,
      ],
      [
        "nothing, when client.messages saw no message (never a pass or warn)",
        [],
        "fail",
        /your client sent no message in client.messages \(see client.connects\), so there is nothing to check end to end/,
      ],
      [
        "from the spec when no observation was handed over",
        undefined,
        "fail",
        /once for your client's messages, expected 0 times \(the spec's 3 messages/,
      ],
    ];
    for (const [name, clientSent, status, message] of cases) {
      await t.step(name, async () => {
        const ctx: CheckContext = {
          spec: spec(),
          net: loopbackPlan(),
          server: python("pair_server.py", "iterative"),
          client: python("client_variants.py", "typo-fixed"),
          ...(clientSent !== undefined ? { clientSent } : {}),
        };
        const got = await runPairCheck(ctx);
        assert.equal(got.status, status, got.message);
        assert.match(got.message, message);
        assert.equal(
          got.evidence.expectedFrom,
          clientSent !== undefined ? "client.messages" : "spec",
        );
      });
    }
  },
});
