/**
 * Unpacks a zip archive from an untrusted source (an LMS bulk download, a student's own zip) into
 * a fresh folder, refusing anything that could escape it or exhaust the machine.
 *
 * The central directory is read by hand (fflate's readers do not expose the external attributes
 * that mark symlinks, nor let us bound the output of one entry), and every entry is checked
 * before a single byte is inflated:
 *
 * - names: no `..` segment, no absolute path, no drive letter, no backslash, no NUL, no
 *   duplicates, no entry that is both a file and a folder;
 * - kinds: symlinks, devices and FIFOs (Unix mode in the external attributes) are refused;
 * - encryption and compression methods other than stored (0) and deflate (8) are refused;
 * - size: the entry count, the sum of declared uncompressed sizes, and the compression ratio of
 *   every large entry are bounded ({@linkcode ZipLimits});
 * - layout: entries must lie inside the file and must not overlap (a classic zip-bomb trick).
 *
 * While inflating, the real output of every entry is counted chunk by chunk and may not exceed
 * its declared size (a header that lies is caught after at most one small chunk), and its CRC-32
 * must match. Files are written with mode 0644, folders 0755; nothing is ever created outside the
 * destination. `__MACOSX/` entries are checked but not written.
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

import { Inflate } from "fflate";
import { dirname, join, resolve, sep } from "node:path";

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
    super(`${label}: ${reason}; refusing to unpack this archive`);
    this.reason = reason;
  }
}

/** What an unpacked archive held. */
export interface UnzipSummary {
  /** Regular files written. */
  files: number;
  /** Bytes written. */
  bytes: number;
}

/** One central-directory record, after validation. */
interface Entry {
  name: string;
  rawName: Uint8Array;
  /** Path segments after dropping empty and `.` segments. */
  segments: string[];
  isDir: boolean;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_EOCD = 0x06054b50;
const SIG_EOCD64 = 0x06064b50;
const SIG_EOCD64_LOCATOR = 0x07064b50;
const MAX16 = 0xffff;
const MAX32 = 0xffffffff;
const INFLATE_CHUNK = 4096;
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
  const fail = (reason: string): never => {
    throw new ArchiveError(label, reason);
  };
  const { size: fileSize } = await Deno.stat(zipPath);
  if (fileSize > limits.maxArchiveBytes) {
    fail(`the file is ${mib(fileSize)}, more than the ${mib(limits.maxArchiveBytes)} accepted`);
  }
  const zip = await Deno.readFile(zipPath);
  const entries = readCentralDirectory(zip, limits, fail);
  const root = resolve(dest);
  let files = 0;
  let bytes = 0;
  for (const entry of entries) {
    if (entry.segments[0] === "__MACOSX") continue;
    const target = join(root, ...entry.segments);
    if (target !== root && !target.startsWith(root + sep)) {
      fail(`entry ${entry.name} escapes the folder`);
    }
    if (entry.isDir) {
      await Deno.mkdir(target, { recursive: true, mode: 0o755 });
      continue;
    }
    await Deno.mkdir(dirname(target), { recursive: true, mode: 0o755 });
    const data = entryData(zip, entry, fail);
    const file = await Deno.open(target, { write: true, createNew: true, mode: 0o644 });
    try {
      bytes += await writeEntry(data, entry, file, fail);
    } finally {
      file.close();
    }
    files++;
  }
  return { files, bytes };
}

