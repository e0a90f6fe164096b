/**
 * Tests for the client checks over every transport (docs/TRANSPORTS.md): the reference client
 * (`client.ts --transport <t>`) passes over each, and the typical mistakes of
 * `_testdata/client_transports.py` fail with what to do. Each case runs through
 * `runClientChecks` with a host-loopback plan carrying the transport and, for Unix-domain
 * transports, socket paths in a folder of the program's workspace (the sandbox shows a program
 * its workspace, not the rest of /tmp). The reference solution is sockgrade's own code, trusted
 * as the bundled samples are, so its Deno cache is shown to it.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DEFAULT_SPEC, type Spec, type Transport } from "../../spec.ts";
import type { CheckId } from "../catalogue.ts";
import type { CheckStatus } from "../../result.ts";
import { type ClientObservation, runClientChecks } from "./mod.ts";
import type { CheckContext, CheckOutcome, ProgramPlan } from "../types.ts";
import { loopbackPlan, type NetPlan, socketPaths } from "../../sandbox/net_plan.ts";
import { trustPrograms } from "../../sandbox/_policy.ts";
import { referenceSubmission } from "../../inputs/reference.ts";

const sanitize = { sanitizeOps: true, sanitizeResources: true, sanitizeExit: true };
const TESTDATA = fileURLToPath(new URL("../_testdata/", import.meta.url));
const PYTHON = "/usr/bin/python3";
const HOME = Deno.env.get("HOME") ?? "/root";

trustPrograms();

function spec(transport: Transport): Spec {
  const s = structuredClone(DEFAULT_SPEC) as Spec;
  s.transport = transport;
  // The reference client starts Deno: room for a loaded machine.
  s.timeouts.clientMs = 6000;
  return s;
}

/**
 * Runs the client checks of `client` over `transport`; Unix paths live in a fresh folder inside
 * the client's workspace (`client.cwd`), removed afterwards. `left` is what stayed in it.
 */
async function check(
  transport: Transport,
  client: ProgramPlan,
  observed?: ClientObservation,
): Promise<{ got: Map<CheckId, CheckOutcome>; net: NetPlan; left: string[] }> {
  const dir = await Deno.makeTempDir({ dir: client.cwd, prefix: "run-" });
  try {
    const s = spec(transport);
    const unix = transport === "unix-stream" || transport === "unix-dgram";
    const net: NetPlan = {
      ...loopbackPlan(),
      transport,
      ...(unix ? { paths: socketPaths(s, dir) } : {}),
    };
    const ctx: CheckContext = { spec: s, net, client };
    const outcomes = await runClientChecks(ctx, observed);
    const left: string[] = [];
    for await (const entry of Deno.readDir(dir)) left.push(entry.name);
    return { got: new Map(outcomes.map((o) => [o.id, o])), net, left };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function statuses(got: Map<CheckId, CheckOutcome>): CheckStatus[] {
  return [...got.values()].map((o) => o.status);
}

function show(got: Map<CheckId, CheckOutcome>): string {
  return [...got.values()].map((o) => `${o.id}: ${o.status}: ${o.message}`).join("\n");
}

function referenceClient(transport: Transport, folder: string): ProgramPlan {
  return {
    argv: [Deno.execPath(), "run", "-A", "--cached-only", "client.ts", "--transport", transport],
    cwd: folder,
    env: {
      HOME,
      DENO_DIR: Deno.env.get("DENO_DIR") || `${HOME}/.cache/deno`,
      NO_COLOR: "1",
    },
    lineBuffering: "none",
  };
}

/** A workspace of its own holding the Python test clients. */
async function pythonWorkspace(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "sockgrade-client-transports-" });
  await Deno.copyFile(join(TESTDATA, "client_transports.py"), join(dir, "client_transports.py"));
  return dir;
}

function pythonClient(mode: string, folder: string): ProgramPlan {
  return {
    argv: [PYTHON, "client_transports.py", mode],
    cwd: folder,
    env: {},
    lineBuffering: "env",
    lineBufferingEnv: { PYTHONUNBUFFERED: "1" },
  };
}

