/**
 * `server.address-filter`: the trigger from the stranger address (not the allowed client address;
 * over Unix-domain transports the stranger's path, then a socket that bound no path) must print
 * nothing, and the allowed client must still be answered after it.
 *
 * ## Policy
 *
 * `server.address-filter` is `skip` (never `fail`) when the stranger address cannot be used:
 * `net.strangerUnavailable`, or (host loopback mode) the address cannot be bound here.
 *
 * @module
 */

import { escapeText } from "../../text/bytes.ts";
import { planTransport } from "../../probes/endpoints.ts";
import { hint } from "../hints/mod.ts";
import type { CheckOutcome } from "../types.ts";
import type { NetPlan } from "../../sandbox/net_plan.ts";
import { responsesCausedBy } from "./_responses_caused_by.ts";
import { runCheck, skipped } from "./_run_check.ts";
import type { Session } from "./_session.ts";
import type { ProbeRole } from "./_work.ts";

/** Why the stranger address cannot be used here, or undefined when it can (always for paths). */
function strangerUnusable(net: NetPlan): string | undefined {
  if (net.strangerUnavailable) return net.strangerUnavailable;
  if (net.mode !== "none" || net.paths) return undefined;
  try {
    const listener = Deno.listen({ hostname: net.strangerAddress, port: 0 });
    listener.close();
    return undefined;
  } catch (error) {
    return `the stranger address ${net.strangerAddress} cannot be bound on this machine (${
      (error as Error).message
    })`;
  }
}

/**
 * `server.address-filter` (see the module doc); `skip` when the stranger address is unusable.
 * Over Unix-domain transports the stranger binds `strangerPath`, and a socket that bound no path
 * tries too: the server cannot tell who it is and must not answer.
 */
export async function checkAddressFilter(session: Session): Promise<CheckOutcome> {
  const unusable = strangerUnusable(session.net);
  if (unusable) return skipped("server.address-filter", `skipped: ${unusable}`);
  return await runCheck(session, "server.address-filter", async (w) => {
    const allowed = w.nameOf("client");
    const trigger = `"${escapeText(w.spec.trigger)}"`;
    const roles: ProbeRole[] = session.net.paths ? ["stranger", "unbound"] : ["stranger"];
    const evidence: Record<string, unknown> = {};
    const tried: string[] = [];
    for (const role of roles) {
      const who = w.nameOf(role);
      const r = await responsesCausedBy(
        w,
        `${trigger} from ${who} (not allowed)`,
        async (conn) => {
          await w.sendLast(conn, w.triggerBytes());
        },
        { from: role },
      );
      evidence[`${role}Responses`] = r.caused;
      if (!w.datagram) evidence[`${role}ConnectionEnd`] = r.peerEnd;
      if (r.caused > 0) {
        return {
          status: "fail",
          message: role === "unbound"
            ? `your server answered ${trigger} from a socket that bound no path: it cannot tell who that is, so it must not answer (only ${allowed} is allowed)`
            : `your server answered ${trigger} from ${who}, which is not the allowed ${
              session.net.paths ? "path" : "address"
            } ${allowed}`,
          hint: hint(`server.address-check.${planTransport(session.net)}`, w.session.plan.kind),
          evidence,
        };
      }
      if (!r.sentinelAnswered) {
        return {
          status: "fail",
          message: `${
            await w.deathWords() || `your server no longer answered ${allowed}`
          } after a message from ${who}`,
          hint: hint(`server.address-reject.${planTransport(session.net)}`, w.session.plan.kind),
          evidence,
        };
      }
      tried.push(who);
    }
    return {
      status: "pass",
      message: `${trigger} from ${
        tried.join(" and from ")
      } printed nothing, and ${allowed} was still answered`,
      evidence,
    };
  });
}
