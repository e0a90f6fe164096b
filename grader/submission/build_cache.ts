/**
 * The build cache: a submission whose files were built before, with the same compilers and the
 * same build recipe, gets the earlier build's outputs (executables, Java class folders, whatever
 * the build wrote into the workspace) and its outcome (messages, compiler output, plans) restored
 * into its workspace instead of being built again. Grading the same class twice (a fixed rubric,
 * a second run with `--spec`, a re-run after a crash) then pays no compile time.
 *
 * ## Key
 *
 * SHA-256 of: this cache's schema, the build recipe (`RECIPE_VERSION` and the text of the
 * modules that decide the build commands), the toolchain's identity (each tool's real path, size
 * and modification time, and the PATH builds get), the extra build environment, what detection
 * decided (the kind and path of each side: the command lines follow from these), and every file
 * and folder of the workspace before the build (relative path, type, mode, SHA-256 of content).
 *
 * ## Entries
 *
 * `<dir>/<key>/` holds `entry.json` (the outcome, with the workspace's path replaced by a token,
 * and the list of what the build created, changed or removed in the workspace, each file with
 * its SHA-256), `entry.mac` (an HMAC-SHA-256 of `entry.json`) and `blobs/<sha256>` (file
 * contents). A writer builds an entry under a temporary name and renames it into place, so
 * readers never see half an entry and parallel writers of the same key leave one. A reader
 * verifies `entry.mac` and every blob before it touches the workspace: any doubt (missing,
 * unreadable, wrong MAC or hash, other schema) is a miss, the entry is removed and the submission
 * is built as usual.
 *
 * ## Authentication
 *
 * The MAC's key is 32 random bytes in `<dir>/.mac-key`, made on first use (mode 0600, in a
 * folder of mode 0700, both the grader's own). A key file that is not a regular file of 32 bytes
 * owned by the grader's user and readable by it alone is replaced by a new key (every entry made
 * with the old one is then a miss). So an entry nobody holding the key wrote, or one changed
 * afterwards, is never restored, even with its checksums recomputed: programs never see the
 * cache folder (it is hidden from their view, `sandbox/filesystem.ts`) and, where they run as
 * another user, could not read the key anyway.
 *
 * Only builds whose inputs are all in the workspace are cached: Makefiles and the languages whose
 * row says `cacheable` (all but TypeScript). TypeScript (`deno install` fills Deno's module cache, outside the
 * workspace) and `submission.json` manifests (any command) are built every time. Compile errors
 * are cached (they are as deterministic as successes); time-outs and the grader's own faults are
 * not. The grader's worker reads and writes the cache itself, never a student's process.
 *
 * `pruneBuildCache()` keeps the cache under a size by removing the least recently used entries.
 *
 * @example
 * ```ts
 * import { defaultCacheDir } from "./build_cache.ts";
 * if (!defaultCacheDir({ SOCKGRADE_CACHE_DIR: "/x" }).startsWith("/x")) throw new Error();
 * if (defaultCacheDir({ HOME: "/h" }) !== "/h/.cache/sockgrade/builds") throw new Error();
 * ```
 * @module
 */

import { dirname, join } from "node:path";
import type { BuildOutcome } from "./build_outcome.ts";
import type { Detection } from "./discover.ts";
import type { Toolchain } from "./_toolchain.ts";
import { LANGUAGES } from "./languages/mod.ts";

/** Bump when the build commands change in a way the recipe modules' text does not show. */
export const RECIPE_VERSION = 1;

/** The schema of an entry; entries of another schema are misses. */
const SCHEMA = "sockgrade/build-cache@2";
/** The MAC key's file name in the cache folder, and its length in bytes. */
const KEY_FILE = ".mac-key";
const KEY_BYTES = 32;

/** The default bound on the cache's size. */
export const DEFAULT_MAX_BYTES = 500 * 1024 * 1024;

/** An entry bigger than this is not stored (a build that wrote a huge file). */
const MAX_ENTRY_BYTES = 64 * 1024 * 1024;

/** Stands for the workspace's absolute path in stored outcomes. */
const WORKSPACE_TOKEN = "\u0000sockgrade-workspace\u0000";

/** Kinds whose builds only read the workspace (and the toolchain): each language says. */
const CACHEABLE = new Set<string>([
  "make",
  ...LANGUAGES.filter((l) => l.cacheable).map((l) => l.id),
]);

