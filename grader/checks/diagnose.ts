/**
 * The diagnosis behind `client.messages` (EXERCISE.md §3): given the bytes a client sent on each
 * connection and the spec's messages, decide whether it sent exactly those messages, in order,
 * framed per the spec (`\n`, a `\r` before it tolerated, or the connection's close), on one
 * connection or one per message; and when it did not, say why in words a student can act on:
 * messages run together without a delimiter, `\0` terminators, whole buffers sent with
 * `sizeof`, missing, extra or reordered messages, a "fixed" typo, changed case or spaces.
 *
 * Pure: no I/O, so every diagnosis is unit-tested on bytes alone.
 *
 * @example
 * ```ts
 * import { diagnoseMessages } from "./diagnose.ts";
 * const enc = (s: string) => new TextEncoder().encode(s);
 * const expected = ["Client Query test", "Cleint Query", "Client Query Quit"];
 * const ok = diagnoseMessages([{ bytes: enc("Client Query test\nCleint Query\nClient Query Quit\n") }], expected);
 * if (ok.status !== "pass") throw new Error(ok.message);
 * const bad = diagnoseMessages([{ bytes: enc("Client Query testCleint QueryClient Query Quit") }], expected);
 * if (bad.kind !== "no-delimiter") throw new Error(bad.message);
 * ```
 * @module
 */

import { concatBytes, escapeText } from "../text/bytes.ts";
import { type FramedMessage, LineFramer } from "../probes/framing.ts";
import { hint, type HintCause } from "./hints/mod.ts";

/** What one connection carried from the client. */
export interface ReceivedConnection {
  /** Every byte the client sent on it, in order. */
  bytes: Uint8Array;
  /**
   * Whether the client ended its sending side (FIN or RST, including the close the system does
   * when the process exits). When false, bytes after the last `\n` are not a finished message.
   * Default true.
   */
  closed?: boolean;
}

/** The kind of a diagnosis: `exact` when nothing is wrong, else the first problem found. */
export type DiagnosisKind =
  | "exact"
  | "never-connected"
  | "nothing-sent"
  | "nul-terminated"
  | "padding"
  | "length-prefix"
  | "no-delimiter"
  | "other-delimiter"
  | "unterminated"
  | "empty-lines"
  | "reordered"
  | "typo-fixed"
  | "typo"
  | "case"
  | "whitespace"
  | "changed"
  | "missing"
  | "extra"
  | "packed"
  | "split"
  | "empty-datagrams"
  | "too-large";

/** One thing wrong with what the client sent. */
export interface Problem {
  /** What kind of problem. */
  kind: Exclude<DiagnosisKind, "exact">;
  /** One sentence for the student. */
  message: string;
  /** How to fix it. */
  hint?: string;
}

/** How the messages were spread over connections. */
export type ConnectionLayout =
  | "none"
  | "one connection"
  | "one per message"
  | "several connections"
  | "datagrams";

/** The structured result the `client.messages` check turns into an outcome. */
export interface MessagesDiagnosis {
  /** `pass`, or `fail` (with `fraction` when only empty lines were extra). */
  status: "pass" | "fail";
  /** `exact`, or the kind of the first (most basic) problem. */
  kind: DiagnosisKind;
  /** One line for the student: what was right, or the first problem. */
  message: string;
  /** How to fix the first problem. */
  hint?: string;
  /** For a `fail` whose only problem is empty lines: the share of the points earned. */
  fraction?: number;
  /** Everything behind the decision, for the evidence. */
  details: MessagesDetails;
}

/** The evidence of a diagnosis. */
export interface MessagesDetails {
  /** The spec's messages, escaped. */
  expected: string[];
  /**
   * The messages as the spec's framing cuts them, escaped (long ones cut to head and tail), over
   * all connections in order.
   */
  received: string[];
  /** How many connections the client opened (including ones that carried nothing). */
  connections: number;
  /** Bytes per connection. */
  bytesPerConnection: number[];
  /** How the messages were spread over connections. */
  layout: ConnectionLayout;
  /** Remarks that cost no points (CRLF, a message ended by close, empty connections): phrases. */
  notes: string[];
  /** Every problem found, most basic first; empty on a pass. */
  problems: Problem[];
}

/** A message as cut from the stream, with what it came from. */
interface Cut {
  text: string;
  connection: number;
  endedBy: FramedMessage["endedBy"] | "open";
}

