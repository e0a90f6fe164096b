/**
 * A client that floods the grader's capture server (960 connections, 1 MiB on each) is graded
 * through the normal path, in the private namespace: the grading worker's peak resident memory
 * (`VmHWM` of every process the run started, read while the worker still lives) stays under
 * 1 GiB, and `client.messages` fails saying how much the client sent, never `error`.
 */

import assert from "node:assert/strict";
import { grade } from "../grader/run/grade.ts";
import { DEFAULT_SPEC } from "../grader/spec.ts";
import { namespaceSupport } from "../grader/sandbox/netns.ts";
import { processTree } from "./_helpers/process_tree.ts";

const FLOODING_CLIENT = `
import socket, sys
host, port = sys.argv[1], int(sys.argv[2])
block = b"Client Query " * (1024 * 1024 // 13)
conns = []
for _ in range(960):
    try:
        conns.append(socket.create_connection((host, port)))
    except OSError:
        pass
for c in conns:
    try:
        c.sendall(block)
    except OSError:
        pass
for c in conns:
    c.close()
`;

const GiB = 1024 * 1024 * 1024;

/** A process's peak resident memory in bytes (`VmHWM`), or 0 when it is gone. */
function peakRss(pid: number): number {
  try {
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    const kib = /^VmHWM:\s+(\d+) kB$/m.exec(status)?.[1];
    return kib ? Number(kib) * 1024 : 0;
  } catch {
    return 0;
  }
}

Deno.test("a client flooding the capture server fails client.messages and the worker stays under 1 GiB", async () => {
  const support = await namespaceSupport();
  if (!support.ok) throw new Error(`private namespaces are needed: ${support.reason}`);
  const dir = await Deno.makeTempDir({ prefix: "sockgrade-client-flood-" });
  try {
    await Deno.writeTextFile(`${dir}/client.py`, FLOODING_CLIENT);
    let peak = 0;
    const run = await grade([{ id: "flood", path: dir }], structuredClone(DEFAULT_SPEC), {
      isolation: "netns",
      jobs: 1,
      cache: false,
      // Called while the lane's worker still runs: its VmHWM is the peak of the whole job.
      onResult: () => {
        for (const pid of processTree(Deno.pid).slice(1)) peak = Math.max(peak, peakRss(pid));
      },
    });
    const [result] = run.submissions;
    const checks = Object.fromEntries(result!.checks.map((c) => [c.id, c]));
    console.log(`worker peak RSS: ${(peak / 1024 / 1024).toFixed(0)} MiB`);
    console.log(`client.messages: ${checks["client.messages"]!.message}`);
    assert.ok(peak > 0, "the worker's memory was read");
    assert.ok(peak < GiB, `the worker's peak RSS was ${peak} bytes`);
    const messages = checks["client.messages"]!;
    assert.equal(messages.status, "fail", messages.message);
    // How far the client got before its deadline depends on the machine's load: a count either way.
    assert.match(
      messages.message,
      /your client opened \d+ connections and sent \d+(\.\d)? (bytes?|[KMG]iB)/,
    );
    assert.equal(checks["client.connects"]!.status, "pass", checks["client.connects"]!.message);
    for (const check of result!.checks) assert.notEqual(check.status, "error", check.message);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
