/** Tests for the network plans: IPv4 and IPv6 loopback, the spec's family, Unix socket paths. */

import assert from "node:assert/strict";
import { DEFAULT_SPEC, parseSpec, SpecError } from "../spec.ts";
import {
  hasIPv6Loopback,
  ipFamily,
  loopbackPlan,
  NO_IPV6_STRANGER,
  socketPaths,
  unixClientArgs,
  unixServerArgs,
} from "./net_plan.ts";

Deno.test("ipFamily() follows the spec's addresses", () => {
  assert.equal(ipFamily(DEFAULT_SPEC), 4);
  const v6 = parseSpec(
    '{ "serverAddress": "fd00::168", "clientAddress": "fd00::2", "strangerAddress": "fd00::3" }',
  );
  assert.equal(ipFamily(v6), 6);
});

Deno.test("loopbackPlan() keeps IPv4 as it was", () => {
  const plan = loopbackPlan();
  assert.deepEqual([plan.serverAddress, plan.clientAddress, plan.strangerAddress], [
    "127.0.0.1",
    "127.0.0.1",
    "127.0.0.2",
  ]);
  assert.equal(plan.strangerUnavailable, undefined);
  assert.equal(loopbackPlan("no 127.0.0.2 here").strangerUnavailable, "no 127.0.0.2 here");
});

Deno.test({
  name: "loopbackPlan(_, 6) uses ::1 and says why there is no stranger (skipped: no ::1 here)",
  ignore: !hasIPv6Loopback(),
  fn() {
    const plan = loopbackPlan(undefined, 6);
    assert.equal(plan.serverAddress, "::1");
    assert.equal(plan.clientAddress, "::1");
    assert.equal(plan.strangerUnavailable, NO_IPV6_STRANGER);
    assert.ok(plan.port > 0);
  },
});

Deno.test("socketPaths() resolves the spec's paths under the run's folder, in §6 argument order", () => {
  const paths = socketPaths(parseSpec('{ "transport": "unix-stream" }'), "/tmp/run-1");
  assert.deepEqual(paths, {
    serverPath: "/tmp/run-1/server.sock",
    clientPath: "/tmp/run-1/client.sock",
    strangerPath: "/tmp/run-1/stranger.sock",
  });
  assert.deepEqual(unixServerArgs(paths), ["/tmp/run-1/client.sock", "/tmp/run-1/server.sock"]);
  assert.deepEqual(unixClientArgs(paths), ["/tmp/run-1/server.sock", "/tmp/run-1/client.sock"]);
  assert.throws(() => socketPaths(DEFAULT_SPEC, `/tmp/${"x".repeat(100)}`), SpecError);
});