const decoder = new TextDecoder();
/**
 * How many `\n`-ended messages of each connection are diagnosed: a client sends a few, and the
 * diagnosis of many costs time and memory (the capture server already bounds the bytes).
 */
export const MAX_LINES_PER_CONNECTION = 64;
/** How many bytes of each received message the evidence shows (head and tail). */
const SHOWN_BYTES = 256;
const encoder = new TextEncoder();

/** Shows a message for a sentence: escaped and in backticks. */
function show(text: string): string {
  return `\`${escapeText(text, 200)}\``;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function ordinal(i: number): string {
  return ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth"][i] ??
    `${i + 1}th`;
}

/** Cuts each connection's bytes per the line framing. */
function frameConnections(connections: { bytes: Uint8Array; closed: boolean }[]): {
  cuts: Cut[];
  unterminated: Cut[];
} {
  const cuts: Cut[] = [];
  const unterminated: Cut[] = [];
  connections.forEach((c, connection) => {
    const framer = new LineFramer(Number.MAX_SAFE_INTEGER);
    for (const m of framer.push(c.bytes)) {
      cuts.push({ text: decoder.decode(m.bytes), connection, endedBy: m.endedBy });
    }
    for (const m of framer.end()) {
      const cut: Cut = {
        text: decoder.decode(m.bytes),
        connection,
        endedBy: c.closed ? "close" : "open",
      };
      (c.closed ? cuts : unterminated).push(cut);
    }
  });
  return { cuts, unterminated };
}

/**
 * The messages a client sent, as a server that follows the spec's framing reads them: every
 * connection cut at `\n` (a `\r` before it dropped), plus the bytes after the last `\n` when the
 * connection was closed (a message ended by the close); bytes of a connection still open after
 * its last `\n` are not a message yet. Connections in order, at most
 * {@linkcode MAX_LINES_PER_CONNECTION} messages of each. The pair check counts the ones that
 * equal the trigger.
 *
 * @example
 * ```ts
 * import { sentMessages } from "./diagnose.ts";
 * const enc = (s: string) => new TextEncoder().encode(s);
 * const sent = sentMessages([{ bytes: enc("Client Query test\r\nClient Query") }]);
 * if (sent.join("|") !== "Client Query test|Client Query") throw new Error(sent.join("|"));
 * ```
 */
export function sentMessages(connections: readonly ReceivedConnection[]): string[] {
  return frameConnections(connections.map((c) => {
    const bytes = firstLines(c.bytes, MAX_LINES_PER_CONNECTION);
    return { bytes, closed: bytes.length < c.bytes.length || (c.closed ?? true) };
  })).cuts.map((c) => c.text);
}

/** `bytes` up to and including its `max`-th `\n`, or all of it when it has fewer. */
function firstLines(bytes: Uint8Array, max: number): Uint8Array {
  let at = -1;
  for (let n = 0; n < max; n++) {
    at = bytes.indexOf(10, at + 1);
    if (at === -1) return bytes;
  }
  return bytes.subarray(0, at + 1);
}

function equalLists(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function countCrlf(bytes: Uint8Array): number {
  let n = 0;
  for (let i = 1; i < bytes.length; i++) if (bytes[i] === 10 && bytes[i - 1] === 13) n++;
  return n;
}

/** Runs of NUL bytes: their lengths. */
function nulRuns(bytes: Uint8Array): number[] {
  const runs: number[] = [];
  let run = 0;
  for (const b of bytes) {
    if (b === 0) run++;
    else if (run > 0) {
      runs.push(run);
      run = 0;
    }
  }
  if (run > 0) runs.push(run);
  return runs;
}

function withoutNuls(bytes: Uint8Array): Uint8Array {
  return bytes.filter((b) => b !== 0);
}

/** Replaces every run of NULs by one `\n` unless a `\n` is right before it. */
function nulsAsNewlines(bytes: Uint8Array): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b !== 0) out.push(b);
    else if (i === 0 || bytes[i - 1] !== 0) {
      if (out.at(-1) !== 10) out.push(10);
    }
  }
  return Uint8Array.from(out);
}

/**
 * Whole buffers sent with `sizeof`: every connection is a whole number of equal blocks and each
 * block starts with one message (the rest is `\0`s or leftover bytes). Returns the block size and
 * the message of each block, or undefined.
 */
