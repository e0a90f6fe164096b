/**
 * `server.address-filter`: the trigger from the stranger address (not the allowed client address)
 * must print nothing, and the allowed address must still be answered after it.
 *
 * ## Policy
 *
 * `server.address-filter` is `skip` (never `fail`) when the stranger address cannot be used:
 * `net.strangerUnavailable`, or (host loopback mode) the address cannot be bound here.
 *
 * @module
 */

import { escapeText } from "../../bytes.ts";
import { hint } from "../hints/mod.ts";
import type { CheckOutcome, NetPlan } from "../types.ts";
import { responsesCausedBy } from "./_responses_caused_by.ts";
import { runCheck, skipped } from "./_run_check.ts";
import type { Session } from "./_session.ts";

/** Why the stranger address cannot be used here, or undefined when it can. */
function strangerUnusable(net: NetPlan): string | undefined {
  if (net.strangerUnavailable) return net.strangerUnavailable;
  if (net.mode !== "none") return undefined;
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

/** `server.address-filter` (see the module doc); `skip` when the stranger address is unusable. */
export async function checkAddressFilter(session: Session): Promise<CheckOutcome> {
  const unusable = strangerUnusable(session.net);
  if (unusable) return skipped("server.address-filter", `skipped: ${unusable}`);
  return await runCheck(session, "server.address-filter", async (w) => {
    const { strangerAddress, clientAddress } = w.session.net;
    const trigger = `"${escapeText(w.spec.trigger)}"`;
    const r = await responsesCausedBy(
      w,
      `${trigger} from ${strangerAddress} (not allowed)`,
      async (conn) => {
        await w.sendLast(conn, w.triggerBytes());
      },
      { from: "stranger" },
    );
    const evidence = { strangerResponses: r.caused, strangerConnectionEnd: r.peerEnd };
    if (r.caused > 0) {
      return {
        status: "fail",
        message:
          `your server answered ${trigger} from ${strangerAddress}, which is not the allowed address ${clientAddress}`,
        hint: hint("server.address-check", w.session.plan.kind),
        evidence,
      };
    }
    if (!r.sentinelAnswered) {
      return {
        status: "fail",
        message: `${
          await w.deathWords() || "your server no longer answered the allowed address"
        } after a connection from ${strangerAddress}`,
        hint: hint("server.address-reject", w.session.plan.kind),
        evidence,
      };
    }
    return {
      status: "pass",
      message:
        `${trigger} from ${strangerAddress} printed nothing, and ${clientAddress} was still answered`,
      evidence,
    };
  });
}
