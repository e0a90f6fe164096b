/**
 * Tests for the build cache: real builds (cc, make, javac, python3) in temporary workspaces,
 * against a temporary cache folder that each test removes.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import type { ProgramPlan } from "./build_outcome.ts";
import { runProgram } from "../sandbox/process.ts";
import { buildSubmission, FROM_CACHE_NOTE } from "./build.ts";
import type { BuildOutcome } from "./build_outcome.ts";
import { defaultCacheDir, pruneBuildCache, restoreBuild, sha256 } from "./build_cache.ts";
import { detectPrograms } from "./discover.ts";
import { copySubmission } from "./workspace.ts";
import { type Content, writeTree } from "./_testing.ts";

const TIMEOUT_MS = 60_000;

/** A temporary cache folder, removed by `await using`. */
async function tempCache(): Promise<AsyncDisposable & { dir: string }> {
  const dir = await Deno.makeTempDir({ prefix: "sockgrade-cache-test-" });
  return { dir, [Symbol.asyncDispose]: () => Deno.remove(dir, { recursive: true }) };
}

/** Copies `src`, builds it with the cache in `cacheDir` (or without), and hands over the copy. */
async function build(
  src: string,
  cacheDir: string | undefined,
  use: (b: BuildOutcome, dir: string) => void | Promise<void> = () => {},
): Promise<BuildOutcome> {
  const copy = await copySubmission(src);
  try {
    const b = await buildSubmission(copy.dir, await detectPrograms(copy.dir), {
      timeoutMs: TIMEOUT_MS,
      cache: cacheDir !== undefined,
      ...(cacheDir ? { cacheDir } : {}),
    });
    await use(b, copy.dir);
    return b;
  } finally {
    await copy.cleanup();
  }
}

/** The entries in a cache folder (hidden temporary folders listed too). */
async function entries(cacheDir: string): Promise<string[]> {
  return (await Array.fromAsync(Deno.readDir(cacheDir)).catch(() => [])).map((e) => e.name);
}

/** What must be the same on a hit: everything but timings and the cache's own note. */
function comparable(b: BuildOutcome, dir: string) {
  const side = (s: BuildOutcome["server"]) => ({
    ...s,
    durationMs: 0,
    plan: s.plan && JSON.parse(JSON.stringify(s.plan).replaceAll(dir, "<ws>")),
  });
  return {
    server: side(b.server),
    client: side(b.client),
    language: b.language,
    notes: b.notes.filter((n) => n !== FROM_CACHE_NOTE),
  };
}

async function run(plan: ProgramPlan | undefined, ...args: string[]): Promise<string> {
  assert.ok(plan, "the side has a plan");
  const result = await runProgram({
    argv: [...plan.argv, ...args],
    cwd: plan.cwd,
    env: plan.env,
    timeoutMs: TIMEOUT_MS,
  });
  assert.equal(result.code, 0, new TextDecoder().decode(result.stderr));
  return new TextDecoder().decode(result.stdout);
}

const C_ECHO = (name: string) =>
  `#include <stdio.h>\nint main(int argc, char **argv) {\n  printf("${name} %s\\n", argc > 1 ? argv[1] : "-");\n  return 0;\n}\n`;
const C_PAIR: Record<string, Content> = {
  "server.c": C_ECHO("server"),
  "client.c": `${C_ECHO("client")}static int unused;\n`,
};

Deno.test("buildSubmission() restores a C build from the cache with identical messages", async () => {
  await using cache = await tempCache();
  await using src = await writeTree(C_PAIR);
  let first: ReturnType<typeof comparable> | undefined;
  const miss = await build(src.dir, cache.dir, (b, dir) => {
    first = comparable(b, dir);
  });
  assert.equal(miss.cache, "miss");
  assert.equal(miss.server.ok, true, miss.server.message);
  assert.match(miss.client.message, /1 warning/);
  assert.equal((await entries(cache.dir)).filter((n) => !n.startsWith(".")).length, 1);
  const hit = await build(src.dir, cache.dir, async (b, dir) => {
    assert.deepEqual(comparable(b, dir), first);
    assert.equal(await run(b.server.plan, "192.168.100.2"), "server 192.168.100.2\n");
    assert.equal(await run(b.client.plan), "client -\n");
  });
  assert.equal(hit.cache, "hit");
  assert.ok(hit.notes.includes(FROM_CACHE_NOTE));
  assert.ok(!miss.notes.includes(FROM_CACHE_NOTE));
});

