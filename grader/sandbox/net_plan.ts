/**
 * The addresses and port a submission's programs get (EXERCISE.md §4): the spec's own inside
 * the private namespace; on host loopback (`none` mode) the lane's loopback addresses
 * (`127.100.<lane>.1` server, `.2` allowed client, `.3` stranger) and a free port, and, with the
 * socket interposer, the spec's addresses and port in the programs' arguments, mapped to the
 * lane's by the interposer (see `sandbox/interpose/`).
 *
 * @example
 * ```ts
 * import { loopbackPlan, serverArgs } from "./net_plan.ts";
 * const net = loopbackPlan();
 * if (net.serverAddress !== "127.0.0.1" || net.port <= 0) throw new Error("unexpected");
 * if (serverArgs(net)[0] !== "127.0.0.1") throw new Error("unexpected");
 * ```
 * @module
 */

import { isIP } from "node:net";
import { resolveSocketPath, type Spec, type Transport } from "../spec.ts";
import { freePort } from "./free_port.ts";

/** The addresses and port the programs are given in this isolation mode (EXERCISE.md §4). */
export interface NetPlan {
  /** `netns`: inside the private namespace; `none`: host loopback. */
  mode: "netns" | "none";
  /** Where the server listens and the client connects (192.168.100.168 or 127.0.0.1). */
  serverAddress: string;
  /** The allowed client address: probes bind it (192.168.100.2 or 127.0.0.1). */
  clientAddress: string;
  /** A not-allowed address the address-filter probe binds (192.168.100.3 or 127.0.0.2). */
  strangerAddress: string;
  /** The port (the spec's in netns mode; a free one in none mode). */
  port: number;
  /** Why the stranger address cannot be used here (then address-filter is `skip`), if so. */
  strangerUnavailable?: string;
  /**
   * In `none` mode with the socket interposer (`sandbox/interpose/`): the library and the spec's
   * addresses and port, which programs are told in their arguments and may hard-code; the
   * interposer maps them to the lane's addresses and port above (what probes use) and back.
   */
  interposer?: {
    /** The `LD_PRELOAD` library. */
    library: string;
    /** The spec's server, client and stranger addresses and port. */
    spec: { serverAddress: string; clientAddress: string; strangerAddress: string; port: number };
  };
  /** In `none` mode without the interposer: why it is not available. */
  interposerUnavailable?: string;
  /** The spec's transport (EXERCISE.md §6); unset means `tcp`. */
  transport?: Transport;
  /**
   * Unix-domain transports: the run's socket paths, absolute and reachable by both programs and
   * the probes; unset for IP transports.
   */
  paths?: SocketPaths;
}

/** Why IPv6 host loopback has no stranger address (the address filter is then `skip`). */
export const NO_IPV6_STRANGER =
  "IPv6 loopback has a single address (::1), so no other address can try the filter: grade in the private network namespace to check it";

/**
 * Whether this network namespace has the IPv6 loopback address `::1` (a container or a kernel
 * with IPv6 disabled has not): without it an IPv6 spec cannot be graded on host loopback.
 */
export function hasIPv6Loopback(): boolean {
  try {
    Deno.listen({ hostname: "::1", port: 0 }).close();
    return true;
  } catch {
    return false;
  }
}

/** The IP version of the spec's addresses (the spec makes them all one family). */
export function ipFamily(spec: Pick<Spec, "serverAddress">): 4 | 6 {
  return isIP(spec.serverAddress) === 6 ? 6 : 4;
}

/**
 * Host loopback: server and allowed client 127.0.0.1, stranger 127.0.0.2, a free port;
 * `strangerUnavailable` says why 127.0.0.2 cannot be used here, when it cannot. With `family` 6
 * (an IPv6 spec): `::1` for both, and no stranger ({@linkcode NO_IPV6_STRANGER}).
 */
