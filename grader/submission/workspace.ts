/**
 * A safe temporary copy of a submission: builds and programs only ever see the copy, never the
 * teacher's folder. Symbolic links that lead outside the submission are not followed, special
 * files (FIFOs, sockets, devices) and unreadable files are skipped, oversized files are left
 * out, and each of these is reported in `notes`. The copy's files are writable by their owner so
 * a student's build can write next to its sources.
 *
 * @example
 * ```ts
 * import { copySubmission } from "./workspace.ts";
 * const src = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${src}/server.py`, "print('Receive Query')\n");
 * const copy = await copySubmission(src);
 * try {
 *   if (await Deno.readTextFile(`${copy.dir}/server.py`) !== "print('Receive Query')\n") {
 *     throw new Error("not copied");
 *   }
 * } finally {
 *   await copy.cleanup();
 *   await Deno.remove(src, { recursive: true });
 * }
 * ```
 * @module
 */

import { join, relative, sep } from "node:path";

/** Limits on what is copied. */
export interface CopyLimits {
  /** The whole submission, in bytes (default 64 MiB); over it, copying fails. */
  maxTotalBytes?: number;
  /** Files and folders copied (default 5,000); over it, copying fails. */
  maxFiles?: number;
  /** One file, in bytes (default 16 MiB); a larger file is left out with a note. */
  maxFileBytes?: number;
}

/** A temporary copy of a submission. */
export interface Workspace {
  /** The copy's folder (`sockgrade-…` in the system's temporary folder). */
  dir: string;
  /** What was not copied as-is, one sentence each. */
  notes: string[];
  /** Removes the copy (also what a student's build left in it); safe to call twice. */
  cleanup(): Promise<void>;
}

/** A submission folder that cannot be graded as given; `message` says what to do. */
export class SubmissionError extends Error {
  override name = "SubmissionError";
}

/** Folders never copied: version control data and macOS archive debris. */
const NOT_COPIED = new Set([".git", ".hg", ".svn", "__MACOSX"]);

const MiB = 1024 * 1024;

/** A size for people: bytes, KiB or MiB. */
function mib(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < MiB) return `${Math.round((bytes / 1024) * 10) / 10} KiB`;
  return `${Math.round((bytes / MiB) * 10) / 10} MiB`;
}

/**
 * Copies the submission folder `src` into a new temporary folder. The source is only read.
 * Throws a {@linkcode SubmissionError} when `src` is missing, not a folder, empty, or over the
 * total-size or file-count limit (nothing is left behind then).
 */