Deno.test("buildSubmission() misses the cache when any file changes", async (t) => {
  await using cache = await tempCache();
  await using src = await writeTree(C_PAIR);
  assert.equal((await build(src.dir, cache.dir)).cache, "miss");
  await t.step("a changed source", async () => {
    await Deno.writeTextFile(join(src.dir, "client.c"), C_ECHO("changed"));
    const b = await build(src.dir, cache.dir, async (b) => {
      assert.equal(await run(b.client.plan), "changed -\n");
    });
    assert.equal(b.cache, "miss");
    assert.equal((await build(src.dir, cache.dir)).cache, "hit");
  });
  await t.step("a new file that is not a source", async () => {
    await Deno.writeTextFile(join(src.dir, "notes.h"), "#define X 1\n");
    assert.equal((await build(src.dir, cache.dir)).cache, "miss");
  });
  await t.step("a changed mode", async () => {
    await Deno.chmod(join(src.dir, "notes.h"), 0o755);
    assert.equal((await build(src.dir, cache.dir)).cache, "miss");
  });
});

Deno.test("buildSubmission() rebuilds when a cache entry is corrupt", async (t) => {
  await using cache = await tempCache();
  await using src = await writeTree(C_PAIR);
  await build(src.dir, cache.dir);
  const [key] = (await entries(cache.dir)).filter((n) => !n.startsWith("."));
  assert.ok(key);
  const entryDir = join(cache.dir, key);
  const corruptions: [string, () => Promise<void>][] = [
    ["a blob with other bytes", async () => {
      const [blob] = await entries(join(entryDir, "blobs"));
      const path = join(entryDir, "blobs", blob!);
      const bytes = await Deno.readFile(path);
      bytes[bytes.length >> 1]! ^= 0xff;
      await Deno.writeFile(path, bytes);
    }],
    ["a missing blob", async () => {
      const [blob] = await entries(join(entryDir, "blobs"));
      await Deno.remove(join(entryDir, "blobs", blob!));
    }],
    ["an edited entry.json", async () => {
      const path = join(entryDir, "entry.json");
      const text = await Deno.readTextFile(path);
      await Deno.writeTextFile(path, text.replace("built server.c", "built evil.c"));
    }],
    ["a truncated entry.json", () => Deno.truncate(join(entryDir, "entry.json"), 10)],
    ["a path outside the workspace, with a matching checksum", async () => {
      const path = join(entryDir, "entry.json");
      const entry = JSON.parse(await Deno.readTextFile(path));
      entry.changed[0][0] = "../sockgrade-cache-test-escaped";
      const text = JSON.stringify(entry);
      await Deno.writeTextFile(path, text);
      await Deno.writeTextFile(join(entryDir, "entry.sha256"), await sha256(text));
      await Deno.writeTextFile(join(entryDir, "entry.mac"), await sha256(text));
    }],
    ["a forged server with recomputed checksums and a MAC under another key", async () => {
      const path = join(entryDir, "entry.json");
      const entry = JSON.parse(await Deno.readTextFile(path));
      const forged = new TextEncoder().encode("#!/bin/sh\necho forged\n");
      const hash = await sha256(forged);
      for (const [, item] of entry.changed) {
        if (item.type !== "file") continue;
        Object.assign(item, { sha256: hash, size: forged.length });
      }
      await Deno.writeFile(join(entryDir, "blobs", hash), forged);
      const text = JSON.stringify(entry);
      await Deno.writeTextFile(path, text);
      const otherKey = await crypto.subtle.importKey(
        "raw",
        crypto.getRandomValues(new Uint8Array(32)),
        { name: "HMAC", hash: "SHA-256" },
        false,
        ["sign"],
      );
      const mac = await crypto.subtle.sign("HMAC", otherKey, new TextEncoder().encode(text));
      await Deno.writeTextFile(
        join(entryDir, "entry.mac"),
        Array.from(new Uint8Array(mac), (b) => b.toString(16).padStart(2, "0")).join(""),
      );
    }],
    ["a missing MAC", () => Deno.remove(join(entryDir, "entry.mac"))],
  ];
  for (const [name, corrupt] of corruptions) {
    await t.step(name, async () => {
      await corrupt();
      const b = await build(src.dir, cache.dir, async (b) => {
        assert.equal(await run(b.server.plan), "server -\n");
      });
      assert.equal(b.cache, "miss", "a corrupt entry is never used");
      assert.equal(b.server.message, "built server.c with cc");
      assert.equal((await build(src.dir, cache.dir)).cache, "hit", "the rebuild was stored");
    });
  }
  assert.equal(await restoreBuild(cache.dir, "0".repeat(64), "/nonexistent"), undefined);
});

