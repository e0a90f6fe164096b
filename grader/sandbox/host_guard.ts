/**
 * The host-network guard, used only where the socket interposer (`sandbox/interpose/`) is not
 * available (not Linux, or no C compiler) and programs would run on host loopback unmapped: a
 * submission whose code names a non-loopback IP address (for example the article's
 * 192.168.100.168) would not behave there as in the private namespace, so its run checks are
 * `error` (not charged), never `skip`. Comments are ignored: only source files are read (C, C++,
 * Java, TypeScript/JavaScript, Python, Makefiles, shell scripts, `submission.json`), with their
 * comments removed; string constants still count, as the guard cannot know whether a string
 * reaches a socket call. Where the interposer runs, it is the mechanism and this guard is unused.
 *
 * @example
 * ```ts
 * import { foreignAddresses, withoutComments } from "./host_guard.ts";
 * const code = 'connect("192.168.100.168", 6666); // not 10.0.0.1\nbind("127.0.0.1");';
 * const found = foreignAddresses(withoutComments(code, "c"));
 * if (found.join() !== "192.168.100.168") throw new Error(found.join());
 * ```
 * @module
 */

import { isIPv4, isIPv6 } from "node:net";
import { basename, extname, join, relative } from "node:path";

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

/** How a source file writes comments. */
export type CommentStyle = "c" | "hash" | "none";

/** The comment style of a file by its name, or `undefined` when it is not a source file. */
export function commentStyle(path: string): CommentStyle | undefined {
  const name = basename(path);
  const ext = extname(name).toLowerCase();
  if (name === "submission.json") return "none";
  if (/^(GNU)?makefile$/i.test(name) || ext === ".mk" || ext === ".sh") return "hash";
  if (ext === ".py") return "hash";
  if ([".c", ".h", ".cc", ".cpp", ".cxx", ".hpp", ".hh", ".java"].includes(ext)) return "c";
  if ([".ts", ".js", ".mjs", ".cjs", ".mts", ".tsx", ".jsx"].includes(ext)) return "c";
  return undefined;
}

/**
 * The text with its comments replaced by spaces (string and character literals kept): `//` and
 * `/* … *\/` for the `c` style, `#` to the end of the line for `hash`.
 */
export function withoutComments(text: string, style: CommentStyle): string {
  if (style === "none") return text;
  let out = "";
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    const next = text[i + 1];
    if (ch === '"' || ch === "'" || (ch === "`" && style === "c")) {
      const triple = style === "hash" && text.startsWith(ch.repeat(3), i);
      const close = triple ? ch.repeat(3) : ch;
      let j = i + close.length;
      while (j < text.length && !text.startsWith(close, j)) {
        if (text[j] === "\\") j++;
        else if (!triple && text[j] === "\n" && ch !== "`") break;
        j++;
      }
      const end = Math.min(text.length, j + close.length);
      out += text.slice(i, end);
      i = end;
    } else if ((style === "c" && ch === "/" && next === "/") || (style === "hash" && ch === "#")) {
      const end = text.indexOf("\n", i);
      i = end < 0 ? text.length : end;
      out += " ";
    } else if (style === "c" && ch === "/" && next === "*") {
      const end = text.indexOf("*/", i + 2);
      i = end < 0 ? text.length : end + 2;
      out += " ";
    } else {
      out += ch;
      i++;
    }
  }
  return out;
}

/** One file's foreign addresses. */
export interface ForeignAddressUse {
  /** The file, relative to the submission folder. */
  file: string;
  /** The addresses it names outside comments. */
  addresses: string[];
}

/**
 * Scans the source files under `dir` (not following links, skipping files over `maxBytes`) and
 * returns those that name non-loopback addresses outside comments.
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
        continue;
      }
      const style = entry.isFile ? commentStyle(path) : undefined;
      if (!style) continue;
      const info = await Deno.stat(path);
      if (info.size > maxBytes) continue;
      const text = new TextDecoder().decode(await Deno.readFile(path));
      const addresses = foreignAddresses(withoutComments(text, style));
      if (addresses.length > 0) uses.push({ file: relative(dir, path), addresses });
    }
  };
  await walk(dir);
  return uses.sort((a, b) => a.file.localeCompare(b.file));
}
