/**
 * Tests for `pair.end-to-end` over every transport (docs/TRANSPORTS.md): the reference server
 * and client (`server.ts`/`client.ts --transport <t>`) against each other, with the article's
 * messages (no response expected) and with a spec whose second message is the trigger (one
 * response expected, and the grader's sentinel after it). Unix paths live in a folder of the
 * programs' workspace (the sandbox shows a program its workspace, not the rest of /tmp); the
 * reference solution is sockgrade's own code, trusted as the bundled samples are.
 */

import assert from "node:assert/strict";
import { DEFAULT_SPEC, type Spec, type Transport } from "../spec.ts";
import { runPairCheck } from "./pair_checks.ts";
import type { CheckContext, ProgramPlan } from "./types.ts";
import { loopbackPlan, type NetPlan, socketPaths } from "../sandbox/net_plan.ts";
import { trustPrograms } from "../sandbox/_policy.ts";
import { referenceSubmission } from "../inputs/reference.ts";

const sanitize = { sanitizeOps: true, sanitizeResources: true, sanitizeExit: true };
const HOME = Deno.env.get("HOME") ?? "/root";
const TRANSPORTS: Transport[] = ["tcp", "udp", "unix-stream", "unix-dgram"];
const FIXED = ["Client Query test", "Client Query", "Client Query Quit"];

trustPrograms();

function spec(transport: Transport, messages: string[]): Spec {
  const s = structuredClone(DEFAULT_SPEC) as Spec;
  s.transport = transport;
  s.messages = messages;
  // Both programs start Deno: room for a loaded machine.
  s.timeouts = { ...s.timeouts, startMs: 8000, clientMs: 8000, responseMs: 2000 };
  return s;
}

function reference(folder: string, entry: string, args: string[]): ProgramPlan {
  return {
    argv: [Deno.execPath(), "run", "-A", "--cached-only", entry, ...args],
    cwd: folder,
    env: {
      HOME,
      DENO_DIR: Deno.env.get("DENO_DIR") || `${HOME}/.cache/deno`,
      NO_COLOR: "1",
    },
    lineBuffering: "none",
  };
}

Deno.test({
  name: "runPairCheck() passes the reference server and client over every transport",
  ...sanitize,
  async fn(t) {
    const ref = await referenceSubmission();
    try {
      for (const transport of TRANSPORTS) {
        const cases: [readonly string[], string][] = [
          [DEFAULT_SPEC.messages, "0 times"],
          [FIXED, "once"],
        ];
        for (const [messages, times] of cases) {
          const name = `${transport}, ${times === "once" ? "one trigger sent" : "no trigger"}`;
          await t.step(name, async () => {
            const dir = await Deno.makeTempDir({ dir: ref.path, prefix: "run-" });
            try {
              const s = spec(transport, [...messages]);
              const unix = transport === "unix-stream" || transport === "unix-dgram";
              const net: NetPlan = {
                ...loopbackPlan(),
                transport,
                ...(unix ? { paths: socketPaths(s, dir) } : {}),
              };
              const ctx: CheckContext = {
                spec: s,
                net,
                server: reference(ref.path, "server.ts", ["--transport", transport]),
                client: reference(ref.path, "client.ts", [
                  "--transport",
                  transport,
                  ...s.messages.flatMap((m) => ["--message", m]),
                ]),
                clientSent: [...messages],
              };
              const got = await runPairCheck(ctx);
              assert.equal(got.status, "pass", got.message);
              assert.match(
                got.message,
                new RegExp(`printed "Receive Query" ${times} for its messages, as expected`),
              );
              assert.equal(got.evidence.sequencing, "sentinel answered");
              const left: string[] = [];
              for await (const entry of Deno.readDir(dir)) left.push(entry.name);
              assert.deepEqual(left, [], "every socket file is removed");
            } finally {
              await Deno.remove(dir, { recursive: true });
            }
          });
        }
      }
    } finally {
      await ref.cleanup();
    }
  },
});
