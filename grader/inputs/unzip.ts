/**
 * Unpacks a zip archive from an untrusted source (an LMS bulk download, a student's own zip) into
 * a fresh folder, refusing anything that could escape it or exhaust the machine.
 *
 * [yauzl](https://github.com/thejoshwolfe/yauzl) reads the archive: it finds the end record
 * (ZIP64 included), walks the central directory one entry at a time, locates each entry's data
 * through its local header, keeps every read inside the file, and inflates. Every entry of the
 * central directory is checked here before a single byte is inflated:
 *
 * - names: no `..` segment, no absolute path, no drive letter, no backslash, no NUL, no
 *   duplicates, no entry that is both a file and a folder;
 * - kinds: symlinks, devices and FIFOs (Unix mode in the external attributes) are refused;
 * - encryption and compression methods other than stored (0) and deflate (8) are refused;
 * - size: the entry count, the sum of declared uncompressed sizes, and the compression ratio of
 *   every large entry are bounded ({@linkcode ZipLimits});
 * - layout: file entries must not overlap (a classic zip-bomb trick), and the local header must
 *   name the same file as the central directory.
 *
 * While inflating, the real output of every entry is counted chunk by chunk and may not exceed
 * its declared size nor the archive's budget (a header that lies is caught after one chunk), and
 * its CRC-32 must match (yauzl leaves that to its callers). Files are written with mode 0644,
 * folders 0755; nothing is ever created outside the destination. `__MACOSX/` entries are checked
 * but not written.
 *
 * @example
 * ```ts
 * import { zipSync } from "fflate";
 * import { unzipSafely } from "./unzip.ts";
 * const zipPath = await Deno.makeTempFile({ suffix: ".zip" });
 * await Deno.writeFile(zipPath, zipSync({ "alice/server.c": new TextEncoder().encode("int main;") }));
 * const dest = await Deno.makeTempDir();
 * const { files } = await unzipSafely(zipPath, dest);
 * if (files !== 1) throw new Error("expected one file");
 * await Deno.remove(dest, { recursive: true });
 * await Deno.remove(zipPath);
 * ```
 * @module
 */

// @ts-types="@types/yauzl"
import yauzl, { type Entry, type ZipFile } from "yauzl";
import { Buffer } from "node:buffer";
import { dirname, join, resolve, sep } from "node:path";
import type { Readable } from "node:stream";
import { crc32 } from "node:zlib";
import { escapeControls } from "../text/bytes.ts";

/** Bounds applied to one archive. */
export interface ZipLimits {
  /** Most entries (files and folders) an archive may hold. */
  maxEntries: number;
  /** Most bytes all entries together may inflate to. */
  maxTotalBytes: number;
  /** Largest archive file accepted, in bytes. */
  maxArchiveBytes: number;
  /** Highest uncompressed/compressed ratio allowed for an entry of `ratioFloorBytes` or more. */
  maxRatio: number;
  /** Entries smaller than this are not ratio-checked (small text compresses very well). */
  ratioFloorBytes: number;
}

/** The limits used unless a caller passes others. */
export const DEFAULT_ZIP_LIMITS: Readonly<ZipLimits> = Object.freeze({
  maxEntries: 10_000,
  maxTotalBytes: 512 * 1024 * 1024,
  maxArchiveBytes: 512 * 1024 * 1024,
  maxRatio: 100,
  ratioFloorBytes: 1024 * 1024,
});

/**
 * An archive that was refused or could not be read. `reason` is the bare cause ("entry ../x
 * escapes the folder"); `message` adds the archive's label and "refusing to unpack this archive".
 */
export class ArchiveError extends Error {
  override name = "ArchiveError";
  /** The bare cause, without the archive's name. */
  readonly reason: string;
  /** Builds the error for the archive called `label`. */
  constructor(label: string, reason: string) {
    // Entry names come from the archive: shown escaped, as everything on a terminal.
    super(escapeControls(`${label}: ${reason}; refusing to unpack this archive`));
    this.reason = escapeControls(reason);
  }
}

/** What an unpacked archive held. */
export interface UnzipSummary {
  /** Regular files written. */
  files: number;
  /** Bytes written. */
  bytes: number;
}

/** A central-directory entry that passed every check. */
interface Checked {
  entry: Entry;
  name: string;
  /** Path segments after dropping empty and `.` segments. */
  segments: string[];
  isDir: boolean;
}

type Fail = (reason: string) => never;

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;

/**
 * Unpacks `zipPath` into the existing folder `dest` under `limits`. `label` names the archive in
 * error messages (default: `zipPath`). Throws {@linkcode ArchiveError} for a refused or unreadable
 * archive; what was already written stays in `dest` for the caller to remove.
 */
