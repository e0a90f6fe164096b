/**
 * Fingerprints a folder tree, so a test can prove that grading left the submissions untouched:
 * take {@linkcode hashTree} before, again after, and compare the two with `assert.deepEqual`.
 *
 * @module
 */

import { join, relative } from "node:path";

/** Lowercase hex of the SHA-256 of `bytes`. */
async function sha256(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Every entry under `dir`, by path relative to it: a folder (key ending in `/`) maps to `dir` and
 * its octal mode, a symbolic link to `link <target>` (never followed), a file to its octal mode
 * and the SHA-256 of its contents. Added, removed, changed or re-permissioned entries all change
 * the map.
 */
export async function hashTree(dir: string): Promise<Map<string, string>> {
  const hashes = new Map<string, string>();
  const walk = async (at: string) => {
    for await (const entry of Deno.readDir(at)) {
      const path = join(at, entry.name);
      const key = relative(dir, path);
      if (entry.isDirectory) {
        hashes.set(`${key}/`, `dir ${(await Deno.lstat(path)).mode?.toString(8)}`);
        await walk(path);
      } else if (entry.isSymlink) {
        hashes.set(key, `link ${await Deno.readLink(path)}`);
      } else {
        const info = await Deno.stat(path);
        hashes.set(key, `${info.mode?.toString(8)} ${await sha256(await Deno.readFile(path))}`);
      }
    }
  };
  await walk(dir);
  return hashes;
}
