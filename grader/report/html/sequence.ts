/**
 * SVG sequence diagrams of exchanges: one lifeline per actor (grader, probe, client, capture,
 * server), time running down the page (each event a row, with a bigger gap after a longer
 * wait, and its time on the left axis), arrows for connect / send / receive / close / reset /
 * refused labelled with the escaped bytes, and notes on a lifeline for printed lines (stdout,
 * stderr), program starts and exits, timeouts and remarks.
 *
 * Every label goes through the escaping `html` template; a cut label keeps its full text in a
 * `<title>` tooltip.
 *
 * @example
 * ```ts
 * import { sequenceDiagram } from "./sequence.ts";
 * const svg = sequenceDiagram({
 *   label: "trigger",
 *   events: [{ atMs: 0, actor: "probe", kind: "send", data: "Client Query\\n" }],
 * }).value;
 * if (!svg.startsWith("<svg") || !svg.includes("Client Query\\n")) throw new Error(svg);
 * ```
 * @module
 */

import type { Actor, Exchange, ExchangeEvent } from "../../result.ts";
import { actorsOf, describeEvent, isArrow, peerOf } from "../_evidence.ts";
import { html, type SafeHtml } from "./markup.ts";

const AXIS = 78;
const GAP_MIN = 150;
const GAP_MAX = 520;
const TOP = 52;
const ROW = 30;
const NOTE_MAX = 300;
const CHAR = 7.3;
const FONT = "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace";

const ARROW_COLOR: Readonly<Record<string, string>> = {
  connect: "#4b5563",
  refused: "#c62828",
  send: "#1d4ed8",
  receive: "#0f766e",
  close: "#6b7280",
  reset: "#c62828",
};

const NOTE_STYLE: Readonly<Record<string, { fill: string; stroke: string }>> = {
  stdout: { fill: "#e8f5e9", stroke: "#2e7d32" },
  stderr: { fill: "#fdecea", stroke: "#c62828" },
  timeout: { fill: "#fff4e5", stroke: "#b26a00" },
  note: { fill: "#e8eefc", stroke: "#1d4ed8" },
};
const NOTE_DEFAULT = { fill: "#f3f4f6", stroke: "#6b7280" };

function cut(text: string, chars: number): string {
  const max = Math.max(4, Math.floor(chars));
  const graphemes = [...text];
  return graphemes.length <= max ? text : `${graphemes.slice(0, max - 1).join("")}…`;
}

function timeLabel(atMs: number): string {
  return atMs >= 100 ? `${Math.round(atMs)} ms` : `${atMs.toFixed(1)} ms`;
}

/** The vertical gap before an event: a longer wait gives a taller gap (logarithmic). */
function gapBefore(previous: ExchangeEvent | undefined, event: ExchangeEvent): number {
  if (!previous) return 0;
  const waited = Math.max(0, event.atMs - previous.atMs);
  return ROW + Math.min(40, Math.round(12 * Math.log10(1 + waited)));
}

function arrow(
  event: ExchangeEvent,
  fromX: number,
  toX: number,
  y: number,
  connectionNote: string,
): SafeHtml {
  const color = ARROW_COLOR[event.kind] ?? "#1d4ed8";
  const reversed = event.kind === "receive" || event.kind === "refused";
  const [x1, x2] = reversed ? [toX, fromX] : [fromX, toX];
  const dir = Math.sign(x2 - x1) || 1;
  const full = describeEvent(event) + connectionNote;
  const label = cut(describeEvent(event, true) + connectionNote, (Math.abs(x2 - x1) - 16) / CHAR);
  const dash = event.kind === "close" ? "5 4" : "none";
  const head = event.kind === "refused"
    ? html`
      <path d="M${x2 - dir * 10} ${y - 6} l12 12 M${x2 - dir * 10} ${y +
        6} l12 -12" stroke="${color}"
        stroke-width="2" transform="translate(${dir < 0 ? 8 : -2} 0)" />
    `
    : html`
      <polygon points="${x2},${y} ${x2 - dir * 9},${y - 4.5} ${x2 - dir * 9},${y + 4.5}"
        fill="${color}" />
    `;
  return html`<g class="arrow kind-${event.kind}"><title>${event.actor}: ${full}</title>
<line x1="${x1}" y1="${y}" x2="${x2 - dir * 8}" y2="${y}" stroke="${color}" stroke-width="${
    event.kind === "reset" ? 2.5 : 1.6
  }" stroke-dasharray="${dash}"/>${head}
<text x="${(x1 + x2) / 2}" y="${y - 6}" text-anchor="middle" fill="${color}">${label}</text></g>`;
}