export async function unzipSafely(
  zipPath: string,
  dest: string,
  limits: Readonly<ZipLimits> = DEFAULT_ZIP_LIMITS,
  label: string = zipPath,
): Promise<UnzipSummary> {
  const fail: Fail = (reason) => {
    throw new ArchiveError(label, reason);
  };
  const { size: fileSize } = await Deno.stat(zipPath);
  if (fileSize > limits.maxArchiveBytes) {
    fail(`the file is ${mib(fileSize)}, more than the ${mib(limits.maxArchiveBytes)} accepted`);
  }
  const data = await Deno.readFile(zipPath);
  const zip = await yauzl.fromBufferPromise(
    Buffer.from(data.buffer, data.byteOffset, data.byteLength),
    // Names and sizes are checked below, where a refusal can name its entry: yauzl's own checks
    // reject an entry before handing it over (so the message could not say which one), and would
    // report a stored encrypted entry as a size mismatch rather than as encrypted.
    { lazyEntries: true, decodeStrings: false, validateEntrySizes: false },
  ).catch((error) => fail(openProblem(error)));
  try {
    const entries = await readCentralDirectory(zip, limits, fail);
    const root = resolve(dest);
    let files = 0;
    let bytes = 0;
    for (const checked of entries) {
      const { name, segments } = checked;
      if (segments[0] === "__MACOSX") continue;
      const target = join(root, ...segments);
      if (target !== root && !target.startsWith(root + sep)) {
        fail(`entry ${name} escapes the folder`);
      }
      if (checked.isDir) {
        await Deno.mkdir(target, { recursive: true, mode: 0o755 });
        continue;
      }
      await Deno.mkdir(dirname(target), { recursive: true, mode: 0o755 });
      const header = await zip.readLocalFileHeaderPromise(checked.entry)
        .catch((error) => fail(`entry ${name} ${dataProblem(error)}`));
      if (!header.fileName.equals(checked.entry.fileNameRaw)) {
        fail(`entry ${name} has a different name in its local header`);
      }
      const file = await Deno.open(target, { write: true, createNew: true, mode: 0o644 });
      try {
        bytes += await writeEntry(zip, checked, file, limits.maxTotalBytes - bytes, limits, fail);
      } finally {
        file.close();
      }
      files++;
    }
    return { files, bytes };
  } finally {
    zip.close();
  }
}

