/**
 * The diagnosis behind `client.messages` over datagrams (EXERCISE.md §6, `udp` and `unix-dgram`):
 * exactly one datagram per message, in order, each the message verbatim (one trailing `\n`
 * already dropped by the framing). When it is not, says why in words a student can act on: all
 * messages packed into one datagram, a message split over datagrams, `\0` padding (a whole
 * buffer sent) or a `\0` after the message, empty datagrams, the article's too large datagram,
 * then missing, extra, reordered or changed messages as for streams (`../diagnose.ts`).
 *
 * Pure: no I/O, so every diagnosis is unit-tested on bytes alone.
 *
 * @example
 * ```ts
 * import { diagnoseDatagrams } from "./diagnose_datagrams.ts";
 * const enc = (s: string) => new TextEncoder().encode(s);
 * const expected = ["Client Query test", "Cleint Query", "Client Query Quit"];
 * const ok = diagnoseDatagrams(expected.map(enc), expected);
 * if (ok.status !== "pass") throw new Error(ok.message);
 * const packed = diagnoseDatagrams([enc(expected.join("\n"))], expected);
 * if (packed.kind !== "packed") throw new Error(packed.message);
 * ```
 * @module
 */

import { escapeText } from "../../text/bytes.ts";
import {
  type MessagesDetails,
  type MessagesDiagnosis,
  type Problem,
  type Say,
  sequenceProblems,
} from "../diagnose.ts";
import { hint } from "../hints/mod.ts";

const decoder = new TextDecoder();
/** How many datagrams are diagnosed (the capture already bounds what it keeps). */
const MAX_DATAGRAMS = 64;
/** How far a message split over datagrams is looked for. */
const MAX_PIECES = 8;