export async function copySubmission(src: string, opts: CopyLimits = {}): Promise<Workspace> {
  const maxTotalBytes = opts.maxTotalBytes ?? 64 * MiB;
  const maxFiles = opts.maxFiles ?? 5_000;
  const maxFileBytes = opts.maxFileBytes ?? 16 * MiB;

  let root: string;
  try {
    root = await Deno.realPath(src);
    if (!(await Deno.stat(root)).isDirectory) {
      throw new SubmissionError(
        `The submission ${src} is not a folder. Give a folder with the student's files.`,
      );
    }
  } catch (error) {
    if (error instanceof SubmissionError) throw error;
    const why = error instanceof Deno.errors.NotFound
      ? "does not exist"
      : `cannot be read (${(error as Error).message})`;
    throw new SubmissionError(`The submission folder ${src} ${why}. Check the path.`);
  }

  const dir = await Deno.makeTempDir({ prefix: "sockgrade-" });
  const cleanup = () => removeTree(dir);
  const notes: string[] = [];
  let totalBytes = 0;
  let count = 0;
  let copiedFiles = 0;

  const inside = (real: string) => real === root || real.startsWith(root + sep);
  const show = (path: string) => relative(root, path) || ".";

  const copyFile = async (from: string, to: string, size: number, name: string) => {
    if (size > maxFileBytes) {
      notes.push(`left out: ${name} (${mib(size)}, over the ${mib(maxFileBytes)} limit per file)`);
      return;
    }
    totalBytes += size;
    if (totalBytes > maxTotalBytes) {
      throw new SubmissionError(
        `The submission ${src} holds more than ${
          mib(maxTotalBytes)
        } of files; sockgrade copies at most that. Remove build outputs and data files and submit again.`,
      );
    }
    try {
      await Deno.copyFile(from, to);
      const mode = (await Deno.stat(to)).mode ?? 0o644;
      await Deno.chmod(to, (mode & 0o777) | 0o600);
      copiedFiles++;
    } catch (error) {
      totalBytes -= size;
      await Deno.remove(to).catch(() => {});
      notes.push(`not copied: ${name} (cannot be read: ${(error as Error).message})`);
    }
  };

  const walk = async (from: string, to: string): Promise<void> => {
    let entries: Deno.DirEntry[];
    try {
      entries = await Array.fromAsync(Deno.readDir(from));
    } catch (error) {
      notes.push(`not copied: ${show(from)}/ (cannot be read: ${(error as Error).message})`);
      return;
    }
    entries.sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
    for (const entry of entries) {
      const source = join(from, entry.name);
      const target = join(to, entry.name);
      const name = show(source);
      if (NOT_COPIED.has(entry.name)) continue;
      if (++count > maxFiles) {
        throw new SubmissionError(
          `The submission ${src} holds more than ${maxFiles} files and folders; sockgrade copies at most that. Remove build outputs and dependencies (node_modules, venv) and submit again.`,
        );
      }
      let info: Deno.FileInfo;
      try {
        info = await Deno.lstat(source);
      } catch (error) {
        notes.push(`not copied: ${name} (cannot be read: ${(error as Error).message})`);
        continue;
      }
      if (info.isSymlink) {
        const link = await Deno.readLink(source).catch(() => "?");
        let real: string;
        try {
          real = await Deno.realPath(source);
        } catch {
          notes.push(`not followed: ${name} -> ${link} (the target does not exist)`);
          continue;
        }
        if (!inside(real)) {
          notes.push(`not followed: ${name} -> ${link} (points outside the submission)`);
          continue;
        }
        const targetInfo = await Deno.stat(real).catch(() => undefined);
        if (targetInfo?.isFile) {
          await copyFile(real, target, targetInfo.size, name);
        } else {
          notes.push(`not followed: ${name} -> ${link} (only links to files are copied)`);
        }
      } else if (info.isDirectory) {
        await Deno.mkdir(target, { mode: 0o700 });
        await walk(source, target);
        await Deno.chmod(target, ((info.mode ?? 0o755) & 0o777) | 0o700);
      } else if (info.isFile) {
        await copyFile(source, target, info.size, name);
      } else {
        notes.push(`not copied: ${name} (not a regular file: a FIFO, socket or device)`);
      }
    }
  };

  try {
    await walk(root, dir);
    if (copiedFiles === 0) {
      throw new SubmissionError(
        `The submission folder ${src} is empty (no files to grade). Check that the student's files were extracted into it.`,
      );
    }
  } catch (error) {
    await cleanup();
    throw error;
  }
  return { dir, notes, cleanup };
}

/** Removes a tree even where a student's build took away write or search permission. */
async function removeTree(dir: string): Promise<void> {
  try {
    await Deno.remove(dir, { recursive: true });
    return;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return;
  }
  await restorePermissions(dir);
  await Deno.remove(dir, { recursive: true }).catch((error) => {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  });
}

async function restorePermissions(dir: string): Promise<void> {
  await Deno.chmod(dir, 0o700).catch(() => {});
  const entries = await Array.fromAsync(Deno.readDir(dir)).catch(() => []);
  for (const entry of entries) {
    if (entry.isDirectory) await restorePermissions(join(dir, entry.name));
  }
}
