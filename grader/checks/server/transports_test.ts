/**
 * The server checks over every transport (EXERCISE.md §6, docs/TRANSPORTS.md), on host loopback:
 * the reference server, run as a graded program is (its copy, `--transport` in its entry points,
 * `grader/inputs/reference.ts`), gets full marks over `udp`, `unix-stream`, `unix-dgram` and TCP
 * over `::1`; a TCP server graded under a `udp` spec fails `server.starts` with words that say
 * so, and a Unix server that leaves a stale socket file in place fails it alone.
 *
 * @module
 */

import assert from "node:assert/strict";
import { DEFAULT_SPEC, type Spec, type Transport } from "../../spec.ts";
import { hasIPv6Loopback, loopbackPlan, type NetPlan } from "../../sandbox/net_plan.ts";
import { trustPrograms } from "../../sandbox/environment.ts";
import { referenceSubmission } from "../../inputs/reference.ts";
import { toolchain } from "../../submission/build.ts";
import { withSocketFolder } from "../../run/socket_folder.ts";
import { runServerChecks } from "../server_checks.ts";
import type { CheckOutcome, ProgramPlan } from "../types.ts";

const opts = { sanitizeOps: true, sanitizeResources: true };
const noIPv6 = hasIPv6Loopback() ? undefined : "no ::1 in this network namespace";

function specOver(transport: Transport): Spec {
  const s = structuredClone(DEFAULT_SPEC) as Spec;
  s.transport = transport;
  // Generous start (Deno loads the reference's modules; the machine may be busy).
  s.timeouts = { ...s.timeouts, startMs: 10_000, responseMs: 1000 };
  return s;
}

/** The reference's copy over `transport` and the plan that starts its server. */
async function referenceServer(transport: Transport): Promise<{
  plan: ProgramPlan;
  dir: string;
  [Symbol.asyncDispose](): Promise<void>;
}> {
  // The reference is sockgrade's own code: it may use the grader's Deno cache, offline.
  trustPrograms();
  const copy = await referenceSubmission({ ...DEFAULT_SPEC, transport });
  const tools = await toolchain();
  return {
    plan: {
      argv: [Deno.execPath(), "run", "-A", "--cached-only", "server.ts"],
      cwd: copy.path,
      env: {
        PATH: tools.path,
        HOME: copy.path,
        DENO_DIR: tools.denoDir,
        DENO_NO_UPDATE_CHECK: "1",
        NO_COLOR: "1",
      },
      lineBuffering: "none",
    },
    dir: copy.path,
    [Symbol.asyncDispose]: () => copy.cleanup(),
  };
}

/** Runs the server checks of the reference over `transport` on `net` (loopback). */
async function gradeReference(transport: Transport, base: NetPlan): Promise<CheckOutcome[]> {
  await using server = await referenceServer(transport);
  const spec = specOver(transport);
  const net = await withSocketFolder({ ...base, transport }, spec, server.dir);
  return await runServerChecks({ spec, net, server: server.plan });
}

function assertFullMarks(outcomes: CheckOutcome[], skipped: string[] = []): void {
  for (const o of outcomes) {
    const expected = skipped.includes(o.id) ? "skip" : "pass";
    assert.equal(o.status, expected, `${o.id}: ${o.message}`);
  }
}

for (const transport of ["udp", "unix-stream", "unix-dgram"] as const) {
  Deno.test({
    name: `the reference server passes every server check over ${transport}`,
    ...opts,
    async fn() {
      const datagram = transport !== "unix-stream";
      const outcomes = await gradeReference(transport, loopbackPlan());
      assertFullMarks(outcomes, datagram ? ["server.concurrency"] : []);
      const byId = new Map(outcomes.map((o) => [o.id, o]));
      if (datagram) {
        assert.match(byId.get("server.concurrency")!.message, /datagram server has no connections/);
        assert.match(byId.get("server.starts")!.message, /is bound to/);
      }
      if (transport !== "udp") {
        // The stranger's path, then a socket that bound no path.
        assert.match(
          byId.get("server.address-filter")!.message,
          /stranger\.sock and from an unbound socket/,
        );
        assert.match(byId.get("server.starts")!.message, /\/\.sockets\/server\.sock/);
      }
    },
  });
}

Deno.test({
  name: "the reference server passes every server check over TCP on ::1",
  ignore: noIPv6 !== undefined,
  ...opts,
  async fn() {
    const outcomes = await gradeReference("tcp", loopbackPlan(undefined, 6));
    // IPv6 loopback has one address: no stranger, so the filter is skipped, not failed.
    assertFullMarks(outcomes, ["server.address-filter"]);
    assert.match(outcomes[0]!.message, /listens on \[::1?\]:\d+/);
  },
});

Deno.test({
  name: "a TCP server graded over UDP fails server.starts, saying what it listens on",
  ...opts,
  async fn() {
    const python = "/usr/bin/python3";
    const testdata = new URL("../_testdata/", import.meta.url).pathname;
    const outcomes = await runServerChecks({
      spec: { ...specOver("udp"), timeouts: { ...specOver("udp").timeouts, startMs: 1500 } },
      net: { ...loopbackPlan(), transport: "udp" },
      server: {
        argv: [python, `${testdata}test_server.py`, "correct"],
        cwd: testdata,
        env: {},
        lineBuffering: "env",
        lineBufferingEnv: { PYTHONUNBUFFERED: "1" },
      },
    });
    const starts = outcomes[0]!;
    assert.equal(starts.status, "fail");
    assert.match(
      starts.message,
      /listens on TCP port \d+, but the assignment is over UDP: bind a UDP \(datagram\) socket/,
    );
    assert.ok(outcomes.slice(1).every((o) => o.status === "skip"), "nothing else to probe");
  },
});

Deno.test({
  name: "a Unix server that does not remove a stale socket file fails server.starts alone",
  ...opts,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "sockgrade-stale-" });
    try {
      await Deno.writeTextFile(
        `${dir}/server.py`,
        `import socket, sys
allowed, path = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(path)  # no unlink() first
s.listen(8)
while True:
    c, peer = s.accept()
    data = b""
    while not data.endswith(b"\\n"):
        chunk = c.recv(4096)
        if not chunk:
            break
        data += chunk
    for line in data.split(b"\\n"):
        if peer == allowed and line.rstrip(b"\\r") == b"Client Query":
            print("Receive Query", flush=True)
    c.close()
`,
      );
      const spec = {
        ...specOver("unix-stream"),
        timeouts: { ...specOver("unix-stream").timeouts, startMs: 3000 },
      };
      const net = await withSocketFolder(
        { ...loopbackPlan(), transport: "unix-stream" },
        spec,
        dir,
      );
      const outcomes = await runServerChecks({
        spec,
        net,
        server: {
          argv: ["/usr/bin/python3", "server.py"],
          cwd: dir,
          env: {},
          lineBuffering: "env",
          lineBufferingEnv: { PYTHONUNBUFFERED: "1" },
        },
      });
      const starts = outcomes[0]!;
      assert.equal(starts.status, "fail");
      assert.match(
        starts.message,
        /stale socket file .*Address already in use.*started again without the file, it listens on/,
      );
      assert.match(starts.hint ?? "", /Remove the socket file before bind\(\)/);
      assert.equal(outcomes[1]!.id, "server.trigger");
      assert.equal(outcomes[1]!.status, "pass", outcomes[1]!.message);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
