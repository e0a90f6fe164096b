/**
 * The socket interposer (`sockmap.c`, an `LD_PRELOAD` library) that gives programs on host
 * loopback the private namespace's view of the network: the spec's addresses and port are mapped
 * to the lane's loopback addresses and port and back, and anything that would leave the machine
 * is refused with `ENETUNREACH` and logged (see the C file's header).
 *
 * {@linkcode prepareInterposer} compiles the library with `cc` on first use into the grader's
 * private cache folder (named by the source's hash, so a changed source is compiled again and an
 * unchanged one never), then copies it into a temporary folder of the run that programs can read;
 * {@linkcode interposerEnv} is what each program gets in its environment, and
 * {@linkcode readRefusals} reads back what was refused. {@linkcode uncoveredReason} says when a
 * program cannot be covered (a statically linked program, a Go program).
 *
 * @example
 * ```ts
 * import { interposerEnv } from "./mod.ts";
 * const env = interposerEnv("/tmp/x/sockmap.so", {
 *   spec: { serverAddress: "192.168.100.168", clientAddress: "192.168.100.2", strangerAddress: "192.168.100.3", port: 6666 },
 *   lane: { serverAddress: "127.100.1.1", clientAddress: "127.100.1.2", strangerAddress: "127.100.1.3", port: 40000 },
 * }, "/tmp/x/net.log", "server");
 * if (env.SOCKGRADE_NET_PORT !== "6666=40000") throw new Error(env.SOCKGRADE_NET_PORT);
 * ```
 * @module
 */

import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { exposeReadOnly } from "../filesystem.ts";
import { which } from "../_which.ts";

const SOURCE = new URL("./sockmap.c", import.meta.url);
const LIBRARY = "sockmap.so";

/** Where the spec's addresses go: the spec's side and the lane's side of the mapping. */
export interface AddressMapping {
  /** What programs are told and may hard-code (the spec's addresses and port). */
  spec: Addresses;
  /** What is really used on host loopback (the lane's addresses and port). */
  lane: Addresses;
}

/** A server, allowed client and stranger address, and the port. */
export interface Addresses {
  /** The server address. */
  serverAddress: string;
  /** The allowed client address. */
  clientAddress: string;
  /** The stranger address. */
  strangerAddress: string;
  /** The port. */
  port: number;
}

/** The library ready for a run, or why there is none. */
export type Interposer =
  | { ok: true; library: string; close: () => Promise<void> }
  | { ok: false; reason: string };

/** The first lines of `text`, at most `max` characters. */
function head(text: string, max = 400): string {
  const t = text.trim();
  return t.length > max ? `${t.slice(0, max)}…` : t;
}

