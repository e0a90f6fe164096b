/**
 * Test helpers for `grader/submission/`: small submissions written into temporary folders.
 *
 * @module
 */

import { dirname, join } from "node:path";

/** A file's content: text, bytes, or a symbolic link to a target. */
export type Content = string | Uint8Array | { symlink: string };

/** A temporary folder holding `files` (paths with `/`); removed by `await using`. */
export interface TempTree extends AsyncDisposable {
  /** The folder. */
  dir: string;
}

/** Writes `files` into a new temporary folder. */
export async function writeTree(files: Record<string, Content>): Promise<TempTree> {
  const dir = await Deno.makeTempDir({ prefix: "sockgrade-test-" });
  for (const [path, content] of Object.entries(files)) {
    const target = join(dir, path);
    await Deno.mkdir(dirname(target), { recursive: true });
    if (typeof content === "string") await Deno.writeTextFile(target, content);
    else if (content instanceof Uint8Array) await Deno.writeFile(target, content);
    else await Deno.symlink(content.symlink, target);
  }
  return {
    dir,
    [Symbol.asyncDispose]: () => Deno.remove(dir, { recursive: true }),
  };
}