/** Reads and validates the whole central directory; nothing is inflated here. */
function readCentralDirectory(
  zip: Uint8Array,
  limits: Readonly<ZipLimits>,
  fail: (reason: string) => never,
): Entry[] {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const eocd = findEocd(zip, view);
  if (eocd < 0) fail("it is not a zip archive (no end-of-central-directory record)");
  if (view.getUint16(eocd + 4, true) !== 0 || view.getUint16(eocd + 6, true) !== 0) {
    fail("it is a multi-part (spanned) archive");
  }
  let count = view.getUint16(eocd + 10, true);
  let cdSize = view.getUint32(eocd + 12, true);
  let cdOffset = view.getUint32(eocd + 16, true);
  if (count === MAX16 || cdSize === MAX32 || cdOffset === MAX32) {
    const locator = eocd - 20;
    if (locator < 0 || view.getUint32(locator, true) !== SIG_EOCD64_LOCATOR) {
      fail("its ZIP64 end record is missing");
    }
    const at = u64(view, locator + 8, fail);
    if (at + 56 > zip.length || view.getUint32(at, true) !== SIG_EOCD64) {
      fail("its ZIP64 end record is damaged");
    }
    count = u64(view, at + 32, fail);
    cdSize = u64(view, at + 40, fail);
    cdOffset = u64(view, at + 48, fail);
  }
  if (count > limits.maxEntries) {
    fail(`it holds ${count} entries, more than the ${limits.maxEntries} accepted`);
  }
  if (cdOffset + cdSize > zip.length) fail("its central directory lies outside the file");

  const entries: Entry[] = [];
  const seen = new Set<string>();
  const dirs = new Set<string>();
  let total = 0;
  let p = cdOffset;
  for (let i = 0; i < count; i++) {
    if (p + 46 > zip.length || view.getUint32(p, true) !== SIG_CENTRAL) {
      fail("its central directory is damaged");
    }
    const madeBy = view.getUint16(p + 4, true);
    const flags = view.getUint16(p + 8, true);
    const method = view.getUint16(p + 10, true);
    const crc = view.getUint32(p + 16, true);
    let compressedSize = view.getUint32(p + 20, true);
    let size = view.getUint32(p + 24, true);
    const nameLen = view.getUint16(p + 28, true);
    const extraLen = view.getUint16(p + 30, true);
    const commentLen = view.getUint16(p + 32, true);
    const external = view.getUint32(p + 38, true);
    let localOffset = view.getUint32(p + 42, true);
    const end = p + 46 + nameLen + extraLen + commentLen;
    if (end > zip.length) fail("its central directory is damaged");
    const rawName = zip.subarray(p + 46, p + 46 + nameLen);
    const name = decodeName(rawName, (flags & 0x800) !== 0);
    const extra = zip.subarray(p + 46 + nameLen, p + 46 + nameLen + extraLen);
    if (size === MAX32 || compressedSize === MAX32 || localOffset === MAX32) {
      const z64 = zip64Extra(extra, fail);
      let q = 0;
      const next = () => {
        if (q + 8 > z64.byteLength) fail(`entry ${name} has a damaged ZIP64 field`);
        const v = u64(z64, q, fail);
        q += 8;
        return v;
      };
      if (size === MAX32) size = next();
      if (compressedSize === MAX32) compressedSize = next();
      if (localOffset === MAX32) localOffset = next();
    }
    p = end;

    const segments = checkName(name, fail);
    const isDir = name.endsWith("/");
    const mode = external >>> 16;
    const host = madeBy >>> 8;
    const kind = mode & S_IFMT;
    if (kind === S_IFLNK) fail(`entry ${name} is a symbolic link`);
    if (host === 3 || host === 19) {
      if (kind !== 0 && kind !== S_IFREG && kind !== S_IFDIR) {
        fail(`entry ${name} is a special file (mode ${kind.toString(8)})`);
      }
    }
    if (flags & 0x1) fail(`entry ${name} is encrypted`);
    if (method !== 0 && method !== 8) {
      fail(`entry ${name} uses compression method ${method}; only stored and deflate are read`);
    }
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
    entries.push({
      name,
      rawName,
      segments,
      isDir,
      method,
      crc,
      compressedSize,
      size,
      localOffset,
    });
  }
  for (const e of entries) {
    if (!e.isDir && dirs.has(e.segments.join("/"))) {
      fail(`entry ${e.name} is both a file and a folder`);
    }
  }
  const files = entries.filter((e) => !e.isDir).sort((a, b) => a.localOffset - b.localOffset);
  for (let i = 0; i + 1 < files.length; i++) {
    const a = files[i]!;
    if (a.localOffset + 30 + a.compressedSize > files[i + 1]!.localOffset) {
      fail(`entries ${a.name} and ${files[i + 1]!.name} overlap`);
    }
  }
  return entries;
}

/** Validates an entry name and returns its meaningful segments. */
function checkName(name: string, fail: (reason: string) => never): string[] {
  if (name.includes("\0")) fail(`entry ${JSON.stringify(name)} has a NUL byte in its name`);
  if (name.includes("\\")) fail(`entry ${name} uses backslashes in its path`);
  if (name.startsWith("/")) fail(`entry ${name} has an absolute path`);
  if (/^[A-Za-z]:/.test(name)) fail(`entry ${name} starts with a drive letter`);
  const segments = name.split("/").filter((s) => s !== "" && s !== ".");
  if (segments.includes("..")) fail(`entry ${name} escapes the folder`);
  if (segments.length > 64 || name.length > 4096) fail(`entry ${name} has too deep a path`);
  return segments;
}