function fixedBlocks(
  connections: { bytes: Uint8Array }[],
  expected: readonly string[],
): { size: number; texts: string[] } | undefined {
  const total = connections.reduce((n, c) => n + c.bytes.length, 0);
  const longest = Math.max(...expected.map((m) => encoder.encode(m).length));
  const candidates = new Set<number>();
  for (let n = 1; n <= expected.length + 2; n++) {
    if (total % n === 0) candidates.add(total / n);
  }
  for (const c of connections) candidates.add(c.bytes.length);
  let best: { size: number; texts: string[]; known: number } | undefined;
  for (const size of [...candidates].sort((a, b) => a - b)) {
    if (size < longest + 8 || size < 32) continue;
    if (!connections.every((c) => c.bytes.length % size === 0)) continue;
    const texts: string[] = [];
    let paddedBlocks = 0;
    for (const c of connections) {
      for (let at = 0; at < c.bytes.length; at += size) {
        const block = c.bytes.subarray(at, at + size);
        let end = block.findIndex((b) => b === 0 || b === 10 || b === 13);
        if (end === -1) end = block.length;
        texts.push(decoder.decode(block.subarray(0, end)));
        if (end < block.length - 2) paddedBlocks++;
      }
    }
    const known = texts.filter((t) => expected.includes(t)).length;
    const enough = texts.length >= Math.max(1, expected.length - 1);
    if (
      enough && paddedBlocks === texts.length && known * 2 > texts.length &&
      known > (best?.known ?? 0)
    ) {
      best = { size, texts, known };
    }
  }
  return best && { size: best.size, texts: best.texts };
}

/**
 * Messages each preceded by its length as a 2- or 4-byte big-endian number (Java's
 * `DataOutputStream.writeUTF`, or a hand-made header), on every connection. Returns the prefix
 * width and the messages, or undefined.
 */
function lengthPrefixed(
  connections: { bytes: Uint8Array }[],
): { width: number; texts: string[] } | undefined {
  for (const width of [2, 4]) {
    const texts: string[] = [];
    const fits = connections.every((c) => {
      let at = 0;
      while (at + width <= c.bytes.length) {
        let length = 0;
        for (let i = 0; i < width; i++) length = length * 256 + c.bytes[at + i]!;
        if (length === 0 || at + width + length > c.bytes.length) return false;
        texts.push(decoder.decode(c.bytes.subarray(at + width, at + width + length)));
        at += width + length;
      }
      return at === c.bytes.length;
    });
    if (fits && texts.length > 0) return { width, texts };
  }
  return undefined;
}

/** The "Client"/"Cleint" kind of difference: two adjacent letters swapped, once. */
function swappedAt(got: string, want: string): number | undefined {
  if (got.length !== want.length || got === want) return undefined;
  const diffs: number[] = [];
  for (let i = 0; i < got.length; i++) if (got[i] !== want[i]) diffs.push(i);
  if (diffs.length !== 2 || diffs[1] !== diffs[0]! + 1) return undefined;
  const i = diffs[0]!;
  return got[i] === want[i + 1] && got[i + 1] === want[i] ? i : undefined;
}

function wordAt(text: string, index: number): string {
  const start = text.lastIndexOf(" ", index) + 1;
  const end = text.indexOf(" ", index);
  return text.slice(start, end === -1 ? undefined : end);
}

/** Describes one message that differs from the expected one at the same place. */
function describeChange(
  got: string,
  want: string,
  position: number,
  expected: readonly string[],
  say: Say,
): Problem {
  const where = `your client's ${ordinal(position)} message was ${show(got)}`;
  const swap = swappedAt(got, want);
  if (swap !== undefined) {
    const gotWord = wordAt(got, swap);
    const wantWord = wordAt(want, swap);
    const fixedElsewhere = expected.some((m) => m.split(" ").includes(gotWord));
    if (fixedElsewhere) {
      return {
        kind: "typo-fixed",
        message: `${where} but the assignment expects ${
          show(want)
        }: the assignment keeps the article's typo ${show(want)} verbatim`,
        hint: say("messages.typo-fixed", { want: show(want), wantWord, gotWord }),
      };
    }
    return {
      kind: "typo",
      message: `${where} but the assignment expects ${show(want)}: "${gotWord}" is misspelt`,
      hint: say("messages.typo"),
    };
  }
  if (got.toLowerCase() === want.toLowerCase()) {
    return {
      kind: "case",
      message: `${where} but the assignment expects ${show(want)}: upper and lower case differ`,
      hint: say("messages.case"),
    };
  }
  if (got.trim() === want.trim() || got.replace(/\s+/g, " ") === want) {
    return {
      kind: "whitespace",
      message: `${where} but the assignment expects ${show(want)}: the spaces differ`,
      hint: say("messages.whitespace"),
    };
  }
  return {
    kind: "changed",
    message: `${where} but the assignment expects ${show(want)}`,
    hint: say("messages.changed"),
  };
}

