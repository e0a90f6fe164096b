/**
 * Tests for reading a submission's sources: only regular files, never through a link.
 *
 * @module
 */

import assert from "node:assert/strict";
import { readSources, SOURCE_LIMITS } from "./sources.ts";

Deno.test("readSources() reads source files in subfolders, sorted, and nothing else", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${dir}/src/net`, { recursive: true });
    await Deno.mkdir(`${dir}/.git`);
    await Deno.mkdir(`${dir}/node_modules`);
    await Deno.writeTextFile(`${dir}/src/net/Client.java`, "class Client {}\n");
    await Deno.writeTextFile(`${dir}/server.c`, "int main(void) { return 0; }\n");
    await Deno.writeTextFile(`${dir}/.git/hook.py`, "print(1)\n");
    await Deno.writeTextFile(`${dir}/node_modules/dep.js`, "x\n");
    await Deno.writeTextFile(`${dir}/README.md`, "# notes\n");
    const { files, skipped } = await readSources(dir);
    assert.deepEqual(files.map((f) => [f.path, f.language]), [
      ["server.c", "c"],
      ["src/net/Client.java", "java"],
    ]);
    assert.equal(files[0]!.text, "int main(void) { return 0; }\n");
    assert.deepEqual(skipped, []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readSources() follows no link, opens no FIFO and leaves out files too large", async () => {
  const dir = await Deno.makeTempDir();
  const outside = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${outside}/secret.c`, "int secret;\n");
    await Deno.symlink(`${outside}/secret.c`, `${dir}/linked.c`);
    await Deno.symlink(outside, `${dir}/folder`);
    const mkfifo = new Deno.Command("mkfifo", { args: [`${dir}/server.c`] });
    assert.equal((await mkfifo.output()).code, 0);
    await Deno.writeTextFile(`${dir}/big.py`, "x = 1\n".repeat(SOURCE_LIMITS.fileBytes / 6 + 1));
    await Deno.writeTextFile(`${dir}/client.py`, "print('hi')\n");
    const { files, skipped } = await readSources(dir);
    assert.deepEqual(files.map((f) => f.path), ["client.py"]);
    assert.equal(skipped.length, 1);
    assert.match(skipped[0]!, /^big\.py was not compared: it is larger than \d+ bytes\.$/);
  } finally {
    await Deno.remove(dir, { recursive: true });
    await Deno.remove(outside, { recursive: true });
  }
});