/** A note's label (cut to fit) and its box width. */
function noteLabel(event: ExchangeEvent): { full: string; label: string; width: number } {
  const full = describeEvent(event);
  const label = cut(full, (NOTE_MAX - 14) / CHAR);
  return { full, label, width: Math.min(NOTE_MAX, [...label].length * CHAR + 14) };
}

function note(event: ExchangeEvent, x: number, y: number): SafeHtml {
  const style = NOTE_STYLE[event.kind] ?? NOTE_DEFAULT;
  const { full, label, width } = noteLabel(event);
  return html`
    <g class="note kind-${event.kind}">
      <title>${event.actor}: ${full}</title>
      <rect x="${x + 6}" y="${y - 11}" width="${width.toFixed(1)}" height="20" rx="4" fill="${style
        .fill}"
        stroke="${style.stroke}" />
      <text x="${x + 13}" y="${y + 3}" fill="#111827">${label}</text>
    </g>
  `;
}

/**
 * Where each lifeline goes: the gap between two neighbours is wide enough for the longest arrow
 * label between them (within bounds), so silent actors take little room.
 */
function lifelineX(
  exchange: Exchange,
  actors: readonly Actor[],
  present: ReadonlySet<Actor>,
  withConnections: boolean,
): Map<Actor, number> {
  const longest = new Map<string, number>();
  for (const event of exchange.events) {
    const peer = peerOf(event.actor, present);
    if (!isArrow(event) || !peer) continue;
    const [a, b] = [actors.indexOf(event.actor), actors.indexOf(peer)].sort((x, y) => x - y);
    const chars = [...describeEvent(event, true)].length +
      (withConnections && event.connection ? event.connection.length + 3 : 0);
    // An arrow spanning several gaps shares its label's room among them.
    const share = chars / (b! - a!);
    for (let i = a!; i < b!; i++) longest.set(`${i}`, Math.max(longest.get(`${i}`) ?? 0, share));
  }
  const xs = new Map<Actor, number>();
  let x = AXIS + 70;
  actors.forEach((actor, i) => {
    xs.set(actor, x);
    const chars = longest.get(`${i}`) ?? 0;
    x += Math.round(Math.min(GAP_MAX, Math.max(GAP_MIN, chars * CHAR + 40)));
  });
  return xs;
}

/**
 * One exchange as an inline SVG sequence diagram (see the module doc). The SVG has explicit
 * width and height, a `<title>` with the exchange label, and class `seq`.
 */
export function sequenceDiagram(exchange: Exchange): SafeHtml {
  const actors = actorsOf(exchange);
  const present = new Set<Actor>(actors);
  const connections = new Set(exchange.events.map((e) => e.connection).filter(Boolean));
  const laneX = lifelineX(exchange, actors, present, connections.size > 1);
  let right = Math.max(...laneX.values()) + 60;
  const rows: SafeHtml[] = [];
  let y = TOP + 26;
  let previous: ExchangeEvent | undefined;
  for (const event of exchange.events) {
    y += gapBefore(previous, event);
    previous = event;
    const x = laneX.get(event.actor)!;
    const peer = peerOf(event.actor, present);
    const connectionNote = connections.size > 1 && event.connection ? ` [${event.connection}]` : "";
    rows.push(html`
      <text class="time" x="${AXIS - 8}" y="${y + 4}" text-anchor="end"
        fill="#6b7280">${timeLabel(event.atMs)}</text>
    `);
    if (isArrow(event) && peer) {
      rows.push(arrow(event, x, laneX.get(peer)!, y, connectionNote));
    } else {
      rows.push(note(event, x, y));
      right = Math.max(right, x + 6 + noteLabel(event).width + 10);
    }
  }
  const height = y + 30;
  const width = Math.ceil(right);
  const heads = actors.map((actor) => {
    const x = laneX.get(actor)!;
    return html`
      <g class="lifeline">
        <rect x="${x - 48}" y="10" width="96" height="26" rx="5" fill="#1f2937" />
        <text x="${x}" y="28" text-anchor="middle" fill="#ffffff"
          font-weight="bold">${actor}</text>
        <line x1="${x}" y1="36" x2="${x}" y2="${height - 10}" stroke="#9ca3af"
          stroke-dasharray="4 4" />
      </g>
    `;
  });
  return html`
    <svg class="seq" xmlns="http://www.w3.org/2000/svg" role="img" width="${width}"
      height="${height}" viewBox="0 0 ${width} ${height}" font-family="${FONT}"
      font-size="12">
    <title>${exchange.label}</title>
    <line x1="${AXIS}" y1="${TOP}" x2="${AXIS}" y2="${height - 10}" stroke="#d1d5db"/>
    <text x="${AXIS - 8}" y="${TOP - 4}" text-anchor="end" fill="#6b7280">time ↓</text>
    ${heads}
    ${rows}
    </svg>
  `.trim();
}