Deno.test("the build cache's MAC key is private to the grader's user", async () => {
  await using cache = await tempCache();
  await using src = await writeTree(C_PAIR);
  await build(src.dir, cache.dir);
  const key = await Deno.lstat(join(cache.dir, ".mac-key"));
  assert.ok(key.isFile);
  assert.equal(key.size, 32);
  assert.equal((key.mode ?? 0) & 0o777, 0o600);
  assert.equal(key.uid, Deno.uid());
  assert.equal(((await Deno.lstat(cache.dir)).mode ?? 0) & 0o077, 0, "the folder is private");
});

Deno.test("buildSubmission() without cache neither reads nor writes the cache", async () => {
  await using cache = await tempCache();
  await using src = await writeTree(C_PAIR);
  assert.equal((await build(src.dir, undefined)).cache, "off");
  assert.deepEqual(await entries(cache.dir), []);
  await build(src.dir, cache.dir);
  const off = await copySubmission(src.dir);
  try {
    const b = await buildSubmission(off.dir, await detectPrograms(off.dir), {
      timeoutMs: TIMEOUT_MS,
      cache: false,
      cacheDir: cache.dir,
    });
    assert.equal(b.cache, "off");
    assert.ok(!b.notes.includes(FROM_CACHE_NOTE));
  } finally {
    await off.cleanup();
  }
});

Deno.test("buildSubmission() keeps one entry when parallel workers store the same build", async () => {
  await using cache = await tempCache();
  await using src = await writeTree(C_PAIR);
  const outcomes = await Promise.all(Array.from({ length: 4 }, () => build(src.dir, cache.dir)));
  for (const b of outcomes) assert.equal(b.server.ok && b.client.ok, true);
  const names = (await entries(cache.dir)).filter((n) => n !== ".mac-key");
  assert.equal(names.length, 1, `one entry and no leftovers: ${names.join(", ")}`);
  const again = await Promise.all(Array.from({ length: 3 }, () => build(src.dir, cache.dir)));
  assert.deepEqual(again.map((b) => b.cache), ["hit", "hit", "hit"]);
});

