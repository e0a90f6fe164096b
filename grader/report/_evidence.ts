/**
 * Evidence as plain text lines, shared by the terminal detail view, the student view, JUnit,
 * Gradescope, PrairieLearn and the HTML report's text fallback: captured output split into lines,
 * free-form fields as `key: value`, and each exchange as short `→` / `←` lines.
 *
 * All text returned here is safe for a terminal and for XML (control characters are escaped).
 *
 * @module
 */

import type { Actor, Evidence, Exchange, ExchangeEvent } from "../result.ts";
import { terminalSafe } from "./_text.ts";

/**
 * Splits escaped output (see grader/text/bytes.ts) into lines at each `\n` escape, leaving other
 * escapes (`\r`, `\0`, `\xNN`, `\\`) in place. A final empty line is dropped.
 */
export function splitEscapedLines(escaped: string): string[] {
  const lines: string[] = [];
  let line = "";
  for (let i = 0; i < escaped.length; i++) {
    const c = escaped[i]!;
    if (c === "\\" && i + 1 < escaped.length) {
      const next = escaped[i + 1]!;
      i++;
      if (next === "n") {
        lines.push(line);
        line = "";
      } else {
        line += c + next;
      }
    } else {
      line += c;
    }
  }
  if (line !== "") lines.push(line);
  return lines;
}

/** Keeps the first and last lines of a long block, with a line saying how many were left out. */
export function cutLines(lines: string[], maxLines: number): string[] {
  if (lines.length <= maxLines) return lines;
  const tail = Math.floor((maxLines - 1) / 3);
  const head = maxLines - 1 - tail;
  return [
    ...lines.slice(0, head),
    `… ${lines.length - head - tail} more lines …`,
    ...lines.slice(lines.length - tail),
  ];
}

const NETWORK_PEERS: Readonly<Record<Actor, readonly Actor[]>> = {
  probe: ["server"],
  server: ["probe", "client"],
  client: ["capture", "server"],
  capture: ["client"],
  grader: [],
};

/**
 * Who an actor talks to in an exchange: the probe and the server talk to each other, the client
 * to the capture server (or to the submission's own server in end-to-end exchanges).
 */
export function peerOf(actor: Actor, present: ReadonlySet<Actor>): Actor | undefined {
  return NETWORK_PEERS[actor].find((peer) => present.has(peer));
}

/** The order of lifelines, left to right: who starts things on the left, servers on the right. */
const LIFELINE_ORDER: readonly Actor[] = ["grader", "probe", "client", "capture", "server"];

/**
 * The actors of an exchange in lifeline order, including the silent peer of an actor that sends
 * or connects (a probe's trigger to a server that printed nothing still goes to the server).
 */
export function actorsOf(exchange: Exchange): Actor[] {
  const present = new Set(exchange.events.map((e) => e.actor));
  for (const event of exchange.events) {
    if (!isArrow(event) || peerOf(event.actor, present)) continue;
    const implied = event.actor === "client" ? "capture" : NETWORK_PEERS[event.actor][0];
    if (implied) present.add(implied);
  }
  return LIFELINE_ORDER.filter((a) => present.has(a));
}

/** Whether an event is a message between two actors (drawn as an arrow) or a note on one. */
export function isArrow(event: ExchangeEvent): boolean {
  return ["connect", "refused", "send", "receive", "close", "reset"].includes(event.kind);
}

/**
 * The words describing an event, without who did it: `send "Client Query\n" (13 B)`, `connect to
 * 192.168.100.168:6666 from 192.168.100.2:40112` (`short` leaves out the source address),
 * `stdout "Receive Query"`.
 */
export function describeEvent(event: ExchangeEvent, short = false): string {
  const data = event.data === undefined ? "" : terminalSafe(event.data);
  const size = event.size === undefined ? "" : ` (${event.size} B)`;
  switch (event.kind) {
    case "connect":
      return `connect${event.to ? ` to ${event.to}` : ""}${
        event.from && !short ? ` from ${event.from}` : ""
      }`;
    case "refused":
      return "connection refused";
    case "send":
      return `send "${data}"${size}`;
    case "receive":
      return `recv "${data}"${size}`;
    case "close":
      return "close (FIN)";
    case "reset":
      return "reset (RST)";
    case "stdout":
    case "stderr":
      return `${event.kind} "${data}"`;
    default:
      return data ? `${event.kind}: ${data}` : event.kind;
  }
}

/** The time of an event as shown beside it: `   1.2 ms`. */
export function eventTime(atMs: number): string {
  const shown = atMs >= 100 ? String(Math.round(atMs)) : atMs.toFixed(1);
  return `${shown.padStart(6)} ms`;
}

/** One exchange as text: its label, then one short line per event. */
export function exchangeLines(exchange: Exchange): string[] {
  const present = new Set(actorsOf(exchange));
  const connections = new Set(exchange.events.map((e) => e.connection).filter(Boolean));
  const width = Math.max(...[...present].map((a) => a.length), 5);
  const lines = [`exchange: ${terminalSafe(exchange.label)}`];
  for (const event of exchange.events) {
    const peer = peerOf(event.actor, present);
    let who = event.actor.padEnd(width);
    if (isArrow(event) && peer) {
      const arrow = event.kind === "receive" || event.kind === "refused" ? "←" : "→";
      who = `${event.actor.padEnd(width)} ${arrow} ${peer.padEnd(width)}`;
    } else {
      who = `${event.actor.padEnd(width)}   ${"".padEnd(width)}`;
    }
    const connection = connections.size > 1 && event.connection ? ` [${event.connection}]` : "";
    lines.push(`  ${eventTime(event.atMs)}  ${who}  ${describeEvent(event)}${connection}`);
  }
  return lines;
}

function valueText(value: unknown): string {
  if (typeof value === "string") return terminalSafe(value);
  const json = JSON.stringify(value);
  return terminalSafe(json === undefined ? String(value) : json);
}

/** Options for {@linkcode evidenceLines}. */
export interface EvidenceTextOptions {
  /** The most lines any one block (stdout, stderr, a field, an exchange) may take. */
  maxLines?: number;
}

/** Evidence as text lines: stdout and stderr blocks, other fields, then exchanges. */
export function evidenceLines(evidence: Evidence, options: EvidenceTextOptions = {}): string[] {
  const maxLines = options.maxLines ?? 20;
  const lines: string[] = [];
  const { exchanges, stdout, stderr, ...rest } = evidence;
  for (const [name, text] of [["stdout", stdout], ["stderr", stderr]] as const) {
    if (text === undefined) continue;
    const block = splitEscapedLines(terminalSafe(text));
    if (block.length === 0) {
      lines.push(`${name}: (empty)`);
    } else {
      lines.push(`${name}:`, ...cutLines(block, maxLines).map((l) => `  │ ${l}`));
    }
  }
  for (const key of Object.keys(rest).sort()) {
    const text = valueText(rest[key]);
    const cut = text.length > 300 ? `${text.slice(0, 299)}…` : text;
    lines.push(`${terminalSafe(key)}: ${cut}`);
  }
  for (const exchange of exchanges ?? []) {
    lines.push(...cutLines(exchangeLines(exchange), maxLines));
  }
  return lines;
}
