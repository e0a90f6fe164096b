/** Tests for the catalogue's `transports` column and how a check that does not apply is scored. */

import assert from "node:assert/strict";
import { CHECKS, notApplicable } from "./catalogue.ts";
import { DEFAULT_SPEC, type Spec, TRANSPORTS } from "../spec.ts";
import { scoreSubmission } from "../score.ts";
import type { CheckOutcome } from "./types.ts";

Deno.test("the transports column names only transports of the spec, each with a reason", () => {
  for (const check of CHECKS) {
    for (const [transport, why] of Object.entries(check.transports)) {
      assert.ok((TRANSPORTS as readonly string[]).includes(transport), `${check.id}: ${transport}`);
      assert.ok(why && why.length > 20, `${check.id} over ${transport} says why`);
    }
  }
  assert.ok(notApplicable("server.concurrency", "udp"));
  assert.ok(notApplicable("server.concurrency", "unix-dgram"));
  assert.equal(notApplicable("server.concurrency", "unix-stream"), undefined);
  assert.ok(notApplicable("client.no-server", "udp"));
  assert.equal(notApplicable("server.trigger", "unix-dgram"), undefined);
});

Deno.test("a check skipped because it does not apply leaves the maximum; another skip does not", () => {
  const outcomes = (status: CheckOutcome["status"]): CheckOutcome[] =>
    CHECKS.map((c) => ({
      id: c.id,
      status: c.id === "server.concurrency" ? "skip" : status,
      message: "",
      evidence: {},
      durationMs: 0,
    }));
  const udp: Spec = { ...structuredClone(DEFAULT_SPEC) as Spec, transport: "udp" };
  const overUdp = scoreSubmission(outcomes("pass"), udp);
  assert.equal(overUdp.maxScore, 100 - DEFAULT_SPEC.points["server.concurrency"]);
  assert.equal(overUdp.score, overUdp.maxScore);
  const overTcp = scoreSubmission(outcomes("pass"), structuredClone(DEFAULT_SPEC) as Spec);
  assert.equal(overTcp.maxScore, 100);
});
