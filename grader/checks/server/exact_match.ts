/**
 * `server.exact-match`: each near miss of the trigger ({@linkcode nearMisses}), on its own
 * connection (or as its own datagram), must print nothing, and the server must still answer the trigger after it. When
 * near misses are answered, the hint names the comparisons the server seems to make.
 *
 * @module
 */

import { escapeText } from "../../text/bytes.ts";
import type { Spec } from "../../spec.ts";
import { hint, type HintCause } from "../hints/mod.ts";
import { responsesCausedBy } from "./_responses_caused_by.ts";
import type { Verdict } from "./_run_check.ts";
import type { Work } from "./_work.ts";

/**
 * The near misses of the trigger that must print nothing: trigger + " test", trigger + " Quit",
 * lower case, a trailing space, "X" + trigger, and the spec's messages that differ from the
 * trigger (e.g. the article's "Cleint Query"), without duplicates.
 */
export function nearMisses(spec: Pick<Spec, "trigger" | "messages">): string[] {
  const t = spec.trigger;
  const all = [
    `${t} test`,
    ...spec.messages,
    `${t} Quit`,
    t.toLowerCase(),
    `${t} `,
    `X${t}`,
  ];
  return [...new Set(all)].filter((m) => m !== t && !/[\r\n]/.test(m));
}

/**
 * `server.exact-match` (see the module doc): every near miss must print nothing. Over datagrams
 * each is its own datagram, and the trigger with two newlines is one more near miss (one
 * trailing `\n` is tolerated, EXERCISE.md §6).
 */
export async function checkExactMatch(w: Work): Promise<Verdict> {
  const terminator = w.session.recipe?.terminator ?? (w.datagram ? "" : "\n");
  const sent = nearMisses(w.spec).map((miss) => ({ miss, bytes: miss + terminator }));
  if (w.datagram) sent.push({ miss: `${w.spec.trigger}\n\n`, bytes: `${w.spec.trigger}\n\n` });
  const misses = sent.map((s) => s.miss);
  const triggered: string[] = [];
  const results: { message: string; responses: number }[] = [];
  let barrier: "fin" | "consumed" = "fin";
  for (const { miss, bytes } of sent) {
    const r = await responsesCausedBy(w, `near miss "${escapeText(miss)}"`, async (conn) => {
      await w.sendLast(conn, bytes);
    }, { barrier });
    if (r.peerEnd === "open") barrier = "consumed";
    results.push({ message: escapeText(miss), responses: r.caused });
    if (r.caused > 0) triggered.push(miss);
    if (!r.sentinelAnswered) {
      const died = await w.deathWords();
      return {
        status: "fail",
        message: `${died || "your server stopped answering the trigger"} after the near miss "${
          escapeText(miss)
        }"`,
        evidence: { nearMisses: results },
      };
    }
  }
  if (triggered.length === 0) {
    return {
      status: "pass",
      message: `none of the ${misses.length} near misses printed anything`,
      evidence: { nearMisses: results },
    };
  }
  return {
    status: "fail",
    message: `your server answered near misses: ${
      triggered.map((m) => `"${escapeText(m)}"`).join(", ")
    }`,
    hint: exactMatchHint(w.spec.trigger, triggered, w.session.plan.kind),
    evidence: { nearMisses: results },
  };
}

/** The hint for a server that answered the near misses `triggered`, in its language. */
function exactMatchHint(trigger: string, triggered: string[], kind?: string): string {
  const why: HintCause[] = [];
  if (triggered.some((m) => m.startsWith(trigger) && m.trim() !== trigger)) {
    why.push("server.near-miss-prefix");
  }
  if (triggered.some((m) => m.includes(trigger) && !m.startsWith(trigger))) {
    why.push("server.near-miss-substring");
  }
  if (triggered.some((m) => m !== trigger && m.toLowerCase() === trigger.toLowerCase())) {
    why.push("server.near-miss-case");
  }
  if (triggered.some((m) => m !== trigger && m.trim() === trigger)) {
    why.push("server.near-miss-trim");
  }
  const reasons = why.map((cause) => hint(cause, kind)).join(", ");
  return hint("server.exact-compare", kind, {
    trigger: escapeText(trigger),
    why: reasons ? `, ${reasons}` : "",
  });
}
