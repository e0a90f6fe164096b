/**
 * `server.concurrency`: while one client holds an idle connection, the trigger on a second
 * connection must be answered within `responseMs`. A server that answers only once the idle
 * client has left serves one client at a time. Over datagrams there are no connections: the check
 * does not apply (the catalogue's `transports` column).
 *
 * @module
 */

import { escapeText } from "../../text/bytes.ts";
import { hint } from "../hints/mod.ts";
import { round } from "./_round.ts";
import type { Verdict } from "./_run_check.ts";
import type { Work } from "./_work.ts";
import { removeSocketFile } from "../../probes/transports/mod.ts";

/** `server.concurrency` (see the module doc): the trigger is answered beside an idle client. */
export async function checkConcurrency(w: Work): Promise<Verdict> {
  const { run } = w;
  const trigger = `"${escapeText(w.spec.trigger)}"`;
  const rec = w.exchange("an idle connection, then the trigger on a second one");
  await using idle = await w.connect(rec);
  rec.note("connection 1 stays idle: nothing is sent on it", "probe");
  // Both connections come from the allowed client's path: once connected, a Unix socket keeps
  // the path it bound without its file, so the file is removed for the second one to bind it.
  const paths = w.session.net.paths;
  if (paths) await removeSocketFile(paths.clientPath);
  await using active = await w.connect(rec);
  run.allow(1);
  const before = run.responseCount();
  const sentAt = performance.now();
  if (w.session.recipe?.closeAfter) await w.sendLast(active, w.triggerBytes());
  else await active.send(w.triggerBytes(), w.responseMs);
  if (await run.waitResponses(before + 1, w.responseMs)) {
    const latencyMs = round(performance.now() - sentAt);
    return {
      status: "pass",
      message:
        `while another client held an idle connection, ${trigger} was answered after ${latencyMs} ms`,
      evidence: { latencyMs },
    };
  }
  rec.note(`no response within ${w.responseMs} ms: the probe closes the idle connection`);
  await idle.close();
  if (await run.waitResponses(before + 1, w.responseMs)) {
    return {
      status: "fail",
      message:
        `your server serves one client at a time: ${trigger} waited until the idle client left (reading from the idle client blocked the others)`,
      hint: hint("server.concurrency", w.session.plan.kind),
    };
  }
  return {
    status: "fail",
    message: `${
      await w.deathWords() || "no response"
    } while another client held an idle connection, nor after it left`,
  };
}
