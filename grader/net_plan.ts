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

import type { NetPlan } from "./checks/types.ts";
import type { Spec } from "./spec.ts";

/** A free TCP port on `hostname` (free when asked; another program may take it later). */
export function freePort(hostname = "127.0.0.1"): number {
  const listener = Deno.listen({ hostname, port: 0 });
  const port = listener.addr.port;
  listener.close();
  return port;
}

/**
 * Host loopback: server and allowed client 127.0.0.1, stranger 127.0.0.2, a free port;
 * `strangerUnavailable` says why 127.0.0.2 cannot be used here, when it cannot.
 */
export function loopbackPlan(strangerUnavailable?: string): NetPlan {
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

/** The server's arguments: `<allowed-client-address> <port>` as the program is told them. */
export function serverArgs(net: NetPlan): string[] {
  const told = net.interposer?.spec ?? net;
  return [told.clientAddress, String(told.port)];
}

/** The client's arguments: `<server-address> <port>` as the program is told them. */
export function clientArgs(net: NetPlan): string[] {
  const told = net.interposer?.spec ?? net;
  return [told.serverAddress, String(told.port)];
}
