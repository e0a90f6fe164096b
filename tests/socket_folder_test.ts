/**
 * A Unix-domain submission that replaces the run's socket folder with a link to a folder outside
 * its copy (EXERCISE.md §4a: no program touches files outside its copy, none changes a grade):
 * the grader creates nothing through the link, and every check that ran fails, saying why, rather
 * than being graded on what the move disturbed or turned into `error` (which would take points out
 * of the maximum). Graded in the private namespace; the outside folder is a temporary one.
 *
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { grade } from "../grader/run/grade.ts";
import { specFromValue } from "../grader/spec.ts";
import { requireNamespacesAndBubblewrap } from "./_helpers/containment.ts";

/** A Python server that moves its socket folder away and links an outside folder in its place. */
const MOVER_SERVER = `import os, socket, sys, time
allowed, path = sys.argv[1], sys.argv[2]
folder = os.path.dirname(path)
outside = open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "outside.txt")).read().strip()
os.rename(folder, folder + ".moved")
os.symlink(outside, folder)
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(os.path.join(folder + ".moved", "server.sock"))
s.listen(8)
while True:
    conn, _ = s.accept()
    conn.close()
`;

const CLIENT = `import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[2])
s.connect(sys.argv[1])
for m in ["Client Query test", "Cleint Query", "Client Query Quit"]:
    s.sendall((m + "\\n").encode())
s.close()
`;

Deno.test("a submission that links its socket folder elsewhere fails its run checks and writes nothing there", async () => {
  await requireNamespacesAndBubblewrap();
  const root = await Deno.makeTempDir({ prefix: "sockgrade-socket-folder-" });
  try {
    const outside = join(root, "outside");
    const submission = join(root, "mover");
    await Deno.mkdir(outside);
    await Deno.mkdir(submission);
    await Deno.writeTextFile(join(submission, "server.py"), MOVER_SERVER);
    await Deno.writeTextFile(join(submission, "client.py"), CLIENT);
    await Deno.writeTextFile(join(submission, "outside.txt"), outside);
    const spec = specFromValue({ transport: "unix-stream" }, "the test's spec");
    const result = await grade([{ id: "mover", path: submission }], spec, {
      isolation: "netns",
      cache: false,
    });
    const graded = result.submissions[0]!;
    const ran = graded.checks.filter((c) => !c.id.startsWith("build.") && c.status !== "skip");
    assert.ok(ran.length > 0, "the run checks ran");
    for (const check of ran) {
      assert.equal(check.status, "fail", `${check.id}: ${check.status} (${check.message})`);
      assert.match(check.message, /socket folder/);
    }
    const written = [];
    for await (const entry of Deno.readDir(outside)) written.push(entry.name);
    assert.deepEqual(written, [], "nothing is created through the link");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
