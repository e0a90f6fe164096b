/**
 * The addresses and port a submission's programs get (EXERCISE.md §4): the spec's own inside
 * the private namespace, or host loopback with a free port in `none` mode.
 *
 * @example
 * ```ts
 * import { loopbackPlan } from "./net_plan.ts";
 * const net = loopbackPlan();
 * if (net.serverAddress !== "127.0.0.1" || net.port <= 0) throw new Error("unexpected");
 * ```
 * @module
 */

import type { NetPlan } from "./checks/types.ts";
import type { Spec } from "./spec.ts";

/** A free TCP port on 127.0.0.1 (free when asked; another program may take it later). */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
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