/** The modules whose text decides the build commands (part of the key), each language's too. */
const RECIPE_MODULES = [
  "./build.ts",
  "./build_cache.ts",
  "./discover.ts",
  "./manifest.ts",
  "./_java.ts",
  "./_messages.ts",
  "./_steps.ts",
  "./_toolchain.ts",
  "./languages/mod.ts",
  "./languages/language.ts",
  "./languages/_native.ts",
  ...LANGUAGES.map((l) => l.recipe),
];

/**
 * The cache folder: `SOCKGRADE_CACHE_DIR`, else `$XDG_CACHE_HOME/sockgrade/builds`, else
 * `~/.cache/sockgrade/builds` (`env` defaults to the process environment).
 */
export function defaultCacheDir(env: Record<string, string> = Deno.env.toObject()): string {
  if (env.SOCKGRADE_CACHE_DIR) return env.SOCKGRADE_CACHE_DIR;
  const cacheHome = env.XDG_CACHE_HOME || join(env.HOME || "/tmp", ".cache");
  return join(cacheHome, "sockgrade", "builds");
}

/** One thing in a workspace, by relative path. */
export type Item =
  | { type: "file"; mode: number; size: number; sha256: string }
  | { type: "dir"; mode: number }
  | { type: "symlink"; target: string };

/** Everything in a workspace, by relative path (`/` separated). */
export type Snapshot = Map<string, Item>;

function hex(bytes: ArrayBuffer): string {
  return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** SHA-256 of bytes or text, as hex. */
export async function sha256(data: Uint8Array | string): Promise<string> {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  return hex(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>));
}

/** Bounds on a snapshot: a build that wrote more than this is not cached. */
const MAX_ITEMS = 20_000;
const MAX_SNAPSHOT_BYTES = 256 * 1024 * 1024;

/**
 * Lists and hashes every file, folder and link under `dir` (links are not followed). Throws a
 * RangeError beyond 20,000 items or 256 MiB (then nothing is cached).
 */
export async function snapshot(dir: string): Promise<Snapshot> {
  const items: Snapshot = new Map();
  let bytesRead = 0;
  const walk = async (rel: string): Promise<void> => {
    const entries = await Array.fromAsync(Deno.readDir(join(dir, rel)));
    entries.sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
    for (const entry of entries) {
      const path = rel ? `${rel}/${entry.name}` : entry.name;
      const full = join(dir, path);
      if (items.size >= MAX_ITEMS) throw new RangeError(`more than ${MAX_ITEMS} files`);
      const info = await Deno.lstat(full);
      if (info.isSymlink) {
        items.set(path, { type: "symlink", target: await Deno.readLink(full) });
      } else if (info.isDirectory) {
        items.set(path, { type: "dir", mode: (info.mode ?? 0o700) & 0o7777 });
        await walk(path);
      } else if (info.isFile) {
        bytesRead += info.size;
        if (bytesRead > MAX_SNAPSHOT_BYTES) throw new RangeError("too many bytes to hash");
        const bytes = await Deno.readFile(full);
        items.set(path, {
          type: "file",
          mode: (info.mode ?? 0o600) & 0o7777,
          size: bytes.length,
          sha256: await sha256(bytes),
        });
      }
    }
  };
  await walk("");
  return items;
}

/** Whether every side of `detection` is built from workspace files only. */
export function isCacheable(detection: Detection): boolean {
  if (detection.manifestError !== undefined || detection.manifest) return false;
  const kinds = [detection.server?.kind, detection.client?.kind].filter((k) => k !== undefined);
  return kinds.length > 0 && kinds.every((k) => CACHEABLE.has(k));
}

/** Whether an outcome may be stored: no time-out, no grader fault, something was built. */
export function isStorable(outcome: BuildOutcome): boolean {
  const sides = [outcome.server, outcome.client];
  return sides.some((s) => s.commands.length > 0) &&
    sides.every((s) => !s.timedOut && !s.graderError);
}

let recipe: Promise<string> | undefined;

/** The build recipe's identity: `RECIPE_VERSION` and the recipe modules' text (once per process). */
function recipeIdentity(): Promise<string> {
  recipe ??= (async () => {
    const texts = await Promise.all(
      RECIPE_MODULES.map((m) =>
        Deno.readTextFile(new URL(m, import.meta.url)).catch(() => `${m} unreadable`)
      ),
    );
    return await sha256(JSON.stringify([RECIPE_VERSION, ...texts]));
  })();
  return recipe;
}

const toolIds = new Map<string, Promise<string>>();