Deno.test({
  name: "runClientChecks() passes the reference client over every transport",
  ...sanitize,
  async fn(t) {
    const cases: [Transport, CheckStatus[], RegExp][] = [
      ["tcp", ["pass", "pass", "pass", "pass"], /3 messages in order, on one connection/],
      ["udp", ["pass", "pass", "pass", "skip"], /3 messages in order, one datagram each/],
      ["unix-stream", ["pass", "pass", "pass", "pass"], /3 messages in order, on one connection/],
      ["unix-dgram", ["pass", "pass", "pass", "pass"], /3 messages in order, one datagram each/],
    ];
    const reference = await referenceSubmission();
    try {
      for (const [transport, expected, messages] of cases) {
        await t.step(transport, async () => {
          const observed: ClientObservation = {};
          const client = referenceClient(transport, reference.path);
          const { got, net, left } = await check(transport, client, observed);
          assert.deepEqual(statuses(got), expected, show(got));
          assert.match(got.get("client.messages")!.message, messages);
          assert.deepEqual(observed.sent, DEFAULT_SPEC.messages);
          assert.deepEqual(left, [], "every socket file is removed");
          const connects = got.get("client.connects")!.message;
          if (net.paths) assert.ok(connects.includes(`from ${net.paths.clientPath}`), connects);
          if (transport === "udp") {
            assert.match(connects, /^sent datagrams to 127\.0\.0\.1:\d+ \(3 datagrams/);
            assert.match(got.get("client.no-server")!.message, /cannot know that no server/);
            assert.match(got.get("client.exits")!.message, /no connection to close/);
          }
          if (transport === "unix-dgram") {
            assert.match(got.get("client.no-server")!.message, /^exited with status 1/);
          }
        });
      }
    } finally {
      await reference.cleanup();
    }
  },
});

Deno.test({
  name: "runClientChecks() fails the typical transport mistakes with what to do",
  ...sanitize,
  async fn(t) {
    const cases: [string, Transport, CheckStatus[], CheckId, RegExp][] = [
      [
        "udp-packed",
        "udp",
        ["pass", "fail", "pass", "skip"],
        "client.messages",
        /^your client sent all its messages in one datagram `Client Query test\\nCleint Query\\nClient Query Quit`/,
      ],
      [
        "udp-padded",
        "udp",
        ["pass", "fail", "pass", "skip"],
        "client.messages",
        /^your client sent 1024 bytes per datagram/,
      ],
      [
        "unix-unbound",
        "unix-stream",
        ["fail", "pass", "pass", "pass"],
        "client.connects",
        /bind your socket to \/.*\/client\.sock before connect\(\): the server filters by that path and cannot tell who an unbound client is/,
      ],
      [
        "unix-dgram-unbound",
        "unix-dgram",
        ["fail", "pass", "pass", "pass"],
        "client.connects",
        /\(unbound\)\): bind your socket to \/.*\/client\.sock before sending/,
      ],
      [
        "unix-dgram-too-large",
        "unix-dgram",
        ["fail", "skip", "skip", "pass"],
        "client.connects",
        /too large for a Unix datagram socket here \(300000 bytes, at most \d+ bytes\): its send failed with EMSGSIZE/,
      ],
      [
        "udp",
        "tcp",
        ["fail", "skip", "skip", "fail"],
        "client.connects",
        /^your client sends UDP datagrams \(the grader saw 3 datagrams on 127\.0\.0\.1:\d+\), but the assignment is over TCP/,
      ],
      [
        "tcp",
        "udp",
        ["fail", "skip", "skip", "skip"],
        "client.connects",
        /^your client connects over TCP \(the grader saw 1 connection on 127\.0\.0\.1:\d+\), but the assignment is over UDP/,
      ],
    ];
    const folder = await pythonWorkspace();
    try {
      for (const [mode, transport, expected, id, message] of cases) {
        await t.step(`${mode} under ${transport}`, async () => {
          const { got, left } = await check(transport, pythonClient(mode, folder));
          assert.deepEqual(statuses(got), expected, show(got));
          assert.match(got.get(id)!.message, message, show(got));
          assert.ok(got.get(id)!.hint, "a hint says what to do");
          assert.deepEqual(left, [], "every socket file is removed");
        });
      }
    } finally {
      await Deno.remove(folder, { recursive: true });
    }
  },
});