/** Reads and checks the whole central directory; nothing is inflated here. */
async function readCentralDirectory(
  zip: ZipFile,
  limits: Readonly<ZipLimits>,
  fail: Fail,
): Promise<Checked[]> {
  if (zip.entryCount > limits.maxEntries) {
    fail(`it holds ${zip.entryCount} entries, more than the ${limits.maxEntries} accepted`);
  }
  const entries: Checked[] = [];
  const seen = new Set<string>();
  const dirs = new Set<string>();
  let total = 0;
  const reader = zip.eachEntry();
  for (let index = 1;; index++) {
    const next = await reader.next().catch((error) => fail(entryProblem(error, index)));
    if (next.done) break;
    const entry = next.value;
    const name = entryName(entry);
    const segments = checkName(name, fail);
    const isDir = name.endsWith("/");
    const kind = (entry.externalFileAttributes >>> 16) & S_IFMT;
    const host = entry.versionMadeBy >>> 8;
    if (kind === S_IFLNK) fail(`entry ${name} is a symbolic link`);
    if (host === 3 || host === 19) {
      if (kind !== 0 && kind !== S_IFREG && kind !== S_IFDIR) {
        fail(`entry ${name} is a special file (mode ${kind.toString(8)})`);
      }
    }
    if (entry.isEncrypted()) fail(`entry ${name} is encrypted`);
    const method = entry.compressionMethod;
    if (method !== 0 && method !== 8) {
      fail(`entry ${name} uses compression method ${method}; only stored and deflate are read`);
    }
    const size = entry.uncompressedSize;
    const compressedSize = entry.compressedSize;
    if (method === 0 && compressedSize !== size) fail(`entry ${name} has inconsistent sizes`);
    if (isDir && size !== 0) fail(`folder entry ${name} has content`);
    if (size >= limits.ratioFloorBytes && size > compressedSize * limits.maxRatio) {
      fail(
        `entry ${name} would inflate ${
          Math.round(size / Math.max(compressedSize, 1))
        } times its compressed size (${mib(size)}), which looks like a zip bomb`,
      );
    }
    total += size;
    if (total > limits.maxTotalBytes) {
      fail(`its entries inflate to more than the ${mib(limits.maxTotalBytes)} accepted`);
    }
    const key = segments.join("/");
    if (key === "") {
      if (isDir) continue;
      fail(`entry ${JSON.stringify(name)} has no file name`);
    }
    if (seen.has(key) && !(isDir && dirs.has(key))) fail(`entry ${name} appears twice`);
    seen.add(key);
    for (let j = 1; j <= (isDir ? segments.length : segments.length - 1); j++) {
      dirs.add(segments.slice(0, j).join("/"));
    }
    entries.push({ entry, name, segments, isDir });
  }
  for (const e of entries) {
    if (!e.isDir && dirs.has(e.segments.join("/"))) {
      fail(`entry ${e.name} is both a file and a folder`);
    }
  }
  const files = entries.filter((e) => !e.isDir).map(({ entry, name }) => ({
    name,
    at: entry.relativeOffsetOfLocalHeader,
    end: entry.relativeOffsetOfLocalHeader + 30 + entry.compressedSize,
  })).sort((a, b) => a.at - b.at);
  for (let i = 0; i + 1 < files.length; i++) {
    const [a, b] = [files[i]!, files[i + 1]!];
    if (a.end > b.at) fail(`entries ${a.name} and ${b.name} overlap`);
  }
  return entries;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Decodes an entry name: valid UTF-8 is taken as such even when unflagged (many tools forget the
 * flag); otherwise yauzl decides (the UTF-8 flag, Info-ZIP's Unicode path field, else CP437).
 */
function entryName(entry: Entry): string {
  const flags = entry.generalPurposeBitFlag;
  if ((flags & 0x800) === 0 && !entry.extraFields.some((f) => f.id === 0x7075)) {
    try {
      return utf8.decode(entry.fileNameRaw);
    } catch {
      // Not UTF-8: fall through to CP437, as the format says.
    }
  }
  return yauzl.getFileNameLowLevel(flags, entry.fileNameRaw, entry.extraFields, true);
}

/** Validates an entry name and returns its meaningful segments. */
function checkName(name: string, fail: Fail): string[] {
  if (name.includes("\0")) fail(`entry ${JSON.stringify(name)} has a NUL byte in its name`);
  if (name.includes("\\")) fail(`entry ${name} uses backslashes in its path`);
  if (name.startsWith("/")) fail(`entry ${name} has an absolute path`);
  if (/^[A-Za-z]:/.test(name)) fail(`entry ${name} starts with a drive letter`);
  const segments = name.split("/").filter((s) => s !== "" && s !== ".");
  if (segments.includes("..")) fail(`entry ${name} escapes the folder`);
  if (segments.length > 64 || name.length > 4096) fail(`entry ${name} has too deep a path`);
  const problem = yauzl.validateFileName(name);
  if (problem !== null) fail(`entry ${name} has an unsafe name (${problem})`);
  return segments;
}

/** Inflates one entry into `file`, never producing more than its declared size or `room`. */
async function writeEntry(
  zip: ZipFile,
  { entry, name }: Checked,
  file: Deno.FsFile,
  room: number,
  limits: Readonly<ZipLimits>,
  fail: Fail,
): Promise<number> {
  const declared = entry.uncompressedSize;
  const stream = await openStream(zip, entry).catch((error) =>
    fail(`entry ${name} ${dataProblem(error)}`)
  );
  const chunks: AsyncIterator<Uint8Array> = stream[Symbol.asyncIterator]();
  let written = 0;
  let crc = 0;
  try {
    for (;;) {
      const next = await chunks.next()
        .catch((error) => fail(`entry ${name} is corrupt (${messageOf(error)})`));
      if (next.done) break;
      const chunk = next.value;
      written += chunk.length;
      if (written > declared) {
        fail(`entry ${name} inflates to more than its declared ${declared} bytes`);
      }
      if (written > room) {
        fail(`its entries inflate to more than the ${mib(limits.maxTotalBytes)} accepted`);
      }
      crc = crc32(chunk, crc);
      for (let off = 0; off < chunk.length;) off += await file.write(chunk.subarray(off));
    }
  } finally {
    stream.destroy();
  }
  if (written !== declared) fail(`entry ${name} is truncated (${written} of ${declared} bytes)`);
  if (crc !== entry.crc32) fail(`entry ${name} is corrupt (CRC mismatch)`);
  return written;
}

/**
 * yauzl's `openReadStream`, with an error listener attached at once: the inflater may fail before
 * the caller starts reading (the failure still reaches the caller's iterator), and an error after
 * the caller has stopped reading must not become an uncaught exception.
 */
function openStream(zip: ZipFile, entry: Entry): Promise<Readable> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (error, stream) => {
      if (error) return reject(error);
      stream.on("error", () => {});
      resolve(stream);
    });
  });
}

/** Why yauzl could not open the archive at all. */
function openProblem(error: unknown): string {
  const message = messageOf(error);
  if (/signature not found/i.test(message)) {
    return "it is not a zip archive (no end-of-central-directory record)";
  }
  if (/multi-disk/i.test(message)) return "it is a multi-part (spanned) archive";
  return `it is not a readable zip archive (${message})`;
}

/** Why yauzl could not read entry number `index` (1-based) of the central directory. */
function entryProblem(error: unknown, index: number): string {
  const message = messageOf(error);
  if (/strong encryption/i.test(message)) return `entry number ${index} is encrypted`;
  return `its central directory is damaged at entry number ${index} (${message})`;
}

/** Why yauzl could not locate an entry's data: the rest of a sentence about that entry. */
function dataProblem(error: unknown): string {
  const message = messageOf(error);
  if (/overflows file bounds/i.test(message)) return "lies outside the file";
  if (/local file header/i.test(message)) return "has a damaged local header";
  return `could not be read (${message})`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function mib(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round(bytes / 1024 / 1024)} MiB` : `${bytes} bytes`;
}