/** A tool's identity: real path, size and modification time (no process is started). */
function toolIdentity(path: string | undefined): Promise<string> {
  if (!path) return Promise.resolve("-");
  let id = toolIds.get(path);
  if (!id) {
    id = (async () => {
      try {
        const real = await Deno.realPath(path);
        const info = await Deno.stat(real);
        return `${path} -> ${real} ${info.size} ${info.mtime?.getTime() ?? 0}`;
      } catch {
        return `${path} missing`;
      }
    })();
    toolIds.set(path, id);
  }
  return id;
}

/** The cache key of a workspace's build (see the module doc). */
export async function buildKey(
  inputs: Snapshot,
  detection: Detection,
  tools: Toolchain,
  env: Record<string, string>,
): Promise<string> {
  const { root: _root, ...decided } = detection;
  const toolchain = await Promise.all(
    // Not `tools.resolved`: found lazily, it would make keys differ within one run.
    Object.entries(tools.bin).sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0)
      .map(async ([name, path]) => `${name}: ${await toolIdentity(path)}`),
  );
  return await sha256(JSON.stringify({
    schema: SCHEMA,
    recipe: await recipeIdentity(),
    target: Deno.build.target,
    toolchain,
    path: tools.path,
    env: Object.entries(env).sort(),
    detection: decided,
    inputs: [...inputs],
  }));
}

const macKeys = new Map<string, Promise<CryptoKey>>();

/** Whether `info` is a key file only this process's user can read or write. */
function isPrivate(info: Deno.FileInfo): boolean {
  const uid = Deno.uid();
  return info.isFile && info.size === KEY_BYTES && ((info.mode ?? 0o777) & 0o077) === 0 &&
    (uid === null || info.uid === uid);
}

async function readKey(path: string): Promise<Uint8Array | undefined> {
  try {
    if (!(await Deno.lstat(path)).isFile) return undefined;
    const file = await Deno.open(path, { read: true });
    try {
      if (!isPrivate(await file.stat())) return undefined;
      const bytes = new Uint8Array(KEY_BYTES);
      let got = 0;
      while (got < KEY_BYTES) {
        const n = await file.read(bytes.subarray(got));
        if (n === null) return undefined;
        got += n;
      }
      return bytes;
    } finally {
      file.close();
    }
  } catch {
    return undefined;
  }
}

/**
 * The cache's MAC key: read from `<cacheDir>/.mac-key`, or made there (a new file linked into
 * place, so parallel workers agree on one key) when it is missing or not private.
 */
function macKey(cacheDir: string): Promise<CryptoKey> {
  let key = macKeys.get(cacheDir);
  if (!key) {
    key = (async () => {
      await Deno.mkdir(cacheDir, { recursive: true, mode: 0o700 });
      const folder = await Deno.lstat(cacheDir);
      if (folder.isDirectory && ((folder.mode ?? 0) & 0o077) !== 0) {
        await Deno.chmod(cacheDir, 0o700);
      }
      const path = join(cacheDir, KEY_FILE);
      let raw = await readKey(path);
      for (let attempt = 0; !raw && attempt < 3; attempt++) {
        const temp = join(cacheDir, `.key-${crypto.randomUUID()}`);
        try {
          await Deno.writeFile(temp, crypto.getRandomValues(new Uint8Array(KEY_BYTES)), {
            mode: 0o600,
            createNew: true,
          });
          await Deno.chmod(temp, 0o600);
          try {
            await Deno.link(temp, path);
          } catch (error) {
            if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
            // Another worker made one first, or the one there is not private: replace that.
            if (!(await readKey(path))) await Deno.rename(temp, path);
          }
        } finally {
          await Deno.remove(temp).catch(() => {});
        }
        raw = await readKey(path);
      }
      if (!raw) throw new Error(`the build cache's key ${path} cannot be made private`);
      return await crypto.subtle.importKey(
        "raw",
        raw as Uint8Array<ArrayBuffer>,
        { name: "HMAC", hash: "SHA-256" },
        false,
        ["sign", "verify"],
      );
    })();
    key.catch(() => macKeys.delete(cacheDir));
    macKeys.set(cacheDir, key);
  }
  return key;
}

/** The MAC of an entry's text, as hex. */
async function entryMac(cacheDir: string, text: string): Promise<string> {
  const signed = await crypto.subtle.sign(
    "HMAC",
    await macKey(cacheDir),
    new TextEncoder().encode(text),
  );
  return hex(signed);
}

/** Whether `mac` (hex) is the MAC of `text` (compared in constant time). */
async function verifyMac(cacheDir: string, text: string, mac: string): Promise<boolean> {
  if (!/^[0-9a-f]{64}$/.test(mac)) return false;
  const bytes = Uint8Array.from(mac.match(/../g)!, (h) => parseInt(h, 16));
  return await crypto.subtle.verify(
    "HMAC",
    await macKey(cacheDir),
    bytes,
    new TextEncoder().encode(text),
  );
}

