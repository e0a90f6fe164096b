/**
 * Where reports go, checked before grading starts and written safely after it ends.
 *
 * {@linkcode checkOutputs} runs before any grading: every report file's folder must exist and be
 * writable (tried by creating and removing a file there), the path itself must not be a folder or
 * a symbolic link, an HTML report's path must not be a file or a symbolic link, and no two
 * options may name the same path. A problem is a one-line {@linkcode UsageError} (exit 2), so a
 * typo in `--json` costs nothing instead of a whole class's grading.
 *
 * {@linkcode writeFileAtomic} and {@linkcode writeFolderAtomic} write a report next to its final
 * path under a fresh name (created exclusively, so nothing is followed) and rename it into
 * place: a reader never sees half a report, an earlier report survives a failed write, and a
 * symbolic link at the path is refused, never written through.
 *
 * @example
 * ```ts
 * import { join } from "node:path";
 * import { checkOutputs, writeFileAtomic } from "./output_files.ts";
 * const dir = await Deno.makeTempDir();
 * const path = join(dir, "result.json");
 * await checkOutputs([{ option: "--json", path, kind: "file" }]);
 * await writeFileAtomic(path, "{}\n");
 * if (await Deno.readTextFile(path) !== "{}\n") throw new Error("not written");
 * await Deno.remove(dir, { recursive: true });
 * ```
 *
 * @module
 */

import { basename, dirname, join, resolve } from "node:path";
import { UsageError } from "../grader/errors/usage_error.ts";

/** A report output named on the command line. */
export interface Output {
  /** The option that named it, e.g. `--json`. */
  option: string;
  /** Its path. */
  path: string;
  /** `file` for one file, `folder` for the HTML report. */
  kind: "file" | "folder";
}

/** What `lstat` says of a path, or undefined when nothing is there. */
async function lstatOrNothing(path: string): Promise<Deno.FileInfo | undefined> {
  try {
    return await Deno.lstat(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound || error instanceof Deno.errors.NotADirectory) {
      return undefined;
    }
    throw error;
  }
}

/** Why `folder` cannot take a new file, or undefined when it can (tried for real). */
async function folderProblem(folder: string): Promise<string | undefined> {
  const info = await Deno.stat(folder).catch(() => undefined);
  if (!info) return `the folder ${folder} does not exist: create it first`;
  if (!info.isDirectory) return `${folder} is not a folder`;
  try {
    const probe = await Deno.makeTempFile({ dir: folder, prefix: ".sockgrade-check-" });
    await Deno.remove(probe);
    return undefined;
  } catch (error) {
    return `the folder ${folder} cannot be written (${(error as Error).message})`;
  }
}

/** Why `output` cannot be written, or undefined when it can. */
async function outputProblem(output: Output): Promise<string | undefined> {
  const info = await lstatOrNothing(output.path).catch((error: Error) => error);
  if (info instanceof Error) return `${output.path} cannot be examined (${info.message})`;
  if (info?.isSymlink) {
    return `${output.path} is a symbolic link, and sockgrade does not write through links: remove it or name another path`;
  }
  if (info && output.kind === "file" && !info.isFile) {
    return `${output.path} exists and is not a file`;
  }
  if (info && output.kind === "folder" && !info.isDirectory) {
    return `${output.path} exists and is not a folder`;
  }
  return await folderProblem(dirname(resolve(output.path)));
}

/**
 * Checks every output before grading starts (see the module doc).
 *
 * @throws {UsageError} naming the option, the path and what to do.
 */
export async function checkOutputs(outputs: readonly Output[]): Promise<void> {
  const seen = new Map<string, string>();
  for (const output of outputs) {
    const key = resolve(output.path);
    const earlier = seen.get(key);
    if (earlier) {
      throw new UsageError(
        `${earlier} and ${output.option} both name ${output.path}: give each report its own path.`,
      );
    }
    seen.set(key, output.option);
    const problem = await outputProblem(output);
    if (problem) {
      throw new UsageError(
        `${output.option} ${output.path}: ${problem}. Nothing was graded; fix the path and run again.`,
      );
    }
  }
}

/** A fresh name beside `path` for writing before the rename. */
function sibling(path: string): string {
  return join(dirname(path), `.${basename(path)}.${crypto.randomUUID().slice(0, 8)}.tmp`);
}

/** Refuses a symbolic link at `path` (created since the check, or never checked). */
async function refuseLink(path: string): Promise<void> {
  if ((await lstatOrNothing(path))?.isSymlink) {
    throw new Error(`${path} is a symbolic link, and sockgrade does not write through links`);
  }
}

/** Writes `text` to `path` atomically (a fresh file beside it, then a rename); no link is followed. */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  await refuseLink(path);
  const temp = sibling(path);
  try {
    // createNew: O_CREAT|O_EXCL, which never follows a link; the mode is the usual 0666 & ~umask.
    const file = await Deno.open(temp, { write: true, createNew: true, mode: 0o666 });
    try {
      const data = new TextEncoder().encode(text);
      for (let done = 0; done < data.length;) done += await file.write(data.subarray(done));
      await file.sync();
    } finally {
      file.close();
    }
    await Deno.rename(temp, path);
  } catch (error) {
    await Deno.remove(temp).catch(() => {});
    throw error;
  }
}

/**
 * Writes a folder of files (relative path → text) to `path`. A new folder is made beside it
 * under a fresh name and renamed into place once complete; into a folder that already exists
 * (an earlier report, say) each file is written atomically and nothing else there is touched.
 */
export async function writeFolderAtomic(path: string, files: Map<string, string>): Promise<void> {
  await refuseLink(path);
  const exists = (await lstatOrNothing(path)) !== undefined;
  const target = exists ? path : sibling(path);
  if (!exists) await Deno.mkdir(target);
  try {
    for (const [name, text] of files) {
      const file = join(target, name);
      await Deno.mkdir(dirname(file), { recursive: true });
      await refuseLink(dirname(file));
      await writeFileAtomic(file, text);
    }
    if (!exists) await Deno.rename(target, path);
  } catch (error) {
    if (!exists) await Deno.remove(target, { recursive: true }).catch(() => {});
    throw error;
  }
}
