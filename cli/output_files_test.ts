import assert from "node:assert/strict";
import { join } from "node:path";
import { checkOutputs, writeFileAtomic, writeFolderAtomic } from "./output_files.ts";
import { UsageError } from "../grader/errors/usage_error.ts";

async function tempDir(): Promise<{ path: string } & AsyncDisposable> {
  const path = await Deno.makeTempDir({ prefix: "sockgrade-output-files-test-" });
  return { path, [Symbol.asyncDispose]: () => Deno.remove(path, { recursive: true }) };
}

async function names(dir: string): Promise<string[]> {
  return (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name).sort();
}

Deno.test("checkOutputs refuses each unusable path with a usage error naming the option", async (t) => {
  await using tmp = await tempDir();
  const file = join(tmp.path, "file");
  await Deno.writeTextFile(file, "x");
  const link = join(tmp.path, "link.json");
  await Deno.symlink(join(tmp.path, "elsewhere.json"), link);
  const cases: [string, Parameters<typeof checkOutputs>[0], RegExp][] = [
    [
      "a missing folder",
      [{ option: "--json", path: join(tmp.path, "no/r.json"), kind: "file" }],
      /--json .*does not exist/,
    ],
    [
      "a file as the folder",
      [{ option: "--csv", path: join(file, "r.csv"), kind: "file" }],
      /--csv .*not a folder/,
    ],
    [
      "a folder as the file",
      [{ option: "--junit", path: tmp.path, kind: "file" }],
      /--junit .*not a file/,
    ],
    [
      "a file as the HTML folder",
      [{ option: "--html", path: file, kind: "folder" }],
      /--html .*not a folder/,
    ],
    ["a symbolic link", [{ option: "--json", path: link, kind: "file" }], /symbolic link/],
    [
      "two options, one path",
      [
        { option: "--json", path: join(tmp.path, "r"), kind: "file" },
        { option: "--csv", path: join(tmp.path, "r"), kind: "file" },
      ],
      /--json and --csv both name/,
    ],
  ];
  for (const [what, outputs, message] of cases) {
    await t.step(what, async () => {
      await assert.rejects(checkOutputs(outputs), (error: Error) => {
        assert.ok(error instanceof UsageError, String(error));
        assert.match(error.message, message);
        assert.doesNotMatch(error.message, /\n/);
        return true;
      });
    });
  }
  await t.step("good paths pass and leave nothing behind", async () => {
    const before = await names(tmp.path);
    await checkOutputs([
      { option: "--json", path: join(tmp.path, "new.json"), kind: "file" },
      { option: "--csv", path: file, kind: "file" },
      { option: "--html", path: join(tmp.path, "html"), kind: "folder" },
    ]);
    assert.deepEqual(await names(tmp.path), before);
  });
});

Deno.test("writeFileAtomic replaces a file whole and never writes through a link", async () => {
  await using tmp = await tempDir();
  const path = join(tmp.path, "r.json");
  await writeFileAtomic(path, "first\n");
  await writeFileAtomic(path, "second\n");
  assert.equal(await Deno.readTextFile(path), "second\n");
  assert.equal((await Deno.stat(path)).mode! & 0o777, 0o666 & ~Deno.umask());
  const target = join(tmp.path, "target");
  await Deno.writeTextFile(target, "untouched");
  const link = join(tmp.path, "link.json");
  await Deno.symlink(target, link);
  await assert.rejects(writeFileAtomic(link, "evil"), /symbolic link/);
  assert.equal(await Deno.readTextFile(target), "untouched");
  assert.deepEqual(await names(tmp.path), ["link.json", "r.json", "target"]);
});

Deno.test("writeFolderAtomic makes a new folder whole, and adds to an existing one", async () => {
  await using tmp = await tempDir();
  const html = join(tmp.path, "html");
  const files = new Map([["index.html", "<p>1</p>"], ["students/a.html", "<p>a</p>"]]);
  await writeFolderAtomic(html, files);
  assert.equal(await Deno.readTextFile(join(html, "students/a.html")), "<p>a</p>");
  assert.deepEqual(await names(tmp.path), ["html"]);
  await Deno.writeTextFile(join(html, "mine.txt"), "keep");
  await writeFolderAtomic(html, new Map([["index.html", "<p>2</p>"]]));
  assert.equal(await Deno.readTextFile(join(html, "index.html")), "<p>2</p>");
  assert.equal(await Deno.readTextFile(join(html, "mine.txt")), "keep");
  await Deno.remove(join(html, "students"), { recursive: true });
  await Deno.symlink(tmp.path, join(html, "students"));
  await assert.rejects(writeFolderAtomic(html, files), /symbolic link/);
});
