/**
 * `server.trigger`: the trigger with `\n` from the allowed client address must be answered once.
 * The check establishes how this server answers the trigger (the session's recipe), the latency
 * with forced line buffering (`server.output` judges unforced output by it), and whether the
 * server closes connections on its own.
 *
 * ## Policy
 *
 * `server.trigger` establishes how the trigger is answered: with `\n` while the connection stays
 * open (pass), only after the client closes (`fail` with half the points: the line was not
 * handled when its `\n` arrived), or only without `\n`
 * (`fail`, but the later checks still run, sending the trigger that way). When the trigger is
 * never answered, the checks that need a sentinel are `skip`.
 *
 * A server that never answers is told what its output suggests: a line that is a near miss of the
 * response (it contains the response or the trigger, ignoring case, or is within a few edits of
 * the response: `recv client query`, `recv msg from client: Client Query`) is quoted as the text
 * to fix. The address check is suspected only on evidence: the server printed nothing and reset
 * the connection without reading what the allowed address sent.
 *
 * @module
 */

import { planTransport } from "../../probes/endpoints.ts";
import { escapeText } from "../../text/bytes.ts";
import { REPEATS } from "./_responses_caused_by.ts";
import { hint } from "../hints/mod.ts";
import { round } from "./_round.ts";
import type { Verdict } from "./_run_check.ts";
import type { Work } from "./_work.ts";

/** `server.trigger` (see the module doc): records how the trigger is answered in the session. */
export async function checkTrigger(w: Work): Promise<Verdict> {
  if (w.datagram) return await checkDatagramTrigger(w);
  const { spec, run } = w;
  const trigger = `"${escapeText(spec.trigger)}"`;
  const from = w.nameOf("client");
  const kind = w.session.plan.kind;
  const rec = w.exchange(`${trigger} from ${from}`);
  let latencyMs: number | undefined;
  let closeAfter = false;
  let peerReset = false;
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
      peerReset = conn.peerEnd === "rst";
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
    return await answered(w, before, latencyMs);
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
        hint: hint("server.bare-trigger-only", kind, { trigger: escapeText(spec.trigger) }),
      };
    }
  }
  return unanswered(w, peerReset);
}

/**
 * `server.trigger` over datagrams: the trigger in one datagram from the allowed client, without
 * a newline (one trailing `\n` is tolerated, EXERCISE.md §6); when that is not answered, with
 * `\n` (then `fail`, but the later checks send it that way).
 */
async function checkDatagramTrigger(w: Work): Promise<Verdict> {
  const { spec, run } = w;
  const trigger = `"${escapeText(spec.trigger)}"`;
  const from = w.nameOf("client");
  for (const terminator of ["", "\n"]) {
    const rec = w.exchange(
      `${trigger}${terminator ? " with '\\n'" : ""} in one datagram from ${from}`,
    );
    const before = run.responseCount();
    let latencyMs: number | undefined;
    {
      await using conn = await w.connect(rec);
      run.allow(1);
      const sentAt = performance.now();
      await conn.send(spec.trigger + terminator, w.responseMs);
      if (await run.waitResponses(before + 1, w.responseMs)) {
        latencyMs = performance.now() - sentAt;
      }
    }
    if (latencyMs === undefined) {
      const died = await w.deathWords();
      if (died) return { status: "fail", message: `${died} after receiving ${trigger}` };
      continue;
    }
    w.session.recipe = { terminator, closeAfter: false };
    const verdict = await answered(w, before, latencyMs);
    if (verdict.status !== "pass" || !terminator) return verdict;
    return {
      ...verdict,
      status: "fail",
      message:
        `your server answers ${trigger} only with a trailing '\\n': over datagrams a message is one datagram, and the trigger comes without one`,
      hint: hint("server.datagram-whole", w.session.plan.kind),
    };
  }
  return unanswered(w, false);
}

/**
 * What follows a trigger that was answered (`latencyMs` after it was sent; `before`: the count of
 * responses before it): how many responses it caused, settled and repeated when responses no
 * probe caused may have been counted; pass, or fail for several responses or an answer only
 * after the close.
 */
async function answered(w: Work, before: number, latencyMs: number): Promise<Verdict> {
  const { spec, run } = w;
  const trigger = `"${escapeText(spec.trigger)}"`;
  const response = `"${escapeText(spec.response)}"`;
  const kind = w.session.plan.kind;
  const closeAfter = w.session.recipe?.closeAfter ?? false;
  const from = w.nameOf("client");
  {
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
    // Its own prints cannot be told from the trigger's: server.output charges them.
    const background = forTrigger > 1 && await run.printsOnItsOwn();
    if (background) forTrigger = 1;
    if (forTrigger > 1) run.excuse((forTrigger - 1) * attempts);
    const evidence = {
      latencyMs: round(latencyMs),
      responsesToOneTrigger: forTrigger,
      ...(attempts > 1 ? { attempts } : {}),
      ...(background ? { printsOnItsOwn: true } : {}),
    };
    if (forTrigger > 1) {
      return {
        status: "fail",
        message: `your server printed ${response} ${forTrigger} times for one ${trigger}`,
        hint: hint("server.repeated-response", kind),
        evidence,
      };
    }
    if (closeAfter) {
      return {
        status: "fail",
        fraction: 0.5,
        message:
          `your server answered ${trigger} only after the client closed the connection, not when its '\\n' arrived`,
        hint: hint("server.close-before-answer", kind),
        evidence,
      };
    }
    return {
      status: "pass",
      message: `${trigger} from ${from} printed ${response} once, after ${round(latencyMs)} ms`,
      evidence,
    };
  }
}

/** When the trigger was never answered: what the server's output suggests. */
function unanswered(w: Work, peerReset: boolean): Verdict {
  const { spec, run } = w;
  const trigger = `"${escapeText(spec.trigger)}"`;
  const response = `"${escapeText(spec.response)}"`;
  const from = w.nameOf("client");
  const kind = w.session.plan.kind;
  const near = run.otherLines().find((l) => nearResponse(l, spec.response, spec.trigger));
  if (near !== undefined) {
    return {
      status: "fail",
      message: `your server printed "${
        escapeText(near, 120)
      }" for ${trigger}: a near miss of the response, which must be exactly ${response}`,
      hint: hint("server.near-response", kind, { response }),
    };
  }
  const silent = run.otherOutput().lines === 0;
  return {
    status: "fail",
    message:
      `no ${response} on stdout within ${spec.timeouts.responseMs} ms after ${trigger} from ${from}` +
      (peerReset && silent
        ? ` (your server reset the connection without reading it and printed nothing: is the allowed-address check right? ${from} is the allowed address)`
        : ""),
    hint: hint(
      peerReset && silent
        ? `server.address-check.${planTransport(w.session.net)}`
        : "server.no-response",
      kind,
      {
        trigger: escapeText(spec.trigger),
        response: escapeText(spec.response),
      },
    ),
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

/**
 * Whether a line a server printed is a near miss of the response: it contains the response or
 * the trigger (ignoring case), or is within a third of the response's length in edits of it.
 */
export function nearResponse(line: string, response: string, trigger: string): boolean {
  const l = line.trim().toLowerCase();
  if (l === "") return false;
  const r = response.toLowerCase();
  if (l.includes(r) || l.includes(trigger.toLowerCase())) return true;
  return editDistance(l, r) <= Math.ceil(r.length / 3);
}

/** The Levenshtein distance of two strings (bounded inputs: lines are cut to 500 characters). */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        previous[j]! + 1,
        current[j - 1]! + 1,
        previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length]!;
}