/** Compiles `sockmap.c` into `cacheDir` unless it is there already; returns the library's path. */
async function compiled(cacheDir: string, source: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", source));
  const hash = Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
  const target = join(cacheDir, `sockmap-${hash.slice(0, 24)}.so`);
  try {
    if ((await Deno.stat(target)).isFile) return target;
  } catch {
    // not compiled yet
  }
  const cc = which("cc") ?? which("gcc");
  if (!cc) throw new Error("no C compiler (cc) was found; install gcc");
  await Deno.mkdir(cacheDir, { recursive: true, mode: 0o700 });
  const work = await Deno.makeTempDir({ dir: cacheDir, prefix: ".sockmap-" });
  try {
    const src = join(work, "sockmap.c");
    await Deno.writeFile(src, source);
    const out = join(work, LIBRARY);
    const run = await new Deno.Command(cc, {
      args: ["-shared", "-fPIC", "-O2", "-Wall", "-o", out, src, "-ldl", "-lpthread"],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!run.success) {
      throw new Error(`cc failed: ${head(new TextDecoder().decode(run.stderr))}`);
    }
    // A rename is atomic: a run compiling at the same time finds either nothing or the library.
    await Deno.rename(out, target);
    return target;
  } finally {
    await Deno.remove(work, { recursive: true }).catch(() => {});
  }
}

/**
 * Makes the interposer ready for a run: compiled (or found) in `cacheDir`, then copied into a
 * temporary folder every program may read, which {@linkcode Interposer} `close` removes. Linux
 * only; elsewhere, or when it cannot be compiled, the reason.
 */
export async function prepareInterposer(cacheDir: string): Promise<Interposer> {
  if (Deno.build.os !== "linux") {
    return {
      ok: false,
      reason: `the socket interposer works on Linux only (this is ${Deno.build.os})`,
    };
  }
  let built: string;
  try {
    built = await compiled(cacheDir, await Deno.readFile(SOURCE));
  } catch (error) {
    return {
      ok: false,
      reason: `the socket interposer could not be compiled (${(error as Error).message})`,
    };
  }
  const dir = await Deno.makeTempDir({ prefix: "sockgrade-interposer-" });
  await Deno.chmod(dir, 0o755);
  const library = join(dir, LIBRARY);
  await Deno.copyFile(built, library);
  await Deno.chmod(library, 0o644);
  exposeReadOnly([dir]);
  return {
    ok: true,
    library,
    close: () => Deno.remove(dir, { recursive: true }).catch(() => {}),
  };
}

/** The path of the interposer's C source (for messages and tests). */
export const INTERPOSER_SOURCE: string = fileURLToPath(SOURCE);

/** The environment that makes a program use the interposer with `mapping`. */
export function interposerEnv(
  library: string,
  mapping: AddressMapping,
  logFile: string,
  role: "server" | "client",
): Record<string, string> {
  const { spec, lane } = mapping;
  return {
    LD_PRELOAD: library,
    SOCKGRADE_NET_SERVER: `${spec.serverAddress}=${lane.serverAddress}`,
    SOCKGRADE_NET_CLIENT: `${spec.clientAddress}=${lane.clientAddress}`,
    SOCKGRADE_NET_STRANGER: `${spec.strangerAddress}=${lane.strangerAddress}`,
    SOCKGRADE_NET_PORT: `${spec.port}=${lane.port}`,
    SOCKGRADE_NET_LOG: logFile,
    SOCKGRADE_NET_ROLE: role,
  };
}

/** One thing the interposer refused. */
export interface Refusal {
  /** Which program (`server`, `client`). */
  role: string;
  /** `connect`, `sendto`, `sendmsg`, `bind` or `lookup`. */
  call: string;
  /** The address and port (or the name looked up), as the program gave it. */
  target: string;
}

/** How much of the log is read at most (a program can write to it). */
const LOG_CAP = 64 * 1024;

/**
 * The refusals logged in `logFile` from byte `from` on, and where the log ends now. A program
 * can write to the file too: lines are only ever shown as data, never trusted.
 */
export async function readRefusals(
  logFile: string,
  from = 0,
): Promise<{ refusals: Refusal[]; end: number }> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(logFile, { read: true });
  } catch {
    return { refusals: [], end: from };
  }
  try {
    const size = (await file.stat()).size;
    if (size <= from) return { refusals: [], end: size };
    await file.seek(from, Deno.SeekMode.Start);
    const buf = new Uint8Array(Math.min(size - from, LOG_CAP));
    let got = 0;
    while (got < buf.length) {
      const n = await file.read(buf.subarray(got));
      if (n === null) break;
      got += n;
    }
    const refusals = new TextDecoder().decode(buf.subarray(0, got)).split("\n")
      .map((line) => line.split("\t"))
      .filter((parts) => parts.length === 3)
      .map(([role, call, target]) => ({
        role: printable(role!, 16),
        call: printable(call!, 16),
        target: printable(target!, 120),
      }));
    return { refusals, end: size };
  } finally {
    file.close();
  }
}

/** `text` without control characters, at most `max` characters. */
function printable(text: string, max: number): string {
  // deno-lint-ignore no-control-regex
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f]/g, "?");
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

/** What `uncoveredReason` reads of a program's file at most (a Go binary's build info is early). */
const SCAN_BYTES = 8 * 1024 * 1024;

/**
 * Why the interposer cannot cover the executable at `path`, or `undefined` when it can (a
 * dynamically linked ELF program, or anything that is not ELF: a script's interpreter is checked
 * by the caller). A statically linked program (no `PT_INTERP`) or a Go program (its own system
 * calls) does not go through the C library's socket functions.
 */
export async function uncoveredReason(path: string): Promise<string | undefined> {
  let bytes: Uint8Array;
  try {
    using file = await Deno.open(path, { read: true });
    const buf = new Uint8Array(SCAN_BYTES);
    let got = 0;
    while (got < buf.length) {
      const n = await file.read(buf.subarray(got));
      if (n === null) break;
      got += n;
    }
    bytes = buf.subarray(0, got);
  } catch {
    return undefined;
  }
  if (bytes.length < 64 || bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c) {
    return undefined;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const is64 = bytes[4] === 2;
  const little = bytes[5] === 1;
  const phoff = is64 ? Number(view.getBigUint64(0x20, little)) : view.getUint32(0x1c, little);
  const phentsize = view.getUint16(is64 ? 0x36 : 0x2a, little);
  const phnum = view.getUint16(is64 ? 0x38 : 0x2c, little);
  let interp = false;
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * phentsize;
    if (at + 4 > bytes.length) break;
    if (view.getUint32(at, little) === 3) interp = true; // PT_INTERP
  }
  if (!interp) {
    return `${
      path.split("/").pop()
    } is statically linked, so sockgrade cannot map its socket calls`;
  }
  const goMagic = new Uint8Array([0xff, ...new TextEncoder().encode(" Go buildinf:")]);
  if (indexOf(bytes, goMagic) >= 0) {
    return `${path.split("/").pop()} is a Go program, which makes its socket system calls itself`;
  }
  return undefined;
}

/** The first index of `needle` in `hay`, or -1. */
function indexOf(hay: Uint8Array, needle: Uint8Array): number {
  const first = needle[0]!;
  for (let i = hay.indexOf(first); i >= 0 && i + needle.length <= hay.length;) {
    let j = 1;
    while (j < needle.length && hay[i + j] === needle[j]) j++;
    if (j === needle.length) return i;
    i = hay.indexOf(first, i + 1);
  }
  return -1;
}
