/** Tests for the safe temporary copy of a submission. */

import assert from "node:assert/strict";
import { join } from "node:path";
import { copySubmission, SubmissionError } from "./workspace.ts";
import { writeTree } from "./_testing.ts";

/** Asserts that `promise` rejects with a SubmissionError whose message matches `pattern`. */
async function rejectsWith(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(promise, (e: Error) => {
    assert.ok(e instanceof SubmissionError, String(e));
    assert.match(e.message, pattern);
    return true;
  });
}

/** Every entry under `dir` with its kind, mode, mtime and a SHA-256 of its content. */
async function fingerprint(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string) => {
    const entries = await Array.fromAsync(Deno.readDir(join(dir, rel)));
    for (const entry of entries.sort((a, b) => a.name < b.name ? -1 : 1)) {
      const path = join(rel, entry.name);
      const info = await Deno.lstat(join(dir, path));
      let digest = "";
      if (info.isFile) {
        const bytes = await Deno.readFile(join(dir, path));
        digest = [...new Uint8Array(await crypto.subtle.digest("SHA-256", bytes))]
          .map((b) => b.toString(16).padStart(2, "0")).join("");
      } else if (info.isSymlink) {
        digest = await Deno.readLink(join(dir, path));
      }
      out.push(`${path} ${info.mode?.toString(8)} ${info.mtime?.getTime()} ${digest}`);
      if (info.isDirectory) await walk(path);
    }
  };
  await walk("");
  return out;
}

Deno.test("copySubmission() copies files, keeps binaries intact and makes them writable", async () => {
  const binary = new Uint8Array(256).map((_, i) => i);
  await using src = await writeTree({
    "server.c": "int main(void) { return 0; }\n",
    "data/blob.bin": binary,
    "hw/client.py": "print('hi')\n",
  });
  await Deno.chmod(join(src.dir, "server.c"), 0o444);
  const copy = await copySubmission(src.dir);
  try {
    assert.match(copy.dir, /sockgrade-/);
    assert.deepEqual(await Deno.readFile(join(copy.dir, "data/blob.bin")), binary);
    assert.equal(await Deno.readTextFile(join(copy.dir, "hw/client.py")), "print('hi')\n");
    assert.equal((await Deno.stat(join(copy.dir, "server.c"))).mode! & 0o777, 0o644);
    assert.deepEqual(copy.notes, []);
  } finally {
    await copy.cleanup();
  }
  await assert.rejects(Deno.stat(copy.dir), Deno.errors.NotFound);
});

Deno.test("copySubmission() does not follow links outside the submission and never changes the source", async () => {
  await using outside = await writeTree({ "secret.txt": "top secret" });
  await using src = await writeTree({
    "server.c": "int main(void) { return 0; }\n",
    "secret": { symlink: "/etc/passwd" },
    "leak.txt": { symlink: join(outside.dir, "secret.txt") },
    "up": { symlink: ".." },
    "alias.c": { symlink: "server.c" },
    "dangling": { symlink: "nowhere.txt" },
    ".git/config": "[core]\n",
  });
  const before = await fingerprint(src.dir);
  const copy = await copySubmission(src.dir);
  try {
    assert.deepEqual(copy.notes, [
      "not followed: dangling -> nowhere.txt (the target does not exist)",
      `not followed: leak.txt -> ${
        join(outside.dir, "secret.txt")
      } (points outside the submission)`,
      "not followed: secret -> /etc/passwd (points outside the submission)",
      "not followed: up -> .. (points outside the submission)",
    ]);
    const alias = await Deno.lstat(join(copy.dir, "alias.c"));
    assert.ok(alias.isFile && !alias.isSymlink, "a link inside is copied as a file");
    assert.equal(
      await Deno.readTextFile(join(copy.dir, "alias.c")),
      "int main(void) { return 0; }\n",
    );
    for (const name of ["secret", "leak.txt", "up", "dangling", ".git"]) {
      await assert.rejects(Deno.lstat(join(copy.dir, name)), Deno.errors.NotFound, name);
    }
    await Deno.writeTextFile(join(copy.dir, "server.c"), "changed");
  } finally {
    await copy.cleanup();
  }
  assert.deepEqual(await fingerprint(src.dir), before);
});

Deno.test("copySubmission() skips special files and files over the size limit with notes", async () => {
  await using src = await writeTree({ "server.py": "print(1)\n", "big.dat": "x".repeat(2000) });
  const fifo = new Deno.Command("mkfifo", { args: [join(src.dir, "pipe")] });
  assert.ok((await fifo.output()).success);
  const copy = await copySubmission(src.dir, { maxFileBytes: 1000 });
  try {
    assert.deepEqual(copy.notes, [
      "left out: big.dat (2 KiB, over the 1000 bytes limit per file)",
      "not copied: pipe (not a regular file: a FIFO, socket or device)",
    ]);
  } finally {
    await copy.cleanup();
  }
});

Deno.test("copySubmission() refuses a missing, empty or oversized submission with a sentence", async (t) => {
  await t.step("missing", async () => {
    await assert.rejects(
      copySubmission("/nonexistent/alice"),
      (e: Error) =>
        e instanceof SubmissionError &&
        e.message === "The submission folder /nonexistent/alice does not exist. Check the path.",
    );
  });
  await t.step("a file, not a folder", async () => {
    await using src = await writeTree({ "alice.c": "" });
    await rejectsWith(copySubmission(join(src.dir, "alice.c")), /is not a folder/);
  });
  await t.step("empty (only version-control data)", async () => {
    await using src = await writeTree({ ".git/HEAD": "ref" });
    await rejectsWith(copySubmission(src.dir), /is empty \(no files to grade\)/);
  });
  await t.step("over the total size", async () => {
    await using src = await writeTree({ "a": "x".repeat(600), "b": "x".repeat(600) });
    await rejectsWith(
      copySubmission(src.dir, { maxTotalBytes: 1000 }),
      /holds more than 1000 bytes of files/,
    );
  });
  await t.step("too many files", async () => {
    await using src = await writeTree({ "a": "", "b": "", "c": "" });
    await rejectsWith(
      copySubmission(src.dir, { maxFiles: 2 }),
      /holds more than 2 files and folders/,
    );
  });
});

Deno.test("cleanup() removes what a build left, even folders without permissions", async () => {
  await using src = await writeTree({ "server.c": "" });
  const copy = await copySubmission(src.dir);
  await Deno.mkdir(join(copy.dir, "locked/inner"), { recursive: true });
  await Deno.writeTextFile(join(copy.dir, "locked/inner/f"), "x");
  await Deno.chmod(join(copy.dir, "locked"), 0o000);
  await copy.cleanup();
  await copy.cleanup();
  await assert.rejects(Deno.stat(copy.dir), Deno.errors.NotFound);
});
