/**
 * Test helpers for the inputs folder: a raw zip writer that can produce archives no well-behaved
 * tool would (lying sizes, symlink attributes, hostile names) and a cheap zip-bomb payload.
 *
 * @module
 */

import { crc32 } from "node:zlib";

/** One entry of {@linkcode rawZip}; unset fields are filled in honestly. */
export interface RawEntry {
  /** The entry name, written as is. */
  name: string;
  /** The bytes stored for the entry (already deflated when `method` is 8). */
  data?: Uint8Array;
  /** 0 = stored (default), 8 = deflate. */
  method?: number;
  /** The declared uncompressed size (default: `data.length`, right for stored entries). */
  size?: number;
  /** The declared CRC-32 (default: that of `data`, right for stored entries). */
  crc?: number;
  /** "Version made by": the high byte is the host (3 = Unix). */
  madeBy?: number;
  /** External attributes: for Unix hosts the mode sits in the high 16 bits. */
  external?: number;
  /** General-purpose flags (bit 0 = encrypted). */
  flags?: number;
  /** Write the sizes in a ZIP64 extra field of the central directory, as some LMS tools do. */
  zip64?: boolean;
}

/** Builds a zip archive byte by byte from `entries`. */
export function rawZip(entries: RawEntry[]): Uint8Array {
  const enc = new TextEncoder();
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = enc.encode(e.name);
    const data = e.data ?? new Uint8Array();
    const size = e.size ?? data.length;
    const crc = e.crc ?? crc32(data);
    const local = new Uint8Array(30 + name.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(4, 20, true);
    lv.setUint16(6, (e.flags ?? 0) | 0x800, true);
    lv.setUint16(8, e.method ?? 0, true);
    lv.setUint32(14, crc, true);
    lv.setUint32(18, data.length, true);
    lv.setUint32(22, size, true);
    lv.setUint16(26, name.length, true);
    local.set(name, 30);
    const extra = new Uint8Array(e.zip64 ? 20 : 0);
    if (e.zip64) {
      const xv = new DataView(extra.buffer);
      xv.setUint16(0, 0x0001, true);
      xv.setUint16(2, 16, true);
      xv.setBigUint64(4, BigInt(size), true);
      xv.setBigUint64(12, BigInt(data.length), true);
    }
    const cd = new Uint8Array(46 + name.length + extra.length);
    const cv = new DataView(cd.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(4, e.madeBy ?? 20, true);
    cv.setUint16(6, 20, true);
    cv.setUint16(8, (e.flags ?? 0) | 0x800, true);
    cv.setUint16(10, e.method ?? 0, true);
    cv.setUint32(16, crc, true);
    cv.setUint32(20, e.zip64 ? 0xffffffff : data.length, true);
    cv.setUint32(24, e.zip64 ? 0xffffffff : size, true);
    cv.setUint16(28, name.length, true);
    cv.setUint16(30, extra.length, true);
    cv.setUint32(38, e.external ?? 0, true);
    cv.setUint32(42, offset, true);
    cd.set(name, 46);
    cd.set(extra, 46 + name.length);
    parts.push(local, data);
    central.push(cd);
    offset += local.length + data.length;
  }
  const cdSize = central.reduce((n, c) => n + c.length, 0);
  const eocd = new Uint8Array(22);
  const ev = new DataView(eocd.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, Math.min(entries.length, 0xffff), true);
  ev.setUint16(10, Math.min(entries.length, 0xffff), true);
  ev.setUint32(12, cdSize, true);
  ev.setUint32(16, offset, true);
  const all = [...parts, ...central, eocd];
  const out = new Uint8Array(all.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of all) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * A raw deflate stream that inflates to `size` zero bytes, built directly (one fixed-Huffman
 * block of length-258 back-references, about 160:1) so that a 200 MiB bomb costs ~1.3 MB and a
 * few milliseconds, without ever holding the zeros.
 */
export function zeroDeflate(size: number): Uint8Array {
  const out = new Uint8Array(Math.ceil((size / 258) * 13 / 8) + 300);
  let byte = 0;
  let bit = 0;
  const put = (value: number, bits: number) => {
    for (let i = 0; i < bits; i++) {
      if ((value >>> i) & 1) out[byte]! |= 1 << bit;
      if (++bit === 8) {
        bit = 0;
        byte++;
      }
    }
  };
  const code = (value: number, bits: number) => {
    let reversed = 0;
    for (let i = 0; i < bits; i++) reversed |= ((value >>> i) & 1) << (bits - 1 - i);
    put(reversed, bits);
  };
  put(1, 1);
  put(1, 2);
  let left = size;
  if (left > 0) {
    code(0x30, 8);
    left--;
  }
  while (left >= 258) {
    code(0xc5, 8);
    code(0, 5);
    left -= 258;
  }
  for (; left > 0; left--) code(0x30, 8);
  code(0, 7);
  return out.subarray(0, byte + (bit ? 1 : 0));
}
