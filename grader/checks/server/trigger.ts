/**
 * `server.trigger`: the trigger with `\n` from the allowed client address must be answered once.
 * The check establishes how this server answers the trigger (the session's recipe), the latency
 * with forced line buffering (`server.output` judges unforced output by it), and whether the
 * server closes connections on its own.
 *
 * ## Policy
 *
 * `server.trigger` establishes how the trigger is answered: with `\n` while the connection stays
 * open (pass), only after the client closes (`warn`, half the points), or only without `\n`
 * (`fail`, but the later checks still run, sending the trigger that way). When the trigger is
 * never answered, the checks that need a sentinel are `skip`.
 *
 * @module
 */

import { escapeText } from "../../bytes.ts";
import { REPEATS } from "./_responses_caused_by.ts";
import { round } from "./_round.ts";
import type { Verdict } from "./_run_check.ts";
import type { Work } from "./_work.ts";

/** `server.trigger` (see the module doc): records how the trigger is answered in the session. */
export async function checkTrigger(w: Work): Promise<Verdict> {
  const { spec, run } = w;
  const trigger = `"${escapeText(spec.trigger)}"`;
  const response = `"${escapeText(spec.response)}"`;
  const from = w.session.net.clientAddress;
  const rec = w.exchange(`${trigger} from ${from}`);
  let latencyMs: number | undefined;
  let closeAfter = false;
  let peerClosedEarly = false;
  const before = run.responseCount();
  {
    await using conn = await w.connect(rec);
    run.allow(1);
    const sentAt = performance.now();
    await conn.send(`${spec.trigger}\n`, w.responseMs);
    if (await run.waitResponses(before + 1, w.responseMs)) {
      latencyMs = performance.now() - sentAt;
      await w.barrier(conn, rec);
    } else {
      peerClosedEarly = conn.peerEnd !== "open";
      rec.note("no response yet: the probe closes its side of the connection");
      await conn.end();
      if (await run.waitResponses(before + 1, w.responseMs)) {
        latencyMs = performance.now() - sentAt;
        closeAfter = true;
      }
    }
    w.session.closesOnItsOwn = conn.serverClosedFirst;
  }
  if (latencyMs !== undefined) {
    w.session.recipe = { terminator: "\n", closeAfter };
    w.session.forcedLatencyMs = latencyMs;
    let forTrigger = run.responseCount() - before;
    if (!await w.settle()) {
      const answered = await w.sentinel("sentinel: the trigger again on a new connection");
      if (answered) forTrigger = run.responseCount() - before - 1;
    } else {
      forTrigger = run.responseCount() - before;
    }
    // Responses no probe caused only add to a count: a server that really prints the response
    // several times for one trigger does so every time (see `_responses_caused_by.ts`).
    let attempts = 1;
    for (; forTrigger > 1 && attempts < REPEATS; attempts++) {
      forTrigger = Math.min(forTrigger, await responsesToOneTrigger(w));
    }
    if (forTrigger > 1) run.excuse((forTrigger - 1) * attempts);
    const evidence = {
      latencyMs: round(latencyMs),
      responsesToOneTrigger: forTrigger,
      ...(attempts > 1 ? { attempts } : {}),
    };
    if (forTrigger > 1) {
      return {
        status: "fail",
        message: `your server printed ${response} ${forTrigger} times for one ${trigger}`,
        hint: "Print the response once per message that equals the trigger.",
        evidence,
      };
    }
    if (closeAfter) {
      return {
        status: "warn",
        fraction: 0.5,
        message: `your server answered ${trigger} only after the client closed the connection`,
        hint:
          "Handle each line as soon as its '\\n' arrives instead of reading until the connection ends.",
        evidence,
      };
    }
    return {
      status: "pass",
      message: `${trigger} from ${from} printed ${response} once, after ${round(latencyMs)} ms`,
      evidence,
    };
  }
  const died = await w.deathWords();
  if (died) return { status: "fail", message: `${died} after receiving ${trigger}` };
  const rec2 = w.exchange(`${trigger} without '\\n', then close`);
  {
    const beforeBare = run.responseCount();
    await using conn = await w.connect(rec2);
    run.allow(1);
    const sentAt = performance.now();
    await w.sendLast(conn, spec.trigger);
    if (await run.waitResponses(beforeBare + 1, w.responseMs)) {
      w.session.recipe = { terminator: "", closeAfter: true };
      w.session.forcedLatencyMs = performance.now() - sentAt;
      return {
        status: "fail",
        message: `your server answers ${trigger} only without a newline: a message ends at '\\n'`,
        hint:
          "Remove the '\\n' (and a '\\r' before it) from the line before comparing it with the trigger.",
      };
    }
  }
  const near = run.otherLines().find((l) => l.toLowerCase().includes(spec.response.toLowerCase()));
  if (near !== undefined) {
    return {
      status: "fail",
      message: `your server printed "${escapeText(near, 120)}", not exactly ${response}`,
      hint: `Print exactly ${response} followed by a newline.`,
    };
  }
  return {
    status: "fail",
    message:
      `no ${response} on stdout within ${spec.timeouts.responseMs} ms after ${trigger} from ${from}` +
      (peerClosedEarly
        ? " (your server closed the connection: is the allowed-address check right?)"
        : ""),
    hint:
      "Compare the received line with the trigger and print the response to stdout, then fflush(stdout).",
  };
}

/** The trigger once more on a fresh connection, settled: how many responses it caused. */
async function responsesToOneTrigger(w: Work): Promise<number> {
  const rec = w.exchange(
    `"${escapeText(w.spec.trigger)}" again: responses no probe caused may have been counted`,
  );
  await w.settle();
  const before = w.run.responseCount();
  {
    await using conn = await w.connect(rec);
    w.run.allow(1);
    await w.sendLast(conn, w.triggerBytes());
    await w.run.waitResponses(before + 1, w.responseMs);
  }
  await w.settle();
  return w.run.responseCount() - before;
}
