/**
 * Turns the paths given on the command line into submission folders, one per student.
 *
 * Each argument is one of:
 *
 * - **a submission folder**: its own files include a program (see `detect.ts`), or its programs
 *   sit in one subfolder (`alice/src/server.c`), or in two subfolders named for the side each
 *   holds (`server/`, `tcp_client/`) → one submission, id = the folder's real name (`.` becomes the current
 *   folder's name);
 * - **a class folder**: its own files hold no program, and two or more of its subfolders do →
 *   one submission per visible subfolder (hidden folders, `__MACOSX`, `node_modules` and
 *   symlinks are skipped). A student folder with nothing recognisable is still listed, so the
 *   student gets 0 with reasons;
 * - **an LMS bulk download** (a `.zip`, or the folder it was unpacked into): Moodle folders or
 *   flat files and Canvas flat files are regrouped per student (see `lms.ts`); items that belong
 *   to no student are ignored with a note;
 * - **a `.zip`** (recognised by its signature, not its name): unpacked safely (see `unzip.ts`)
 *   into a temporary folder, then treated like a folder; a single-submission zip gets the zip's
 *   name without `.zip` as id.
 *
 * Folders that hold only one folder and nothing else are looked through (`class.zip` →
 * `class/alice/…`) for the decision; the id stays the outer name.
 *
 * A student folder whose tree has no program but which holds `.zip` files (a student who zipped
 * their work) has them unpacked, one level only, with the same limits; if such a nested zip is
 * refused, the student is still listed and a note says why. A refused top-level zip is a
 * {@linkcode UsageError}, as are a missing path, a file that is neither a folder nor a zip, and
 * an empty argument list. An explicit folder with nothing recognisable (even an empty one) is
 * still a submission, with a note, so that a glob over a class never aborts the run.
 *
 * Ids are unique (a clash gets `-2`, `-3`… in the order of the sources) and the result is
 * sorted by id.
 *
 * @example
 * ```ts
 * import { expandInputs } from "./expand.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.mkdir(`${dir}/alice`);
 * await Deno.writeTextFile(`${dir}/alice/server.py`, "");
 * const { submissions, cleanup } = await expandInputs([`${dir}/alice`]);
 * if (submissions[0]?.id !== "alice") throw new Error("unexpected id");
 * await cleanup();
 * await Deno.remove(dir, { recursive: true });
 * ```
 * @module
 */

import { basename, dirname, join, relative } from "node:path";
import { UsageError } from "../errors/usage_error.ts";
import { escapeControls } from "../text/bytes.ts";
import { isIgnoredName, type ProgramScan, programSide, scanPrograms } from "./detect.ts";
import { parseCanvasFile, parseMoodleFile, parseMoodleFolder } from "./lms.ts";
import { ArchiveError, DEFAULT_ZIP_LIMITS, unzipSafely, type ZipLimits } from "./unzip.ts";

/** One submission folder to grade. */
export interface InputSubmission {
  /** The student id, unique in the run. */
  id: string;
  /** The folder to grade (may be inside the temporary folder: valid until `cleanup()`). */
  path: string;
  /** Where it came from, for reports: the path given, or `class.zip!/alice` for archives. */
  source: string;
}

/** Options of {@linkcode expandInputs}. */
export interface ExpandOptions {
  /** Where to make the temporary folder for unpacked archives (default: the system's). */
  tempRoot?: string;
  /** Per-archive limits; unset fields keep {@linkcode DEFAULT_ZIP_LIMITS}. */
  limits?: Partial<ZipLimits>;
  /** Most bytes all archives of the run may unpack to together (default 2 GiB). */
  maxUnpackedBytes?: number;
}

/** The submissions found, remarks for the user, and how to remove the temporary files. */
export interface ExpandedInputs {
  /** The submissions, sorted by id. */
  submissions: InputSubmission[];
  /** One-line remarks worth showing (ignored files, renamed ids, unpacked student zips). */
  notes: string[];
  /** Removes the temporary folder (if one was made). Safe to call more than once. */
  cleanup(): Promise<void>;
}

/** The default bound on what all archives of one run may unpack to. */
export const DEFAULT_MAX_UNPACKED_BYTES = 2 * 1024 * 1024 * 1024;

/** Where a folder came from: an argument on disk, or an archive unpacked at `root`. */
interface Origin {
  root: string;
  label: string;
  archive: boolean;
}

interface Listing {
  files: string[];
  dirs: string[];
  symlinks: string[];
}

const UNWRAP_MAX_DEPTH = 5;

/**
 * Expands CLI paths into submission folders (see the module doc for the rules). Throws
 * {@linkcode UsageError} for user mistakes; on any error the temporary folder is removed.
 */
