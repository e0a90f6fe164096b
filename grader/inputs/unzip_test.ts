/**
 * Tests of the safe zip reader: well-formed archives unpack; hostile ones (escaping names,
 * symlinks, bombs, too many entries, lying headers) are refused before anything lands outside
 * the destination.
 *
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { crc32 } from "node:zlib";
import { deflateSync, zipSync } from "fflate";
import { type RawEntry, rawZip, zeroDeflate } from "./_testing.ts";
import { ArchiveError, DEFAULT_ZIP_LIMITS, unzipSafely, type ZipLimits } from "./unzip.ts";

const text = (s: string) => new TextEncoder().encode(s);

/** Writes `zip` as `name` in a fresh folder, unpacks it into `out/`, and removes everything. */
async function unpack(
  zip: Uint8Array,
  limits: ZipLimits = DEFAULT_ZIP_LIMITS,
  name = "class.zip",
): Promise<{ files: string[]; error?: ArchiveError; outside: string[] }> {
  const dir = await Deno.makeTempDir({ prefix: "sockgrade-unzip-test-" });
  try {
    const zipPath = join(dir, name);
    await Deno.writeFile(zipPath, zip);
    const out = join(dir, "out", "dest");
    await Deno.mkdir(out, { recursive: true });
    let error: ArchiveError | undefined;
    try {
      await unzipSafely(zipPath, out, limits, name);
    } catch (e) {
      if (!(e instanceof ArchiveError)) throw e;
      error = e;
    }
    return {
      files: await walk(out, ""),
      error,
      outside: (await walk(dir, "")).filter((f) => f !== name && !f.startsWith("out/dest/")),
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function walk(dir: string, prefix: string): Promise<string[]> {
  const found: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    const rel = prefix + e.name;
    if (e.isDirectory) found.push(...await walk(join(dir, e.name), rel + "/"));
    else found.push(rel);
  }
  return found.sort();
}

async function refused(zip: Uint8Array, limits?: ZipLimits): Promise<string> {
  const { error, outside } = await unpack(zip, limits);
  assert.ok(error, "the archive should have been refused");
  assert.deepEqual(outside, [], "nothing may be written outside the destination");
  return error.message;
}

Deno.test("unzipSafely() unpacks an ordinary archive, folders and all", async () => {
  const zip = zipSync({
    "class/alice/server.c": text("int main(void) { return 0; }\n"),
    "class/alice/client.c": text("int main(void) { return 0; }\n"),
    "class/bob/": {},
    "__MACOSX/class/._server.c": text("junk"),
    "class/big.txt": new Uint8Array(300_000).fill(65),
  });
  const { files, error } = await unpack(zip);
  assert.equal(error, undefined);
  assert.deepEqual(files, ["class/alice/client.c", "class/alice/server.c", "class/big.txt"]);
});

Deno.test("unzipSafely() reads sizes from ZIP64 fields", async () => {
  const deflated = deflateSync(text("int main(void) { return 0; }\n".repeat(50)));
  const source = text("int main(void) { return 0; }\n".repeat(50));
  const zip = rawZip([
    {
      name: "a/server.c",
      data: deflated,
      method: 8,
      size: source.length,
      crc: crc32(source),
      zip64: true,
    },
    { name: "a/client.c", data: text("x"), zip64: true },
  ]);
  const { files, error } = await unpack(zip);
  assert.equal(error, undefined);
  assert.deepEqual(files, ["a/client.c", "a/server.c"]);
});

Deno.test("unzipSafely() refuses hostile names", async (t) => {
  const cases: [string, string][] = [
    [
      "../../etc/passwd",
      "class.zip: entry ../../etc/passwd escapes the folder; refusing to unpack this archive",
    ],
    ["a/../../x", "entry a/../../x escapes the folder"],
    ["/abs/x", "entry /abs/x has an absolute path"],
    ["C:/Windows/x", "entry C:/Windows/x starts with a drive letter"],
    ["a\\..\\..\\x", "uses backslashes"],
  ];
  for (const [name, message] of cases) {
    await t.step(name, async () => {
      const msg = await refused(
        rawZip([{ name: "ok.txt", data: text("ok") }, { name, data: text("x") }]),
      );
      assert.ok(msg.includes(message), msg);
    });
  }
});

Deno.test("unzipSafely() refuses symlink entries, encrypted entries and duplicates", async (t) => {
  const cases: [string, RawEntry[], string][] = [
    [
      "symlink",
      [{
        name: "link",
        data: text("/etc/passwd"),
        madeBy: 3 << 8,
        external: (0o120777 << 16) >>> 0,
      }],
      "entry link is a symbolic link",
    ],
    [
      "fifo",
      [{ name: "pipe", madeBy: 3 << 8, external: (0o010644 << 16) >>> 0 }],
      "entry pipe is a special file",
    ],
    ["encrypted", [{ name: "secret.c", data: text("x"), flags: 1 }], "entry secret.c is encrypted"],
    ["duplicate", [{ name: "a.c" }, { name: "./a.c" }], "entry ./a.c appears twice"],
    ["file and folder", [{ name: "a" }, { name: "a/b" }], "entry a is both a file and a folder"],
    ["method", [{ name: "a.c", method: 12 }], "uses compression method 12"],
  ];
  for (const [label, entries, message] of cases) {
    await t.step(label, async () => {
      const msg = await refused(rawZip(entries));
      assert.ok(msg.includes(message), msg);
    });
  }
});

Deno.test("unzipSafely() refuses a 200 MiB zip bomb from its declared sizes, before inflating", async () => {
  const size = 200 * 1024 * 1024;
  const bomb = rawZip([{ name: "zeros.bin", data: zeroDeflate(size), method: 8, size, crc: 0 }]);
  assert.ok(bomb.length < 2 * 1024 * 1024);
  const ratio = await refused(bomb);
  assert.match(ratio, /entry zeros\.bin would inflate \d+ times its compressed size .*zip bomb/);
  const total = await refused(bomb, {
    ...DEFAULT_ZIP_LIMITS,
    maxRatio: 1e9,
    maxTotalBytes: 64 << 20,
  });
  assert.match(total, /inflate to more than the 64 MiB accepted/);
});

Deno.test("unzipSafely() stops inflating an entry that lies about its size", async () => {
  const bomb = rawZip([
    { name: "small.txt", data: zeroDeflate(16 * 1024 * 1024), method: 8, size: 1000, crc: 0 },
  ]);
  const { error, files } = await unpack(bomb);
  assert.match(
    error?.message ?? "",
    /entry small\.txt inflates to more than its declared 1000 bytes/,
  );
  assert.deepEqual(files, ["small.txt"]);
});

Deno.test("unzipSafely() refuses a corrupt entry (CRC mismatch, truncated data)", async () => {
  const crc = await refused(rawZip([{ name: "a.c", data: text("hello"), crc: 1234 }]));
  assert.match(crc, /entry a\.c is corrupt \(CRC mismatch\)/);
  const deflated = zeroDeflate(10_000);
  const short = await refused(
    rawZip([{ name: "b.c", data: deflated.subarray(0, 100), method: 8, size: 10_000 }]),
  );
  assert.match(short, /entry b\.c is (corrupt|truncated)/);
});

Deno.test("unzipSafely() refuses too many entries, with the default limit and a smaller one", async () => {
  const many = rawZip(Array.from({ length: 10_001 }, (_, i) => ({ name: `f${i}` })));
  assert.match(await refused(many), /it holds 10001 entries, more than the 10000 accepted/);
  const few = zipSync(
    Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`f${i}`, text("x")])),
  );
  assert.match(await refused(few, { ...DEFAULT_ZIP_LIMITS, maxEntries: 5 }), /holds 6 entries/);
});

Deno.test("unzipSafely() refuses a file that is not a zip and an oversized archive", async () => {
  assert.match(await refused(text("just text, no zip here")), /not a zip archive/);
  const zip = zipSync({ "a.txt": text("hello") });
  assert.match(
    await refused(zip, { ...DEFAULT_ZIP_LIMITS, maxArchiveBytes: 10 }),
    /more than the 10 bytes accepted/,
  );
});