type Op =
  | { op: "same"; text: string; at: number }
  | { op: "missing"; text: string; at: number }
  | { op: "extra"; text: string; at: number };

/** A longest-common-subsequence diff: what is the same, missing and extra, in order. */
function diff(got: readonly string[], want: readonly string[]): Op[] {
  const n = got.length;
  const m = want.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i]![j] = got[i] === want[j]
        ? lcs[i + 1]![j + 1]! + 1
        : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && got[i] === want[j]) {
      ops.push({ op: "same", text: got[i]!, at: j });
      i++;
      j++;
    } else if (j < m && (i === n || lcs[i]![j + 1]! >= lcs[i + 1]![j]!)) {
      ops.push({ op: "missing", text: want[j]!, at: j });
      j++;
    } else {
      ops.push({ op: "extra", text: got[i]!, at: j });
      i++;
    }
  }
  return ops;
}

/**
 * Problems in the sequence of messages (after framing was sorted out): reordered, missing,
 * extra, or changed (a typo, case, spaces); `[]` when `got` equals `want`.
 */
export function sequenceProblems(
  got: readonly string[],
  want: readonly string[],
  say: Say,
): Problem[] {
  if (equalLists(got, want)) return [];
  if (equalLists([...got].sort(), [...want].sort())) {
    return [{
      kind: "reordered",
      message: `your client sent the right messages in the wrong order: ${
        got.map(show).join(", ")
      } instead of ${want.map(show).join(", ")}`,
      hint: say("messages.reordered"),
    }];
  }
  const ops = diff(got, want);
  const problems: Problem[] = [];
  let k = 0;
  while (k < ops.length) {
    const missing: Op[] = [];
    const extra: Op[] = [];
    while (k < ops.length && ops[k]!.op !== "same") {
      (ops[k]!.op === "missing" ? missing : extra).push(ops[k]!);
      k++;
    }
    const paired = Math.min(missing.length, extra.length);
    for (let p = 0; p < paired; p++) {
      problems.push(describeChange(extra[p]!.text, missing[p]!.text, missing[p]!.at, want, say));
    }
    for (const op of missing.slice(paired)) {
      problems.push({
        kind: "missing",
        message: `your client never sent the ${ordinal(op.at)} message ${show(op.text)}`,
        hint: say("messages.missing", { count: plural(want.length, "message") }),
      });
    }
    for (const op of extra.slice(paired)) {
      problems.push({
        kind: "extra",
        message: `your client sent ${show(op.text)}, which the assignment does not ask for`,
        hint: say("messages.extra"),
      });
    }
    if (k < ops.length) k++;
  }
  return problems;
}

/**
 * Splits messages that are several expected messages run together ("no-delimiter"), e.g.
 * `Cleint QueryClient Query Quit`. Returns the split list and the runs that were joined.
 */
function splitRunTogether(
  got: readonly string[],
  want: readonly string[],
): { texts: string[]; joined: string[][] } {
  const texts: string[] = [];
  const joined: string[][] = [];
  let j = 0;
  for (const text of got) {
    if (want[j] === text) {
      texts.push(text);
      j++;
      continue;
    }
    let rest = text;
    const parts: string[] = [];
    let k = j;
    while (k < want.length && rest.length > 0 && rest.startsWith(want[k]!) && want[k] !== "") {
      parts.push(want[k]!);
      rest = rest.slice(want[k]!.length);
      k++;
    }
    if (parts.length >= 2 && rest === "") {
      texts.push(...parts);
      joined.push(parts);
      j = k;
    } else {
      texts.push(text);
      const at = want.indexOf(text, j);
      if (at !== -1) j = at + 1;
    }
  }
  return { texts, joined };
}