/** Replaces `from` by `to` in every string of a JSON-like value. */
function replaceStrings<T>(value: T, from: string, to: string): T {
  if (typeof value === "string") return value.replaceAll(from, to) as T;
  if (Array.isArray(value)) return value.map((v) => replaceStrings(v, from, to)) as T;
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, replaceStrings(v, from, to)]),
    ) as T;
  }
  return value;
}

/** What `entry.json` holds. */
interface Entry {
  schema: string;
  key: string;
  /** Bytes of all blobs (for pruning). */
  bytes: number;
  /** What the build created or changed, in path order (folders before their contents). */
  changed: [string, Item][];
  /** What the build removed. */
  removed: string[];
  /** The outcome, with the workspace's path as a token. */
  outcome: BuildOutcome;
}

/** Whether a stored relative path stays inside the workspace. */
function isInside(path: string): boolean {
  return typeof path === "string" && path !== "" && !path.startsWith("/") &&
    !path.split("/").some((part) => part === ".." || part === "." || part === "");
}

/** Removes a folder without ever leaving a half-removed entry under its real name. */
async function discard(path: string): Promise<void> {
  const trash = join(dirname(path), `.trash-${crypto.randomUUID()}`);
  try {
    await Deno.rename(path, trash);
  } catch {
    return; // gone already, or another process took it
  }
  await Deno.remove(trash, { recursive: true }).catch(() => {});
}

/** Reads and verifies an entry; undefined (and the entry removed) on any doubt. */
async function readEntry(
  cacheDir: string,
  key: string,
): Promise<{ entry: Entry; blobs: Map<string, Uint8Array> } | undefined> {
  const entryDir = join(cacheDir, key);
  let text: string;
  try {
    text = await Deno.readTextFile(join(entryDir, "entry.json"));
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) await discard(entryDir);
    return undefined;
  }
  try {
    const mac = await Deno.readTextFile(join(entryDir, "entry.mac"));
    if (!(await verifyMac(cacheDir, text, mac.trim()))) throw new Error("a wrong MAC");
    const entry = JSON.parse(text) as Entry;
    if (entry.schema !== SCHEMA || entry.key !== key) throw new Error("another entry");
    const paths = [...entry.changed.map(([path]) => path), ...entry.removed];
    if (!paths.every(isInside)) throw new Error("a path outside the workspace");
    const blobs = new Map<string, Uint8Array>();
    for (const [, item] of entry.changed) {
      if (item.type !== "file" || blobs.has(item.sha256)) continue;
      const bytes = await Deno.readFile(join(entryDir, "blobs", item.sha256));
      if (bytes.length !== item.size || await sha256(bytes) !== item.sha256) {
        throw new Error(`blob ${item.sha256} is corrupt`);
      }
      blobs.set(item.sha256, bytes);
    }
    return { entry, blobs };
  } catch {
    await discard(entryDir);
    return undefined;
  }
}

/**
 * Restores the build of `key` into the workspace `dir` and returns its outcome, or undefined on
 * a miss (nothing in `dir` is touched then). Throws only when writing into `dir` fails midway.
 */
export async function restoreBuild(
  cacheDir: string,
  key: string,
  dir: string,
): Promise<BuildOutcome | undefined> {
  const entryDir = join(cacheDir, key);
  const found = await readEntry(cacheDir, key);
  if (!found) return undefined;
  const { entry, blobs } = found;
  for (const path of entry.removed) {
    await Deno.remove(join(dir, path), { recursive: true }).catch(() => {});
  }
  const dirModes: [string, number][] = [];
  for (const [path, item] of entry.changed) {
    const target = join(dir, path);
    if (item.type === "dir") {
      await Deno.mkdir(target, { recursive: true });
      dirModes.push([target, item.mode]);
    } else if (item.type === "symlink") {
      await Deno.remove(target).catch(() => {});
      await Deno.symlink(item.target, target);
    } else {
      await Deno.mkdir(dirname(target), { recursive: true });
      await Deno.remove(target).catch(() => {});
      await Deno.writeFile(target, blobs.get(item.sha256)!, { mode: 0o600 });
      await Deno.chmod(target, item.mode);
    }
  }
  for (const [target, mode] of dirModes.reverse()) await Deno.chmod(target, mode);
  const now = new Date();
  await Deno.utime(join(entryDir, "entry.json"), now, now).catch(() => {});
  return replaceStrings(entry.outcome, WORKSPACE_TOKEN, dir);
}

