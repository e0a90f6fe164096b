/**
 * {@linkcode DialWatch}: every TCP connection attempt (SYN) made in the grader's private network
 * namespace while it watches, read from a packet socket (`AF_PACKET`, through Deno's FFI on the C
 * library). A client that dials a wrong address or port is refused at once on loopback, too fast
 * for `/proc/net/tcp` to show its `SYN_SENT` socket; its SYN is still seen here, so a message can
 * say where it really dialled.
 *
 * Only in `netns` mode, where the namespace holds nothing but this submission's programs and the
 * grader's own sockets (on the host it would see other people's traffic: never opened there). The
 * packet socket is non-blocking and read once, after the program has run: the kernel keeps what
 * arrived in the socket's buffer meanwhile (a few hundred packets). Where a packet socket cannot
 * be made (no glibc, no `CAP_NET_RAW` in the namespace), {@linkcode DialWatch.open} returns
 * undefined and callers say nothing about where a program dialled.
 *
 * @module
 */

/** `AF_PACKET`, `SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC`, `htons(ETH_P_ALL)`. */
const AF_PACKET = 17;
const SOCK_DGRAM_NONBLOCK_CLOEXEC = 2 | 0o4000 | 0o2000000;
const ETH_P_ALL_BE = 0x0300;
/** The most packets read in one {@linkcode DialWatch.attempts} call. */
const MAX_PACKETS = 4096;

type Libc = Deno.DynamicLibrary<{
  socket: { parameters: ["i32", "i32", "i32"]; result: "i32" };
  recv: { parameters: ["i32", "buffer", "usize", "i32"]; result: "isize" };
  close: { parameters: ["i32"]; result: "i32" };
}>;

let libc: Libc | undefined;
let unavailable = false;

function load(): Libc | undefined {
  if (libc || unavailable) return libc;
  try {
    libc = Deno.dlopen("libc.so.6", {
      socket: { parameters: ["i32", "i32", "i32"], result: "i32" },
      recv: { parameters: ["i32", "buffer", "usize", "i32"], result: "isize" },
      close: { parameters: ["i32"], result: "i32" },
    });
  } catch {
    unavailable = true;
  }
  return libc;
}

/** The destination `address:port` of a TCP SYN (without ACK) in an IP packet, else undefined. */
export function synDestination(packet: Uint8Array): string | undefined {
  const version = packet[0]! >> 4;
  let tcp: number;
  let address: string;
  if (version === 4 && packet.length >= 20) {
    if (packet[9] !== 6) return undefined;
    tcp = (packet[0]! & 15) * 4;
    address = [...packet.subarray(16, 20)].join(".");
  } else if (version === 6 && packet.length >= 40) {
    if (packet[6] !== 6) return undefined;
    tcp = 40;
    const words: string[] = [];
    for (let i = 24; i < 40; i += 2) words.push(((packet[i]! << 8) | packet[i + 1]!).toString(16));
    address = `[${words.join(":").replace(/(^|:)0(:0)+(:|$)/, "::")}]`;
  } else {
    return undefined;
  }
  if (packet.length < tcp + 14) return undefined;
  const flags = packet[tcp + 13]!;
  if ((flags & 0x02) === 0 || (flags & 0x10) !== 0) return undefined;
  const port = (packet[tcp + 2]! << 8) | packet[tcp + 3]!;
  return `${address}:${port}`;
}

/** A packet socket that records connection attempts (see the module doc). */
export class DialWatch implements Disposable {
  readonly #lib: Libc;
  #fd: number;
  readonly #seen: string[] = [];

  private constructor(lib: Libc, fd: number) {
    this.#lib = lib;
    this.#fd = fd;
  }

  /** Starts watching this thread's network namespace; undefined when that is not possible. */
  static open(): DialWatch | undefined {
    const lib = load();
    if (!lib) return undefined;
    const fd = lib.symbols.socket(AF_PACKET, SOCK_DGRAM_NONBLOCK_CLOEXEC, ETH_P_ALL_BE);
    return fd < 0 ? undefined : new DialWatch(lib, fd);
  }

  /**
   * The destinations (`address:port`) of the connection attempts seen so far, each once, in
   * the order first seen.
   */
  attempts(): string[] {
    if (this.#fd >= 0) {
      const buffer = new Uint8Array(128);
      for (let i = 0; i < MAX_PACKETS; i++) {
        const n = Number(this.#lib.symbols.recv(this.#fd, buffer, BigInt(buffer.length), 0));
        if (n <= 0) break;
        const to = synDestination(buffer.subarray(0, n));
        if (to !== undefined && !this.#seen.includes(to)) this.#seen.push(to);
      }
    }
    return [...this.#seen];
  }

  /** Stops watching. */
  [Symbol.dispose](): void {
    if (this.#fd >= 0) this.#lib.symbols.close(this.#fd);
    this.#fd = -1;
  }
}
