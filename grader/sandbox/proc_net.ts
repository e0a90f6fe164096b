/**
 * The one reader of this network namespace's socket tables: `/proc/net/tcp`, `tcp6`, `udp`, `udp6`
 * and `unix`. Pure parsers for each format (tested on captured text), one IPv6 formatter
 * (RFC 5952, IPv4-mapped addresses as `::ffff:a.b.c.d`), and readers that also tell which
 * sockets some processes hold (by the inodes behind `/proc/<pid>/fd`).
 *
 * Readiness (is a server listening or bound?), "has the server read what the probe sent?" and
 * "is a TIME_WAIT holding the port?" are all answered from these rows, without touching the
 * student's sockets.
 *
 * @example
 * ```ts
 * import { readInetSockets, TCP_STATE } from "./proc_net.ts";
 * using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * const rows = await readInetSockets(["tcp"]) ?? [];
 * const mine = rows.find((r) => r.local === `127.0.0.1:${listener.addr.port}`);
 * if (mine?.state !== TCP_STATE.LISTEN) throw new Error("not listed");
 * ```
 * @module
 */

/** The IP socket tables under `/proc/net`. */
export type InetTable = "tcp" | "tcp6" | "udp" | "udp6";

/** The kernel's socket states as the IP tables number them (UDP uses CLOSE and ESTABLISHED). */
export const TCP_STATE = Object.freeze({
  ESTABLISHED: 1,
  TIME_WAIT: 6,
  CLOSE: 7,
  CLOSE_WAIT: 8,
  LAST_ACK: 9,
  LISTEN: 10,
});

/** One row of an IP socket table. */
export interface InetSocket {
  /** The table it was read from. */
  table: InetTable;
  /** The local address (RFC 5952 for IPv6; IPv4-mapped as `::ffff:a.b.c.d`). */
  localAddress: string;
  /** The local port (0: not bound). */
  localPort: number;
  /** The remote address (`0.0.0.0` or `::` when not connected). */
  remoteAddress: string;
  /** The remote port (0 when not connected). */
  remotePort: number;
  /** The local endpoint as {@linkcode formatAddress} writes it, e.g. `127.0.0.1:6666`, `[::1]:6666`. */
  local: string;
  /** The remote endpoint, written the same way. */
  remote: string;
  /** The kernel's state number (see {@linkcode TCP_STATE}). */
  state: number;
  /** Bytes queued to send (TCP: not yet acknowledged). */
  txQueue: number;
  /** Bytes received but not yet read by the program. */
  rxQueue: number;
  /** The socket's inode, to tell which process holds it. */
  inode: string;
}

/** A Unix-domain socket's type as `/proc/net/unix` gives it. */
export type UnixSocketType = "stream" | "dgram" | "seqpacket";

/** One row of `/proc/net/unix`. */
export interface UnixSocket {
  /** Its type. */
  type: UnixSocketType;
  /** The path it is bound to, as the program gave it (`""` when unbound, `@…` when abstract). */
  path: string;
  /** Whether it is a listening stream socket (`listen()` was called). */
  listening: boolean;
  /** The state: 1 unconnected, 2 connecting, 3 connected, 4 disconnecting. */
  state: number;
  /** The socket's inode, to tell which process holds it. */
  inode: string;
}

/**
 * The RFC 5952 text of a 16-byte IPv6 address: lowercase, the longest run of two or more zero
 * groups (the first of equal runs) written `::`, and IPv4-mapped addresses as `::ffff:a.b.c.d`.
 *
 * @example
 * ```ts
 * import { formatIPv6 } from "./proc_net.ts";
 * const mapped = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255, 255, 127, 0, 0, 1];
 * if (formatIPv6(mapped) !== "::ffff:127.0.0.1") throw new Error(formatIPv6(mapped));
 * ```
 */
