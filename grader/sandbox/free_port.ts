/**
 * A free port for a run on host loopback, chosen below the kernel's ephemeral range.
 *
 * A port the system hands out for `port: 0` is an ephemeral one: any outbound connection on the
 * machine (a probe, another lane, another test) may be given the same port as its local port
 * before the run listens on it, and the listen then fails with "Address already in use". Below
 * the ephemeral range the kernel never picks a port by itself, so only a program that binds that
 * very port can take it. Ports are handed out in turn from a random start, so two calls in one
 * process never get the same port until the range wraps around.
 *
 * @example
 * ```ts
 * import { ephemeralPorts, freePort } from "./free_port.ts";
 * const port = freePort();
 * const range = ephemeralPorts();
 * if (range && port >= range.low && port <= range.high) throw new Error("ephemeral port");
 * ```
 * @module
 */

/** The lowest port handed out: above the registered ports most services use. */
const LOWEST = 10_000;
/** Ports tried (each bound, then released) before falling back to a system-chosen port. */
const TRIES = 64;

/** The kernel's ephemeral port range. */
export interface PortRange {
  /** The first port of the range. */
  low: number;
  /** The last port of the range. */
  high: number;
}

/**
 * The kernel's ephemeral port range (`/proc/sys/net/ipv4/ip_local_port_range`, which covers IPv6
 * too), or undefined where it cannot be read.
 */
export function ephemeralPorts(): PortRange | undefined {
  try {
    const [low, high] = Deno.readTextFileSync("/proc/sys/net/ipv4/ip_local_port_range")
      .trim().split(/\s+/).map(Number);
    return low !== undefined && high !== undefined && Number.isInteger(low) &&
        Number.isInteger(high)
      ? { low, high }
      : undefined;
  } catch {
    return undefined;
  }
}

let next: number | undefined;

function canListen(hostname: string, port: number): boolean {
  try {
    Deno.listen({ hostname, port }).close();
    return true;
  } catch {
    return false;
  }
}

/**
 * A TCP port on `hostname` that nothing listens on, below the ephemeral range so no outbound
 * connection is given it meanwhile; a system-chosen port where no such range is left (free when
 * asked either way: a program that binds the very port may still take it).
 */
export function freePort(hostname = "127.0.0.1"): number {
  const range = ephemeralPorts();
  const high = (range?.low ?? 32_768) - 1;
  if (high > LOWEST) {
    const size = high - LOWEST + 1;
    let port = next ?? LOWEST + Math.floor(Math.random() * size);
    for (let i = 0; i < TRIES; i++) {
      next = port >= high ? LOWEST : port + 1;
      if (canListen(hostname, port)) return port;
      port = next;
    }
  }
  const listener = Deno.listen({ hostname, port: 0 });
  const port = listener.addr.port;
  listener.close();
  return port;
}