/**
 * Stores the build of `key`: what changed in `dir` since `before`, and the outcome. Never
 * throws for a concurrent writer of the same key (one entry is kept); throws when the cache
 * folder cannot be written.
 */
export async function storeBuild(
  cacheDir: string,
  key: string,
  dir: string,
  before: Snapshot,
  outcome: BuildOutcome,
): Promise<void> {
  const after = await snapshot(dir);
  const changed: [string, Item][] = [];
  for (const [path, item] of after) {
    const was = before.get(path);
    if (was && JSON.stringify(was) === JSON.stringify(item)) continue;
    changed.push([path, item]);
  }
  const removed = [...before.keys()].filter((path) => !after.has(path));
  const files = new Map<string, string>();
  let bytes = 0;
  for (const [path, item] of changed) {
    if (item.type !== "file" || files.has(item.sha256)) continue;
    files.set(item.sha256, path);
    bytes += item.size;
  }
  if (bytes > MAX_ENTRY_BYTES) return;
  const entry: Entry = {
    schema: SCHEMA,
    key,
    bytes,
    changed,
    removed,
    outcome: replaceStrings(outcome, dir, WORKSPACE_TOKEN),
  };
  await Deno.mkdir(cacheDir, { recursive: true, mode: 0o700 });
  const temp = join(cacheDir, `.tmp-${crypto.randomUUID()}`);
  try {
    await Deno.mkdir(join(temp, "blobs"), { recursive: true });
    for (const [hash, path] of files) {
      const bytes = await Deno.readFile(join(dir, path));
      // Read again after hashing: a file that changed since is not stored.
      if (await sha256(bytes) !== hash) return;
      await Deno.writeFile(join(temp, "blobs", hash), bytes);
    }
    const text = JSON.stringify(entry);
    await Deno.writeTextFile(join(temp, "entry.json"), text);
    await Deno.writeTextFile(join(temp, "entry.mac"), `${await entryMac(cacheDir, text)}\n`);
    try {
      await Deno.rename(temp, join(cacheDir, key));
    } catch (error) {
      // Another worker stored the same key first (the folder exists and is not empty): keep it.
      if (!(await Deno.stat(join(cacheDir, key)).then(() => true, () => false))) throw error;
    }
  } finally {
    await Deno.remove(temp, { recursive: true }).catch(() => {});
  }
}

/** What {@linkcode pruneBuildCache} did. */
export interface PruneReport {
  /** Entries kept and their bytes. */
  kept: number;
  keptBytes: number;
  /** Entries removed (least recently used first) and leftovers of crashed writers. */
  removed: number;
}

/**
 * Removes the least recently used entries until the cache holds at most `maxBytes`, as well as
 * unreadable entries and temporary folders older than an hour (a writer that crashed).
 */
export async function pruneBuildCache(
  cacheDir: string,
  maxBytes = DEFAULT_MAX_BYTES,
): Promise<PruneReport> {
  const report: PruneReport = { kept: 0, keptBytes: 0, removed: 0 };
  let names: Deno.DirEntry[];
  try {
    names = await Array.fromAsync(Deno.readDir(cacheDir));
  } catch {
    return report;
  }
  const entries: { path: string; bytes: number; used: number }[] = [];
  const hourAgo = Date.now() - 3600_000;
  for (const { name, isDirectory } of names) {
    const path = join(cacheDir, name);
    if (!isDirectory) continue;
    if (name.startsWith(".")) {
      const info = await Deno.stat(path).catch(() => undefined);
      if ((info?.mtime?.getTime() ?? 0) < hourAgo) {
        await Deno.remove(path, { recursive: true }).catch(() => {});
        report.removed++;
      }
      continue;
    }
    try {
      const file = join(path, "entry.json");
      const [text, info] = await Promise.all([Deno.readTextFile(file), Deno.stat(file)]);
      const bytes = (JSON.parse(text) as Entry).bytes + text.length;
      entries.push({ path, bytes, used: info.mtime?.getTime() ?? 0 });
    } catch {
      const info = await Deno.stat(path).catch(() => undefined);
      // A fresh folder without entry.json may be in the middle of a rename: leave it.
      if ((info?.mtime?.getTime() ?? 0) < hourAgo) {
        await discard(path);
        report.removed++;
      }
    }
  }
  entries.sort((a, b) => b.used - a.used);
  for (const entry of entries) {
    if (report.keptBytes + entry.bytes <= maxBytes) {
      report.kept++;
      report.keptBytes += entry.bytes;
    } else {
      await discard(entry.path);
      report.removed++;
    }
  }
  return report;
}