/** The compressed bytes of an entry, located through (and checked against) its local header. */
function entryData(zip: Uint8Array, e: Entry, fail: (reason: string) => never): Uint8Array {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const p = e.localOffset;
  if (p + 30 > zip.length || view.getUint32(p, true) !== SIG_LOCAL) {
    fail(`entry ${e.name} has a damaged local header`);
  }
  const nameLen = view.getUint16(p + 26, true);
  const extraLen = view.getUint16(p + 28, true);
  const local = zip.subarray(p + 30, p + 30 + nameLen);
  if (local.length !== e.rawName.length || local.some((b, i) => b !== e.rawName[i])) {
    fail(`entry ${e.name} has a different name in its local header`);
  }
  const start = p + 30 + nameLen + extraLen;
  if (start + e.compressedSize > zip.length) fail(`entry ${e.name} lies outside the file`);
  return zip.subarray(start, start + e.compressedSize);
}

/** Inflates one entry into `file`, never producing more than its declared size. */
async function writeEntry(
  data: Uint8Array,
  e: Entry,
  file: Deno.FsFile,
  fail: (reason: string) => never,
): Promise<number> {
  let written = 0;
  let crc = 0xffffffff;
  const take = async (chunk: Uint8Array) => {
    written += chunk.length;
    if (written > e.size) {
      fail(`entry ${e.name} inflates to more than its declared ${e.size} bytes`);
    }
    crc = crc32Update(crc, chunk);
    for (let off = 0; off < chunk.length;) off += await file.write(chunk.subarray(off));
  };
  if (e.method === 0) {
    await take(data);
  } else {
    let pending: Uint8Array[] = [];
    let pendingBytes = 0;
    const inflater = new Inflate((chunk) => {
      pending.push(chunk);
      pendingBytes += chunk.length;
    });
    for (let off = 0; off < data.length || off === 0; off += INFLATE_CHUNK) {
      const last = off + INFLATE_CHUNK >= data.length;
      try {
        inflater.push(data.subarray(off, off + INFLATE_CHUNK), last);
      } catch (error) {
        fail(`entry ${e.name} is corrupt (${(error as Error).message})`);
      }
      if (written + pendingBytes > e.size) {
        fail(`entry ${e.name} inflates to more than its declared ${e.size} bytes`);
      }
      for (const chunk of pending) await take(chunk);
      pending = [];
      pendingBytes = 0;
      if (last) break;
    }
  }
  if (written !== e.size) fail(`entry ${e.name} is truncated (${written} of ${e.size} bytes)`);
  if ((crc ^ 0xffffffff) >>> 0 !== e.crc) fail(`entry ${e.name} is corrupt (CRC mismatch)`);
  return written;
}

function findEocd(zip: Uint8Array, view: DataView): number {
  const stop = Math.max(0, zip.length - 22 - MAX16);
  for (let p = zip.length - 22; p >= stop; p--) {
    if (
      view.getUint32(p, true) === SIG_EOCD && p + 22 + view.getUint16(p + 20, true) <= zip.length
    ) {
      return p;
    }
  }
  return -1;
}

function zip64Extra(extra: Uint8Array, fail: (reason: string) => never): DataView {
  const view = new DataView(extra.buffer, extra.byteOffset, extra.byteLength);
  for (let p = 0; p + 4 <= extra.length;) {
    const id = view.getUint16(p, true);
    const len = view.getUint16(p + 2, true);
    if (id === 0x0001) {
      return new DataView(
        extra.buffer,
        extra.byteOffset + p + 4,
        Math.min(len, extra.length - p - 4),
      );
    }
    p += 4 + len;
  }
  return fail("an entry lacks its ZIP64 size field");
}

function u64(view: DataView, at: number, fail: (reason: string) => never): number {
  if (at < 0 || at + 8 > view.byteLength) fail("a ZIP64 field lies outside the file");
  const value = view.getBigUint64(at, true);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) fail("a ZIP64 size is impossibly large");
  return Number(value);
}

const utf8 = new TextDecoder("utf-8", { fatal: true });
const latin = new TextDecoder("windows-1252");

/** Decodes a name: UTF-8 when flagged or valid, else Windows-1252 (close to CP437 for ASCII). */
function decodeName(raw: Uint8Array, flaggedUtf8: boolean): string {
  try {
    return utf8.decode(raw);
  } catch {
    return flaggedUtf8 ? new TextDecoder().decode(raw) : latin.decode(raw);
  }
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** The CRC-32 (as in zip and gzip) of `data`. */
export function crc32(data: Uint8Array): number {
  return (crc32Update(0xffffffff, data) ^ 0xffffffff) >>> 0;
}

function crc32Update(crc: number, data: Uint8Array): number {
  let c = crc;
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return c >>> 0;
}

function mib(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round(bytes / 1024 / 1024)} MiB` : `${bytes} bytes`;
}