export function loopbackPlan(strangerUnavailable?: string, family: 4 | 6 = 4): NetPlan {
  if (family === 6) {
    return {
      mode: "none",
      serverAddress: "::1",
      clientAddress: "::1",
      strangerAddress: "::1",
      port: freePort("::1"),
      strangerUnavailable: NO_IPV6_STRANGER,
    };
  }
  return {
    mode: "none",
    serverAddress: "127.0.0.1",
    clientAddress: "127.0.0.1",
    strangerAddress: "127.0.0.2",
    port: freePort(),
    ...(strangerUnavailable ? { strangerUnavailable } : {}),
  };
}

/** The loopback addresses of lane `lane` (0-based): `127.100.<lane + 1>.1`, `.2`, `.3`. */
export function laneAddresses(
  lane: number,
): { serverAddress: string; clientAddress: string; strangerAddress: string } {
  const third = (lane % 254) + 1;
  return {
    serverAddress: `127.100.${third}.1`,
    clientAddress: `127.100.${third}.2`,
    strangerAddress: `127.100.${third}.3`,
  };
}

/**
 * Host loopback with the socket interposer: the lane's own loopback addresses and a free port on
 * the wire, the spec's addresses and port in the programs' arguments (the interposer maps them).
 */
export function interposedPlan(spec: Spec, lane: number, library: string): NetPlan {
  const addresses = laneAddresses(lane);
  return {
    mode: "none",
    ...addresses,
    port: freePort(addresses.serverAddress),
    interposer: {
      library,
      spec: {
        serverAddress: spec.serverAddress,
        clientAddress: spec.clientAddress,
        strangerAddress: spec.strangerAddress,
        port: spec.port,
      },
    },
  };
}

/** Inside the private namespace: the spec's addresses and port. */
export function namespacePlan(spec: Spec): NetPlan {
  return {
    mode: "netns",
    serverAddress: spec.serverAddress,
    clientAddress: spec.clientAddress,
    strangerAddress: spec.strangerAddress,
    port: spec.port,
  };
}

/**
 * The server's arguments as the program is told them: `<allowed-client-address> <port>`, or for
 * Unix-domain transports `<allowed-client-path> <server-path>`.
 */
export function serverArgs(net: NetPlan): string[] {
  if (net.paths) return unixServerArgs(net.paths);
  const told = net.interposer?.spec ?? net;
  return [told.clientAddress, String(told.port)];
}

/**
 * The client's arguments as the program is told them: `<server-address> <port>`, or for
 * Unix-domain transports `<server-path> <client-path>`.
 */
export function clientArgs(net: NetPlan): string[] {
  if (net.paths) return unixClientArgs(net.paths);
  const told = net.interposer?.spec ?? net;
  return [told.serverAddress, String(told.port)];
}

/** The Unix-domain socket paths of a run (EXERCISE.md §6), absolute. */
export interface SocketPaths {
  /** Where the server binds. */
  serverPath: string;
  /** The path the allowed client binds (probes bind it too). */
  clientPath: string;
  /** A not-allowed path the address-filter probe binds. */
  strangerPath: string;
}

/**
 * The spec's socket paths under `folder`, a private folder of the run (throws a `SpecError` when
 * one would not fit a socket address).
 */
export function socketPaths(spec: Spec, folder: string): SocketPaths {
  return {
    serverPath: resolveSocketPath(folder, spec.serverPath),
    clientPath: resolveSocketPath(folder, spec.clientPath),
    strangerPath: resolveSocketPath(folder, spec.strangerPath),
  };
}

/** A Unix-domain server's arguments: `<allowed-client-path> <server-path>`. */
export function unixServerArgs(paths: SocketPaths): string[] {
  return [paths.clientPath, paths.serverPath];
}

/** A Unix-domain client's arguments: `<server-path> <client-path>`. */
export function unixClientArgs(paths: SocketPaths): string[] {
  return [paths.serverPath, paths.clientPath];
}