Deno.test("buildSubmission() caches compile errors, Makefiles, Java and Python, not TypeScript", async (t) => {
  await using cache = await tempCache();
  const twice = async (
    files: Record<string, Content>,
    check: (b: BuildOutcome) => void | Promise<void>,
  ) => {
    await using src = await writeTree(files);
    const miss = await build(src.dir, cache.dir, check);
    const hit = await build(src.dir, cache.dir, check);
    return [miss.cache, hit.cache];
  };
  await t.step("a compile error", async () => {
    assert.deepEqual(
      await twice({ "server.c": "int main(void) { return x; }\n" }, (b) => {
        assert.equal(b.server.ok, false);
        assert.match(b.server.message, /^server\.c:1:25: error: .x. undeclared/);
        assert.match(b.server.output, /error/);
      }),
      ["miss", "hit"],
    );
  });
  await t.step("a Makefile that overwrites a submitted file", async () => {
    assert.deepEqual(
      await twice({
        "Makefile":
          "all: server client\nserver: server.c\n\tcc -o server server.c\nclient: client.c\n\tcc -o client client.c\n",
        ...C_PAIR,
        "server": "#!/bin/sh\necho prebuilt\n",
      }, async (b) => {
        assert.equal(b.server.message, "make built server");
        assert.equal(await run(b.server.plan), "server -\n");
      }),
      ["miss", "hit"],
    );
  });
  await t.step("Java class folders", async () => {
    const main = (name: string) =>
      `public class ${name} { public static void main(String[] a) { System.out.println("${name}"); } }\n`;
    assert.deepEqual(
      await twice({ "Server.java": main("Server"), "Client.java": main("Client") }, async (b) => {
        assert.equal(b.server.ok, true, b.server.message);
        assert.equal(await run(b.client.plan), "Client\n");
      }),
      ["miss", "hit"],
    );
  });
  await t.step("Python", async () => {
    assert.deepEqual(
      await twice({ "server.py": "print('server')\n", "client.py": "print(\n" }, (b) => {
        assert.equal(b.server.ok, true);
        assert.equal(b.client.ok, false);
      }),
      ["miss", "hit"],
    );
  });
  await t.step("TypeScript", async () => {
    assert.deepEqual(
      await twice({ "server.ts": "console.log(1);\n", "client.ts": "console.log(2);\n" }, () => {}),
      ["not-cacheable", "not-cacheable"],
    );
  });
});

Deno.test("pruneBuildCache() removes the least recently used entries beyond the bound", async () => {
  await using cache = await tempCache();
  const keys: string[] = [];
  for (const name of ["a", "b", "c"]) {
    await using src = await writeTree({ "server.c": C_ECHO(name) });
    await build(src.dir, cache.dir);
    keys.push(
      ...(await entries(cache.dir)).filter((n) => !n.startsWith(".") && !keys.includes(n)),
    );
  }
  assert.equal(keys.length, 3);
  const day = 24 * 3600_000;
  for (const [i, key] of keys.entries()) {
    const when = new Date(Date.now() - (3 - i) * day); // a oldest, c newest
    await Deno.utime(join(cache.dir, key, "entry.json"), when, when);
  }
  await Deno.mkdir(join(cache.dir, ".tmp-crashed"));
  const old = new Date(Date.now() - 2 * 3600_000);
  await Deno.utime(join(cache.dir, ".tmp-crashed"), old, old);
  const all = await pruneBuildCache(cache.dir, Number.MAX_SAFE_INTEGER);
  assert.deepEqual([all.kept, all.removed], [3, 1]);
  const pruned = await pruneBuildCache(cache.dir, all.keptBytes - 1);
  assert.deepEqual([pruned.kept, pruned.removed], [2, 1]);
  assert.deepEqual(
    (await entries(cache.dir)).filter((n) => !n.startsWith(".")).sort(),
    keys.slice(1).sort(),
  );
});

Deno.test("defaultCacheDir() prefers SOCKGRADE_CACHE_DIR, then XDG_CACHE_HOME, then HOME", () => {
  assert.equal(defaultCacheDir({ SOCKGRADE_CACHE_DIR: "/c", XDG_CACHE_HOME: "/x" }), "/c");
  assert.equal(defaultCacheDir({ XDG_CACHE_HOME: "/x", HOME: "/h" }), "/x/sockgrade/builds");
  assert.equal(defaultCacheDir({ HOME: "/h" }), "/h/.cache/sockgrade/builds");
});
