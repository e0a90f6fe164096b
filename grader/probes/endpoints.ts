/**
 * Where the probes meet a run's programs, per transport (EXERCISE.md §6): the server's, the
 * allowed client's and the stranger's {@linkcode Endpoint} of a {@linkcode NetPlan}: addresses and
 * the port for IP transports, the run's socket paths for Unix-domain ones.
 *
 * @example
 * ```ts
 * import { serverEndpoint } from "./endpoints.ts";
 * import { loopbackPlan } from "../sandbox/net_plan.ts";
 * const net = loopbackPlan();
 * const at = serverEndpoint(net);
 * if (!("port" in at) || at.port !== net.port) throw new Error("unexpected");
 * ```
 * @module
 */

import type { Transport } from "../spec.ts";
import type { NetPlan } from "../sandbox/net_plan.ts";
import type { Endpoint } from "./transport.ts";

/** The plan's transport (`tcp` when unset). */
export function planTransport(net: NetPlan): Transport {
  return net.transport ?? "tcp";
}

/** Where the server listens or is bound. */
export function serverEndpoint(net: NetPlan): Endpoint {
  return net.paths
    ? { path: net.paths.serverPath }
    : { address: net.serverAddress, port: net.port };
}

/** Where the allowed client sends from (its port is the system's choice on IP transports). */
export function clientEndpoint(net: NetPlan): Endpoint {
  return net.paths ? { path: net.paths.clientPath } : { address: net.clientAddress, port: 0 };
}

/** Where the not-allowed stranger sends from. */
export function strangerEndpoint(net: NetPlan): Endpoint {
  return net.paths ? { path: net.paths.strangerPath } : { address: net.strangerAddress, port: 0 };
}
