/**
 * The host-network guard: a submission whose code names a non-loopback IP address (for example
 * the article's 192.168.100.168) must never run on the host's network, only inside the private
 * namespace. This scans a submission's text files for IPv4 and IPv6 literals and reports the ones
 * that are neither loopback (127.0.0.0/8, ::1) nor unspecified (0.0.0.0, ::).
 *
 * @example
 * ```ts
 * import { foreignAddresses } from "./host_guard.ts";
 * const found = foreignAddresses('connect("192.168.100.168", 6666); bind("127.0.0.1")');
 * if (found.join() !== "192.168.100.168") throw new Error(found.join());
 * ```
 * @module
 */

import { isIPv4, isIPv6 } from "node:net";
import { join, relative } from "node:path";

const IPV4 = /(?<![\d.])(\d{1,3}(?:\.\d{1,3}){3})(?![\d.])/g;
const IPV6 =
  /(?<![\w:.])((?:[0-9a-fA-F]{0,4}:){2,7}(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9a-fA-F]{0,4}))(?![\w:.])/g;

/** True for addresses the host network may carry: loopback and the unspecified address. */
export function isHostSafe(address: string): boolean {
  if (isIPv4(address)) return address.startsWith("127.") || address === "0.0.0.0";
  const lower = address.toLowerCase();
  return lower === "::1" || lower === "::" || /^::ffff:127\./.test(lower);
}

/** The distinct non-loopback IP literals in a text, in order of appearance. */
export function foreignAddresses(text: string): string[] {
  const found = new Set<string>();
  for (const m of text.matchAll(IPV4)) {
    if (isIPv4(m[1]!) && !isHostSafe(m[1]!)) found.add(m[1]!);
  }
  for (const m of text.matchAll(IPV6)) {
    if (isIPv6(m[1]!) && !isHostSafe(m[1]!)) found.add(m[1]!);
  }
  return [...found];
}

/** One file's foreign addresses. */
export interface ForeignAddressUse {
  /** The file, relative to the submission folder. */
  file: string;
  /** The addresses it names. */
  addresses: string[];
}

/**
 * Scans every regular file under `dir` (not following links, skipping files over `maxBytes`)
 * and returns the files that name non-loopback addresses.
 */
export async function scanForForeignAddresses(
  dir: string,
  maxBytes = 2 * 1024 * 1024,
): Promise<ForeignAddressUse[]> {
  const uses: ForeignAddressUse[] = [];
  const walk = async (folder: string): Promise<void> => {
    for await (const entry of Deno.readDir(folder)) {
      const path = join(folder, entry.name);
      if (entry.isDirectory) {
        await walk(path);
      } else if (entry.isFile) {
        const info = await Deno.stat(path);
        if (info.size > maxBytes) continue;
        const text = new TextDecoder().decode(await Deno.readFile(path));
        const addresses = foreignAddresses(text);
        if (addresses.length > 0) uses.push({ file: relative(dir, path), addresses });
      }
    }
  };
  await walk(dir);
  return uses.sort((a, b) => a.file.localeCompare(b.file));
}
