/**
 * Which TCP ports are listening, read from /proc/net/tcp and /proc/net/tcp6 of our network
 * namespace, optionally only the sockets some processes hold.
 *
 * Readiness without a connection: a one-shot server is not used up by the probe, and the port a
 * server really listens on can be reported.
 *
 * @example
 * ```ts
 * import { listeningPorts } from "./ports.ts";
 * using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * const ports = await listeningPorts({ pids: [Deno.pid] });
 * if (!ports.some((p) => p.port === listener.addr.port)) throw new Error("not found");
 * ```
 * @module
 */

/** A listening TCP socket. */
export interface ListeningSocket {
  /** The local address: dotted IPv4 or compressed IPv6 (e.g. `0.0.0.0`, `::`, `127.0.0.1`). */
  address: string;
  /** The local port. */
  port: number;
}

/** Processes whose sockets count: a list, or a function called at each look (a growing tree). */
export type PidSource = readonly number[] | (() => readonly number[]);

const LISTEN = "0A";

/**
 * Decodes an address as /proc/net/tcp{,6} prints it: 8 or 32 hex digits, each 32-bit word in
 * host (little-endian) byte order.
 */
export function decodeProcAddress(hex: string): string {
  if (!/^(?:[0-9A-Fa-f]{8}){1}$|^(?:[0-9A-Fa-f]{8}){4}$/.test(hex)) {
    throw new SyntaxError(`"${hex}" is not an address from /proc/net/tcp.`);
  }
  const bytes: number[] = [];
  for (let word = 0; word < hex.length; word += 8) {
    const chunk = hex.slice(word, word + 8);
    for (let i = 6; i >= 0; i -= 2) bytes.push(parseInt(chunk.slice(i, i + 2), 16));
  }
  return bytes.length === 4 ? bytes.join(".") : formatIPv6(bytes);
}

/** RFC 5952 text form of 16 bytes; IPv4-mapped addresses end in dotted form. */
function formatIPv6(bytes: number[]): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(bytes[i]! * 256 + bytes[i + 1]!);
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return `::ffff:${bytes.slice(12).join(".")}`;
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
  const head = hex.slice(0, bestStart).join(":");
  const tail = hex.slice(bestStart + bestLength).join(":");
  return `${head}::${tail}`;
}

/** Parses the text of /proc/net/tcp or tcp6 into listening sockets with their inodes. */
export function parseProcNetTcp(text: string): (ListeningSocket & { inode: string })[] {
  const out: (ListeningSocket & { inode: string })[] = [];
  for (const line of text.split("\n").slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 10 || fields[3] !== LISTEN) continue;
    const [addressHex, portHex] = fields[1]!.split(":");
    if (!addressHex || !portHex) continue;
    out.push({
      address: decodeProcAddress(addressHex),
      port: parseInt(portHex, 16),
      inode: fields[9]!,
    });
  }
  return out;
}

/** Inodes of the sockets the given processes hold open (processes already gone are skipped). */
function socketInodes(pids: readonly number[]): Set<string> {
  const inodes = new Set<string>();
  for (const pid of pids) {
    let entries: Iterable<Deno.DirEntry>;
    try {
      entries = Deno.readDirSync(`/proc/${pid}/fd`);
      for (const entry of entries) {
        try {
          const target = Deno.readLinkSync(`/proc/${pid}/fd/${entry.name}`);
          const match = /^socket:\[(\d+)\]$/.exec(target);
          if (match) inodes.add(match[1]!);
        } catch {
          // the descriptor was closed meanwhile
        }
      }
    } catch {
      // the process is gone
    }
  }
  return inodes;
}

async function readIfExists(path: string): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return "";
    throw error;
  }
}

/**
 * Lists listening TCP sockets (IPv4 and IPv6) of this network namespace, or only those held by
 * `pids` when given.
 */
export async function listeningPorts(
  opts: { pids?: PidSource } = {},
): Promise<ListeningSocket[]> {
  const [tcp, tcp6] = await Promise.all([
    readIfExists("/proc/net/tcp"),
    readIfExists("/proc/net/tcp6"),
  ]);
  let sockets = [...parseProcNetTcp(tcp), ...parseProcNetTcp(tcp6)];
  if (opts.pids !== undefined) {
    const pids = typeof opts.pids === "function" ? opts.pids() : opts.pids;
    const inodes = socketInodes(pids);
    sockets = sockets.filter((socket) => inodes.has(socket.inode));
  }
  return sockets.map(({ address, port }) => ({ address, port }));
}

/**
 * Polls (every few ms, until `timeoutMs`) for a listening socket held by `pids` (any process when
 * undefined) and on `port` (any port when undefined). When pids and port are both given, a socket
 * of those pids on another port is returned too, but one on `port` is preferred. Resolves with
 * undefined on timeout or when `exited` settles first.
 */
export async function waitForListening(
  pids: PidSource | undefined,
  port: number | undefined,
  timeoutMs: number,
  exited?: Promise<unknown>,
  intervalMs = 4,
): Promise<ListeningSocket | undefined> {
  const deadline = performance.now() + timeoutMs;
  let gone = false;
  exited?.then(() => gone = true, () => gone = true);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let wake: () => void = () => {};
  exited?.then(() => wake(), () => wake());
  try {
    for (;;) {
      if (gone) return undefined;
      const sockets = await listeningPorts(pids === undefined ? {} : { pids });
      const exact = sockets.find((socket) => socket.port === port);
      if (exact) return exact;
      if (pids !== undefined && sockets.length > 0) return sockets[0];
      if (pids === undefined && port === undefined && sockets.length > 0) return sockets[0];
      const left = deadline - performance.now();
      if (left <= 0 || gone) return undefined;
      await new Promise<void>((resolve) => {
        wake = resolve;
        timer = setTimeout(resolve, Math.min(intervalMs, left));
      });
      clearTimeout(timer);
    }
  } finally {
    clearTimeout(timer);
    wake = () => {};
  }
}