export function formatIPv6(bytes: ArrayLike<number>): string {
  if (bytes.length !== 16) {
    throw new RangeError(`An IPv6 address has 16 bytes, not ${bytes.length}.`);
  }
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(bytes[i]! * 256 + bytes[i + 1]!);
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return `::ffff:${Array.from(bytes).slice(12).join(".")}`;
  }
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLength).join(":")}`;
}

/**
 * Decodes an address as the IP tables print it: 8 or 32 hex digits, each 32-bit word in host
 * (little-endian) byte order.
 */
export function decodeProcAddress(hex: string): string {
  if (!/^(?:[0-9A-Fa-f]{8}){1}$|^(?:[0-9A-Fa-f]{8}){4}$/.test(hex)) {
    throw new SyntaxError(`"${hex}" is not an address from /proc/net/tcp or udp.`);
  }
  const bytes: number[] = [];
  for (let word = 0; word < hex.length; word += 8) {
    const chunk = hex.slice(word, word + 8);
    for (let i = 6; i >= 0; i -= 2) bytes.push(parseInt(chunk.slice(i, i + 2), 16));
  }
  return bytes.length === 4 ? bytes.join(".") : formatIPv6(bytes);
}

/** `::ffff:1.2.3.4` → `1.2.3.4` (how a dual-stack socket's IPv4 peer is meant); others unchanged. */
export function unmapAddress(address: string): string {
  return address.toLowerCase().startsWith("::ffff:") && address.includes(".")
    ? address.slice(7)
    : address;
}

/** `address:port`, IPv4-mapped addresses unmapped and IPv6 addresses in brackets. */
export function formatAddress(address: string, port: number): string {
  const a = unmapAddress(address);
  return a.includes(":") ? `[${a}]:${port}` : `${a}:${port}`;
}

function parseEndpoint(field: string): { address: string; port: number } | undefined {
  const [hex, portHex] = field.split(":");
  if (!hex || !portHex || !/^[0-9A-Fa-f]{1,4}$/.test(portHex)) return undefined;
  try {
    return { address: decodeProcAddress(hex), port: parseInt(portHex, 16) };
  } catch {
    return undefined;
  }
}

/** Parses the text of `/proc/net/{tcp,tcp6,udp,udp6}`; lines that do not parse are skipped. */
export function parseInetTable(text: string, table: InetTable): InetSocket[] {
  const rows: InetSocket[] = [];
  for (const line of text.split("\n").slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10) continue;
    const local = parseEndpoint(f[1]!);
    const remote = parseEndpoint(f[2]!);
    const [tx, rx] = f[4]!.split(":");
    if (!local || !remote || tx === undefined || rx === undefined) continue;
    rows.push({
      table,
      localAddress: local.address,
      localPort: local.port,
      remoteAddress: remote.address,
      remotePort: remote.port,
      local: formatAddress(local.address, local.port),
      remote: formatAddress(remote.address, remote.port),
      state: parseInt(f[3]!, 16),
      txQueue: parseInt(tx, 16),
      rxQueue: parseInt(rx, 16),
      inode: f[9]!,
    });
  }
  return rows;
}

const UNIX_TYPES: Record<number, UnixSocketType> = { 1: "stream", 2: "dgram", 5: "seqpacket" };
/** `__SO_ACCEPTCON` in the Flags column: the socket is listening. */
const ACCEPTING = 0x10000;
const UNIX_ROW =
  /^\s*[0-9a-fA-F]+:\s+[0-9A-F]+\s+[0-9A-F]+\s+([0-9A-F]+)\s+([0-9A-F]+)\s+([0-9A-F]+)\s+(\d+)(?: (.*))?$/;

/** Parses the text of `/proc/net/unix` (a path may contain spaces: it is the rest of the line). */
export function parseUnixTable(text: string): UnixSocket[] {
  const rows: UnixSocket[] = [];
  for (const line of text.split("\n").slice(1)) {
    const m = UNIX_ROW.exec(line);
    const type = m && UNIX_TYPES[parseInt(m[2]!, 16)];
    if (!m || !type) continue;
    rows.push({
      type,
      path: m[5] ?? "",
      listening: (parseInt(m[1]!, 16) & ACCEPTING) !== 0,
      state: parseInt(m[3]!, 16),
      inode: m[4]!,
    });
  }
  return rows;
}

async function readTable(name: string): Promise<string | undefined> {
  try {
    return await Deno.readTextFile(`/proc/net/${name}`);
  } catch {
    // Missing (e.g. IPv6 disabled) or not readable: the other tables still count.
    return undefined;
  }
}

/**
 * Reads the given IP tables of this network namespace; `undefined` when none could be read (no
 * /proc). A table that is missing (IPv6 disabled) adds no rows.
 */
export async function readInetSockets(
  tables: readonly InetTable[],
): Promise<InetSocket[] | undefined> {
  const texts = await Promise.all(tables.map(readTable));
  if (texts.every((t) => t === undefined)) return undefined;
  return texts.flatMap((text, i) => text === undefined ? [] : parseInetTable(text, tables[i]!));
}

/** Reads this network namespace's Unix-domain sockets; `undefined` when /proc/net/unix is unreadable. */
export async function readUnixSockets(): Promise<UnixSocket[] | undefined> {
  const text = await readTable("unix");
  return text === undefined ? undefined : parseUnixTable(text);
}

/** Inodes of the sockets the given processes hold open (processes already gone are skipped). */
export function socketInodes(pids: readonly number[]): Set<string> {
  const inodes = new Set<string>();
  for (const pid of pids) {
    let entries: Deno.DirEntry[];
    try {
      entries = [...Deno.readDirSync(`/proc/${pid}/fd`)];
    } catch {
      continue; // the process is gone
    }
    for (const entry of entries) {
      try {
        const match = /^socket:\[(\d+)\]$/.exec(Deno.readLinkSync(`/proc/${pid}/fd/${entry.name}`));
        if (match) inodes.add(match[1]!);
      } catch {
        // the descriptor was closed meanwhile
      }
    }
  }
  return inodes;
}