export async function expandInputs(
  paths: string[],
  opts: ExpandOptions = {},
): Promise<ExpandedInputs> {
  if (paths.length === 0) {
    throw new UsageError(
      "No submissions given. Pass submission folders, a class folder or an LMS .zip download.",
    );
  }
  const expander = new Expander(opts);
  try {
    for (const path of paths) await expander.argument(path);
    return {
      submissions: expander.finish(),
      notes: expander.notes.map(escapeControls),
      cleanup: () => expander.cleanup(),
    };
  } catch (error) {
    await expander.cleanup();
    throw error;
  }
}

class Expander {
  /** Remarks for the user; names in them come from folders and archives, so they are escaped. */
  readonly notes: string[] = [];
  readonly #found: InputSubmission[] = [];
  readonly #limits: ZipLimits;
  readonly #tempRoot: string | undefined;
  #budget: number;
  #tempDir: string | undefined;
  #scratchCount = 0;

  constructor(opts: ExpandOptions) {
    this.#limits = { ...DEFAULT_ZIP_LIMITS, ...opts.limits };
    this.#tempRoot = opts.tempRoot;
    this.#budget = opts.maxUnpackedBytes ?? DEFAULT_MAX_UNPACKED_BYTES;
  }

  async argument(path: string): Promise<void> {
    let info: Deno.FileInfo;
    try {
      info = await Deno.stat(path);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) {
        throw new UsageError(`${path}: no such file or folder. Check the path and run again.`);
      }
      if (error instanceof Deno.errors.PermissionDenied) {
        throw new UsageError(`${path}: permission denied. Make it readable and run again.`);
      }
      throw error;
    }
    const real = await Deno.realPath(path);
    const name = basename(real);
    if (info.isDirectory && isSystemFolder(real)) {
      // A student's "folder" that is a link to `/` or `/usr`: never scanned nor graded.
      const id = basename(path) || "input";
      this.notes.push(
        `${path}: it is ${real}, a system folder, not a submission; ${id} is listed and will fail its checks.`,
      );
      this.#found.push({ id, path: await this.#scratch(id), source: path });
      return;
    }
    if (info.isDirectory) {
      await this.#folder(path, name, { root: path, label: path, archive: false });
    } else if (info.isFile && await isZip(path)) {
      await this.#zip(path, name.replace(/\.zip$/i, ""));
    } else if (info.isFile && /\.zip$/i.test(name)) {
      throw new UsageError(
        `${path}: the file is named .zip but is not a zip archive. Download it again or unpack it yourself and pass the folder.`,
      );
    } else {
      throw new UsageError(
        `${path}: not a folder or a .zip archive. Pass a submission folder, a class folder or an LMS .zip download.`,
      );
    }
  }

  async #zip(zipPath: string, id: string): Promise<void> {
    const dest = await this.#scratch(id);
    try {
      const { bytes } = await unzipSafely(zipPath, dest, this.#archiveLimits(), zipPath);
      this.#budget -= bytes;
    } catch (error) {
      if (error instanceof ArchiveError) throw new UsageError(error.message);
      throw error;
    }
    await this.#folder(dest, id, { root: dest, label: zipPath, archive: true });
  }

  /** Decides what a folder is and records its submissions. */
  async #folder(dir: string, id: string, origin: Origin): Promise<void> {
    const label = describe(origin, dir);
    let inner: string;
    let listing: Listing;
    try {
      inner = await unwrap(dir);
      listing = await list(inner);
    } catch (error) {
      this.notes.push(
        `${label}: cannot be read (${
          (error as Error).message
        }); ${id} is listed and will fail its checks.`,
      );
      this.#found.push({ id, path: dir, source: label });
      return;
    }
    if (
      listing.dirs.some((d) => parseMoodleFolder(d)) ||
      listing.files.some((f) => parseMoodleFile(f))
    ) {
      return await this.#moodle(inner, listing, origin);
    }
    const canvas = listing.files.filter((f) => parseCanvasFile(f));
    if (
      canvas.length > 0 &&
      listing.files.every((f) => programSide(f) === null || parseCanvasFile(f))
    ) {
      return await this.#canvas(inner, listing, origin);
    }
    if (listing.files.some((f) => programSide(f) !== null)) {
      return await this.#submission(id, dir, label, origin);
    }
    const scans = new Map<string, ProgramScan>();
    for (const d of listing.dirs) scans.set(d, await scanPrograms(join(inner, d)));
    const withPrograms = [...scans].filter(([, s]) => s.server || s.client);
    const splitSides = withPrograms.length === 2 &&
      withPrograms.every(([name, s]) =>
        s.server !== s.client && name.toLowerCase().includes(s.server ? "server" : "client")
      );
    if (withPrograms.length < 2 || splitSides) {
      return await this.#submission(id, dir, label, origin);
    }
    for (const skipped of listing.symlinks) {
      this.notes.push(`${label}: skipped ${skipped}, a symbolic link, not a student folder.`);
    }
    for (const d of listing.dirs) {
      const path = join(inner, d);
      await this.#submission(d, path, describe(origin, path), origin, scans.get(d));
    }
  }

  /** Records one student's folder, unpacking their zipped work if that is all there is. */
  async #submission(
    id: string,
    path: string,
    source: string,
    origin: Origin,
    known?: ProgramScan,
  ): Promise<void> {
    const scan = known ?? await scanPrograms(path);
    if (scan.unreadable > 0) {
      this.notes.push(
        `${id}: ${scan.unreadable} folder${scan.unreadable > 1 ? "s" : ""} cannot be read and ${
          scan.unreadable > 1 ? "were" : "was"
        } skipped (${scan.unreadableWhy}).`,
      );
    }
    if (scan.server || scan.client) {
      this.#found.push({ id, path, source });
      return;
    }
    if (scan.zips.length > 0) {
      const dest = await this.#scratch(id);
      let unpacked = 0;
      for (const zip of scan.zips) {
        const name = basename(zip).replace(/\.zip$/i, "") || "zip";
        const into = join(dest, name);
        await Deno.mkdir(into, { recursive: true });
        try {
          const { bytes } = await unzipSafely(
            zip,
            into,
            this.#archiveLimits(),
            describe(origin, zip),
          );
          this.#budget -= bytes;
          unpacked++;
          this.notes.push(`${id}: unpacked ${basename(zip)}, the student's zipped work.`);
        } catch (error) {
          if (!(error instanceof ArchiveError)) throw error;
          this.notes.push(`${error.message}; ${id} is graded without it.`);
        }
      }
      if (unpacked > 0) {
        this.#found.push({ id, path: dest, source });
        return;
      }
    }
    const what = scan.files === 0 ? "it is empty" : `none of its ${scan.files} files is one`;
    this.notes.push(
      `${id}: found no server or client program (${what}); it is listed and will fail its checks.`,
    );
    this.#found.push({ id, path, source });
  }

  /** Moodle: folders (or flat files) named `<name>_<participant>_assignsubmission_<plugin>_`. */
  async #moodle(dir: string, listing: Listing, origin: Origin): Promise<void> {
    const folders = new Map<string, { name: string; plugin: string }[]>();
    const flat = new Map<string, { name: string; file: string }[]>();
    const stray: string[] = [...listing.symlinks];
    for (const name of listing.dirs) {
      const m = parseMoodleFolder(name);
      if (m) push(folders, m.id, { name, plugin: m.plugin });
      else stray.push(name + "/");
    }
    for (const name of listing.files) {
      const m = parseMoodleFile(name);
      if (m) push(flat, m.id, { name, file: m.file });
      else stray.push(name);
    }
    this.#noteStray(origin, dir, stray);
    const ids = [...new Set([...folders.keys(), ...flat.keys()])].sort();
    for (const id of ids) {
      const files = flat.get(id);
      if (files) {
        const dest = await this.#scratch(id);
        for (const { name, file } of files) await this.#place(origin, join(dir, name), dest, file);
        const source = describe(origin, join(dir, `${id}_assignsubmission_*`));
        await this.#submission(id, dest, source, origin);
        continue;
      }
      const candidates = folders.get(id)!;
      const chosen = candidates.find((c) => c.plugin === "file") ?? candidates[0]!;
      const path = join(dir, chosen.name);
      await this.#submission(id, path, describe(origin, path), origin);
    }
  }

  /** Canvas: flat files `<name>_[LATE_]<user>_<attachment>_<file>`, grouped per student. */
  async #canvas(dir: string, listing: Listing, origin: Origin): Promise<void> {
    const students = new Map<string, { name: string; file: string; attachment: number }[]>();
    const late = new Set<string>();
    const stray: string[] = [...listing.symlinks, ...listing.dirs.map((d) => d + "/")];
    for (const name of listing.files) {
      const m = parseCanvasFile(name);
      if (!m) {
        stray.push(name);
        continue;
      }
      push(students, m.id, { name, file: m.file, attachment: m.attachment });
      if (m.late) late.add(m.id);
    }
    this.#noteStray(origin, dir, stray);
    for (const id of [...students.keys()].sort()) {
      const files = students.get(id)!.sort((a, b) => a.attachment - b.attachment);
      const byFile = new Map(files.map((f) => [f.file, f]));
      if (byFile.size < files.length) {
        this.notes.push(`${id}: uploaded the same file name more than once; kept the latest.`);
      }
      if (late.has(id)) this.notes.push(`${id}: Canvas marked the submission late.`);
      const dest = await this.#scratch(id);
      for (const f of byFile.values()) await this.#place(origin, join(dir, f.name), dest, f.file);
      await this.#submission(id, dest, describe(origin, join(dir, `${id}_*`)), origin);
    }
  }

  #noteStray(origin: Origin, dir: string, stray: string[]): void {
    if (stray.length === 0) return;
    const shown = stray.sort().slice(0, 5).join(", ") + (stray.length > 5 ? ", …" : "");
    this.notes.push(
      `${describe(origin, dir)}: ignored ${stray.length} item${
        stray.length > 1 ? "s" : ""
      } that belong to no student: ${shown}.`,
    );
  }

  /** Moves (inside our own temporary folder) or copies (from the user's disk) one file. */
  async #place(origin: Origin, from: string, dest: string, file: string): Promise<void> {
    const to = join(dest, file);
    if (origin.archive) await Deno.rename(from, to);
    else await Deno.copyFile(from, to);
  }

  /** A new empty folder inside the run's temporary folder. */
  async #scratch(name: string): Promise<string> {
    this.#tempDir ??= await Deno.makeTempDir({ dir: this.#tempRoot, prefix: "sockgrade-inputs-" });
    const safe = name.replace(/[^A-Za-z0-9._-]+/g, "_").replace(/^\.+/, "").slice(0, 60);
    const path = join(this.#tempDir, `${++this.#scratchCount}-${safe || "input"}`);
    await Deno.mkdir(path);
    return path;
  }

  #archiveLimits(): ZipLimits {
    return {
      ...this.#limits,
      maxTotalBytes: Math.max(0, Math.min(this.#limits.maxTotalBytes, this.#budget)),
    };
  }

  /** Makes ids unique and sorts by id. */
  finish(): InputSubmission[] {
    const sorted = [...this.#found].sort((a, b) =>
      compare(a.id, b.id) || compare(a.source, b.source)
    );
    const taken = new Set(sorted.map((s) => s.id));
    const used = new Set<string>();
    for (const s of sorted) {
      if (!used.has(s.id)) {
        used.add(s.id);
        continue;
      }
      let n = 2;
      while (taken.has(`${s.id}-${n}`) || used.has(`${s.id}-${n}`)) n++;
      const unique = `${s.id}-${n}`;
      this.notes.push(`${s.source}: another submission is also named ${s.id}; it is ${unique}.`);
      s.id = unique;
      used.add(unique);
    }
    return sorted.sort((a, b) => compare(a.id, b.id));
  }

  async cleanup(): Promise<void> {
    const dir = this.#tempDir;
    this.#tempDir = undefined;
    if (dir) await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

/** The system's own folders right under `/`: never a submission or a class. */
const SYSTEM_FOLDERS = new Set(
  ["bin", "boot", "dev", "etc", "lib", "lib32", "lib64", "proc", "root", "run", "sbin", "sys"]
    .concat(["usr", "var"]),
);

/** Whether a real path is `/` or one of the system's own folders right under it. */
function isSystemFolder(real: string): boolean {
  return real === "/" || (dirname(real) === "/" && SYSTEM_FOLDERS.has(basename(real)));
}

/** Looks through folders that hold exactly one visible folder and nothing else. */
async function unwrap(dir: string): Promise<string> {
  let current = dir;
  for (let i = 0; i < UNWRAP_MAX_DEPTH; i++) {
    const { files, dirs, symlinks } = await list(current);
    if (files.length > 0 || symlinks.length > 0 || dirs.length !== 1) break;
    current = join(current, dirs[0]!);
  }
  return current;
}

/** The visible entries of a folder, sorted, symlinks apart (never followed). */
async function list(dir: string): Promise<Listing> {
  const listing: Listing = { files: [], dirs: [], symlinks: [] };
  for await (const entry of Deno.readDir(dir)) {
    if (isIgnoredName(entry.name)) continue;
    if (entry.isSymlink) listing.symlinks.push(entry.name);
    else if (entry.isDirectory) listing.dirs.push(entry.name);
    else if (entry.isFile) listing.files.push(entry.name);
  }
  listing.files.sort(compare);
  listing.dirs.sort(compare);
  listing.symlinks.sort(compare);
  return listing;
}

/** Whether a file starts with a zip signature (a local header, or the end record of an empty zip). */
async function isZip(path: string): Promise<boolean> {
  using file = await Deno.open(path);
  const head = new Uint8Array(4);
  let got = 0;
  while (got < 4) {
    const n = await file.read(head.subarray(got));
    if (n === null) break;
    got += n;
  }
  return got === 4 && head[0] === 0x50 && head[1] === 0x4b &&
    ((head[2] === 3 && head[3] === 4) || (head[2] === 5 && head[3] === 6));
}

function describe(origin: Origin, path: string): string {
  if (!origin.archive) return path;
  const rel = relative(origin.root, path);
  return rel ? `${origin.label}!/${rel}` : origin.label;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