function show(text: string): string {
  return `\`${escapeText(text, 200)}\``;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** A datagram's text without its `\0`s: up to the first NUL (and a `\n` right before it). */
function beforeNul(bytes: Uint8Array): string {
  const at = bytes.indexOf(0);
  const text = decoder.decode(at === -1 ? bytes : bytes.subarray(0, at));
  return text.endsWith("\n") ? text.slice(0, -1) : text;
}

/** The NUL problem of the datagrams, if any: a whole buffer sent, or a `\0` after the message. */
function nulProblem(datagrams: readonly Uint8Array[], say: Say): Problem | undefined {
  const withNul = datagrams.filter((d) => d.includes(0));
  if (withNul.length === 0) return undefined;
  const single = withNul.every((d) => d.indexOf(0) === d.length - 1);
  if (single) {
    return {
      kind: "nul-terminated",
      message:
        "each datagram ends with a '\\0' after the message: the server reads the NUL byte as part of the message",
      hint: say("messages.datagram-nul"),
    };
  }
  const sizes = [...new Set(withNul.map((d) => d.length))];
  return {
    kind: "padding",
    message: `your client sent ${
      sizes.length === 1 ? `${sizes[0]} bytes` : `up to ${Math.max(...sizes)} bytes`
    } per datagram: each message is followed by the rest of its buffer ('\\0' bytes or leftovers), which the server reads as part of the message`,
    hint: say("messages.datagram-padding"),
  };
}

/** Several expected messages, in order, in one datagram: joined by `\n`, a space or nothing. */
function packedRun(text: string, expected: readonly string[]): string[] | undefined {
  for (const sep of ["\n", "\r\n", " ", ""]) {
    for (let from = 0; from < expected.length; from++) {
      for (let to = expected.length; to >= from + 2; to--) {
        const run = expected.slice(from, to);
        const joined = run.join(sep);
        if (text === joined || text === joined + sep) return run;
      }
    }
  }
  if (text.includes("\n")) {
    const parts = text.split("\n");
    if (parts.at(-1) === "") parts.pop();
    if (parts.length >= 2) return parts;
  }
  return undefined;
}

/** Where datagrams `i..j` together are one expected message cut in pieces, that message. */
function splitAt(texts: readonly string[], i: number, expected: readonly string[]) {
  if (expected.includes(texts[i]!)) return undefined;
  let joined = texts[i]!;
  for (let j = i + 1; j < Math.min(texts.length, i + MAX_PIECES); j++) {
    joined += texts[j]!;
    if (expected.includes(joined)) return { message: joined, pieces: j - i + 1 };
    if (!expected.some((m) => m.startsWith(joined))) return undefined;
  }
  return undefined;
}

/**
 * Decides `client.messages` from the datagrams the client sent (framed per §6, in arrival
 * order) and the spec's messages. `tooLarge` is the sentence of `_too_large.ts` when the
 * client's stderr shows a datagram refused for its size. Hints speak the language of `kind`.
 */
export function diagnoseDatagrams(
  datagrams: readonly Uint8Array[],
  expected: readonly string[],
  kind?: string,
  tooLarge?: string,
): MessagesDiagnosis {
  const say: Say = (cause, vars = {}) =>
    hint(cause, kind, { trigger: escapeText(expected[0] ?? "", 80), ...vars });
  const kept = datagrams.slice(0, MAX_DATAGRAMS);
  const notes: string[] = [];
  if (datagrams.length > kept.length) {
    notes.push(`only the first ${MAX_DATAGRAMS} of ${datagrams.length} datagrams were diagnosed`);
  }
  const problems: Problem[] = [];
  const details: MessagesDetails = {
    expected: expected.map((m) => escapeText(m)),
    received: kept.map((d) => escapeText(decoder.decode(d), 256)),
    connections: 0,
    bytesPerConnection: [],
    layout: "datagrams",
    notes,
    problems,
  };
  if (tooLarge) {
    problems.push({ kind: "too-large", message: tooLarge, hint: say("messages.too-large") });
  }
  const nul = nulProblem(kept, say);
  if (nul) problems.push(nul);
  let texts = kept.map((d) => nul ? beforeNul(d) : decoder.decode(d));

  const unpacked: string[] = [];
  let packed: string[] | undefined;
  for (const text of texts) {
    const run = expected.includes(text) ? undefined : packedRun(text, expected);
    if (run) packed ??= [text];
    unpacked.push(...(run ?? [text]));
  }
  if (packed) {
    const all = texts.length === 1 && unpacked.length === expected.length;
    problems.push({
      kind: "packed",
      message: `your client sent ${all ? "all its messages" : "several messages"} in one datagram ${
        show(packed[0]!)
      }: a datagram is one message, so the server reads them as one message, never split at '\\n'`,
      hint: say("messages.packed"),
    });
    texts = unpacked;
  }

  const joined: string[] = [];
  let split: { message: string; pieces: number } | undefined;
  for (let i = 0; i < texts.length; i++) {
    const found = splitAt(texts, i, expected);
    if (!found) {
      joined.push(texts[i]!);
      continue;
    }
    split ??= found;
    joined.push(found.message);
    i += found.pieces - 1;
  }
  if (split) {
    problems.push({
      kind: "split",
      message: `your client split the message ${show(split.message)} over ${
        plural(split.pieces, "datagram")
      }: each datagram is read as a message of its own`,
      hint: say("messages.split"),
    });
    texts = joined;
  }

  const empty = texts.filter((t) => t === "").length;
  if (empty > 0) texts = texts.filter((t) => t !== "");
  problems.push(...sequenceProblems(texts, expected, say));
  if (empty > 0) {
    problems.push({
      kind: "empty-datagrams",
      message: `your client also sent ${plural(empty, "empty datagram")}`,
      hint: say("messages.empty-datagrams"),
    });
  }

  const first = problems[0];
  if (!first) {
    return {
      status: "pass",
      kind: "exact",
      message: `sent the ${plural(expected.length, "message")} in order, one datagram each${
        notes.length > 0 ? `; ${notes.join("; ")}` : ""
      }`,
      details,
    };
  }
  const more = problems.length > 1
    ? ` (and ${plural(problems.length - 1, "more problem")}, see the evidence)`
    : "";
  const onlyEmpty = problems.every((p) => p.kind === "empty-datagrams");
  return {
    status: "fail",
    kind: first.kind,
    message: `${first.message}${more}`,
    ...(first.hint ? { hint: first.hint } : {}),
    ...(onlyEmpty ? { fraction: 0.5 } : {}),
    details,
  };
}