/** A separator other than `\n` between all messages, e.g. a space or `;`. */
function otherSeparator(text: string, want: readonly string[]): string | undefined {
  if (want.length < 2 || !text.startsWith(want[0]!)) return undefined;
  const after = text.slice(want[0]!.length);
  const next = after.indexOf(want[1]!);
  if (next <= 0 || next > 4) return undefined;
  const sep = after.slice(0, next);
  const joined = want.join(sep);
  return text === joined || text === joined + sep ? sep : undefined;
}

/** A hint in the client's language (see `hints/mod.ts`). */
export type Say = (cause: HintCause, vars?: Record<string, string>) => string;

/**
 * Decides `client.messages` from the bytes of each connection (in the order they were accepted)
 * and the spec's messages. See the module doc for what passes and what is diagnosed. Hints
 * speak the language of a client made as `kind` (language-neutral when unset).
 */
export function diagnoseMessages(
  connections: readonly ReceivedConnection[],
  expected: readonly string[],
  kind?: string,
): MessagesDiagnosis {
  const example = expected[0] ?? "";
  const say: Say = (cause, vars = {}) =>
    hint(cause, kind, { trigger: escapeText(example, 80), ...vars });
  const notes: string[] = [];
  let cut = 0;
  const conns = connections.map((c) => {
    const bytes = firstLines(c.bytes, MAX_LINES_PER_CONNECTION);
    if (bytes.length === c.bytes.length) return { bytes, closed: c.closed ?? true };
    cut++;
    return { bytes, closed: true };
  });
  if (cut > 0) {
    notes.push(
      `only the first ${MAX_LINES_PER_CONNECTION} messages of ${
        plural(cut, "connection")
      } were diagnosed`,
    );
  }
  const used = conns.filter((c) => c.bytes.length > 0);
  const problems: Problem[] = [];
  const emptyConnections = conns.length - used.length;
  const layout: ConnectionLayout = used.length === 0
    ? "none"
    : used.length === 1
    ? "one connection"
    : used.length === expected.length
    ? "one per message"
    : "several connections";
  const baseDetails = {
    expected: expected.map((m) => escapeText(m)),
    connections: conns.length,
    bytesPerConnection: connections.map((c) => c.bytes.length),
    layout,
    notes,
    problems,
  };
  const framed = frameConnections(used);
  const received = framed.cuts.map((c) => escapeText(c.text, SHOWN_BYTES)).concat(
    framed.unterminated.map((c) => `${escapeText(c.text, SHOWN_BYTES)} (unterminated)`),
  );
  const details: MessagesDetails = { ...baseDetails, received };

  if (used.length === 0) {
    const problem: Problem = conns.length === 0
      ? {
        kind: "never-connected",
        message: "your client never connected, so it sent no messages",
        hint: say("messages.never-connected"),
      }
      : {
        kind: "nothing-sent",
        message: `your client connected (${plural(conns.length, "time")}) but sent nothing`,
        hint: say("messages.nothing-sent"),
      };
    problems.push(problem);
    return finish("fail", details);
  }
  if (emptyConnections > 0) {
    notes.push(`${plural(emptyConnections, "connection")} carried no bytes (ignored)`);
  }

  let texts = framed.cuts.map((c) => c.text);
  const allBytes = concatBytes(used.map((c) => c.bytes));
  const runs = nulRuns(allBytes);

  const prefixed = runs.length > 0 ? lengthPrefixed(used) : undefined;
  if (prefixed) {
    problems.push({
      kind: "length-prefix",
      message: `your client put each message's length in ${prefixed.width} bytes before it${
        prefixed.width === 2 ? " (as Java's writeUTF does)" : ""
      } instead of ending it with '\\n': the server reads those bytes as part of the messages`,
      hint: say("messages.length-prefix"),
    });
    texts = prefixed.texts.map((t) => t.replace(/\r?\n$/, ""));
  } else if (runs.length > 0) {
    const blocks = fixedBlocks(used, expected);
    const stripped = frameConnections(used.map((c) => ({ ...c, bytes: withoutNuls(c.bytes) })));
    const asNewlines = frameConnections(
      used.map((c) => ({ ...c, bytes: nulsAsNewlines(c.bytes) })),
    );
    const hadNewline = allBytes.includes(10);
    const longest = Math.max(...runs);
    if (blocks || longest > 2) {
      const size = blocks?.size;
      problems.push({
        kind: "padding",
        message: size
          ? `your client sent ${size} bytes per message: each message is followed by the rest of its buffer ('\\0' bytes or leftovers), which the server reads as part of the messages`
          : `your client sent runs of up to ${longest} '\\0' bytes after its messages: the server reads them as part of the messages`,
        hint: say("messages.padding"),
      });
      texts = blocks
        ? blocks.texts
        : (hadNewline ? stripped : asNewlines).cuts.map((c) => c.text).filter((t) => t !== "");
    } else {
      problems.push({
        kind: "nul-terminated",
        message: hadNewline
          ? "each message ends with '\\0': the server reads the NUL byte as part of the next message"
          : "your client ended each message with '\\0' instead of '\\n': the server cannot tell where one ends",
        hint: say(hadNewline ? "messages.nul-after-newline" : "messages.nul-instead-of-newline"),
      });
      texts = (hadNewline ? stripped : asNewlines).cuts.map((c) => c.text);
      if (!hadNewline) texts = texts.filter((t) => t !== "");
    }
  } else {
    const crlf = used.reduce((n, c) => n + countCrlf(c.bytes), 0);
    if (crlf > 0) notes.push(`${plural(crlf, "message")} ended with "\\r\\n" (tolerated)`);
    const byClose = framed.cuts.filter((c) => c.endedBy === "close").length;
    if (byClose > 0) {
      notes.push(
        `${
          plural(byClose, "message")
        } ended where the connection closed, without '\\n' (allowed: the close ends it)`,
      );
    }
  }

  if (framed.unterminated.length > 0 && runs.length === 0) {
    const last = framed.unterminated[0]!;
    problems.push({
      kind: "unterminated",
      message: `your client's last message ${
        show(last.text)
      } has no '\\n' and the connection was never closed, so the server cannot know it ended`,
      hint: say("messages.newline"),
    });
    texts.push(...framed.unterminated.map((c) => c.text));
  }

  if (problems.length === 0 && texts.length < expected.length) {
    const single = texts.length === 1 ? otherSeparator(texts[0]!, expected) : undefined;
    if (single !== undefined) {
      problems.push({
        kind: "other-delimiter",
        message: `your client separated the messages with ${
          show(single)
        } instead of '\\n': the server reads them as one message ${show(texts[0]!)}`,
        hint: say("messages.newline"),
      });
      texts = [...expected];
    }
  }

  const split = splitRunTogether(texts, expected);
  if (split.joined.length > 0) {
    const first = split.joined[0]!;
    const all = split.joined.every((run) => run.length === expected.length);
    problems.push({
      kind: "no-delimiter",
      message: all
        ? `your client sent ${
          show(first.join(""))
        } with no '\\n' between messages: the server cannot tell where one ends`
        : `your client sent ${first.map(show).join(" and ")} run together as ${
          show(first.join(""))
        }, with no '\\n' between them`,
      hint: say("messages.newline"),
    });
    texts = split.texts;
  }

  const blank = texts.filter((t) => t === "").length;
  if (blank > 0) texts = texts.filter((t) => t !== "");
  problems.push(...sequenceProblems(texts, expected, say));
  if (blank > 0) {
    problems.push({
      kind: "empty-lines",
      message: `your client also sent ${
        plural(blank, "empty line")
      } (a '\\n' with nothing before it)`,
      hint: say("messages.empty-lines"),
    });
  }

  if (problems.length === 0) return finish("pass", details);
  if (problems.every((p) => p.kind === "empty-lines")) return finish("fail", details, 0.5);
  return finish("fail", details);

  function finish(
    status: MessagesDiagnosis["status"],
    d: MessagesDetails,
    fraction?: number,
  ): MessagesDiagnosis {
    const first = d.problems[0];
    if (!first) {
      const where = d.layout === "one connection"
        ? "on one connection"
        : d.layout === "one per message"
        ? "one connection per message"
        : `over ${plural(used.length, "connection")}`;
      return {
        status,
        kind: "exact",
        message: `sent the ${plural(expected.length, "message")} in order, ${where}${
          d.notes.length > 0 ? `; ${d.notes.join("; ")}` : ""
        }`,
        details: d,
      };
    }
    const more = d.problems.length > 1
      ? ` (and ${plural(d.problems.length - 1, "more problem")}, see the evidence)`
      : "";
    return {
      status,
      kind: first.kind,
      message: `${first.message}${more}`,
      ...(first.hint ? { hint: first.hint } : {}),
      ...(fraction !== undefined ? { fraction } : {}),
      details: d,
    };
  }
}
