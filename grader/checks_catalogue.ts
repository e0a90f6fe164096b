/**
 * The check catalogue of EXERCISE.md §3: every stable check id, what it checks, which side of
 * the submission it belongs to, and its default points (the default rubric totals 100).
 *
 * @example
 * ```ts
 * import { CHECKS, DEFAULT_POINTS } from "./checks_catalogue.ts";
 * const total = CHECKS.reduce((sum, c) => sum + DEFAULT_POINTS[c.id], 0);
 * if (total !== 100) throw new Error("the default rubric must total 100");
 * ```
 * @module
 */

/** Every check id, in report order. These names are public interface: never rename one. */
export const CHECK_IDS = [
  "build.server",
  "build.client",
  "server.starts",
  "server.trigger",
  "server.exact-match",
  "server.framing",
  "server.address-filter",
  "server.robustness",
  "server.concurrency",
  "server.output",
  "client.connects",
  "client.messages",
  "client.exits",
  "client.no-server",
  "pair.end-to-end",
] as const;

/** A stable check id from EXERCISE.md §3. */
export type CheckId = typeof CHECK_IDS[number];

/** Which program a check exercises. */
export type CheckSide = "server" | "client" | "pair";

/** One row of the catalogue. */
export interface CheckInfo {
  /** The stable id. */
  id: CheckId;
  /** The program it exercises. */
  side: CheckSide;
  /** A short title for tables and reports. */
  title: string;
  /** One sentence saying what passing means, for students. */
  description: string;
}

/** Default points per check; a spec's `points` overrides any of them. */
export const DEFAULT_POINTS: Readonly<Record<CheckId, number>> = {
  "build.server": 5,
  "build.client": 5,
  "server.starts": 5,
  "server.trigger": 15,
  "server.exact-match": 10,
  "server.framing": 8,
  "server.address-filter": 10,
  "server.robustness": 5,
  "server.concurrency": 5,
  "server.output": 2,
  "client.connects": 5,
  "client.messages": 12,
  "client.exits": 3,
  "client.no-server": 3,
  "pair.end-to-end": 7,
};

/** The catalogue, in report order. */
export const CHECKS: readonly CheckInfo[] = [
  {
    id: "build.server",
    side: "server",
    title: "server builds",
    description: "The server program builds; compiler output is kept as evidence.",
  },
  {
    id: "build.client",
    side: "client",
    title: "client builds",
    description: "The client program builds; compiler output is kept as evidence.",
  },
  {
    id: "server.starts",
    side: "server",
    title: "server starts",
    description: "The server stays up and accepts connections on the expected port in time.",
  },
  {
    id: "server.trigger",
    side: "server",
    title: "trigger answered",
    description: "The trigger from the allowed address makes the server print the response once.",
  },
  {
    id: "server.exact-match",
    side: "server",
    title: "exact match",
    description: "Near misses of the trigger (extra words, typos, case, spaces) print nothing.",
  },
  {
    id: "server.framing",
    side: "server",
    title: "message framing",
    description:
      "Split writes, two messages in one write, a message ended by close and CRLF are each framed right.",
  },
  {
    id: "server.address-filter",
    side: "server",
    title: "address filter",
    description:
      "The trigger from an address that is not allowed prints nothing, and the allowed address still works.",
  },
  {
    id: "server.robustness",
    side: "server",
    title: "robustness",
    description:
      "Connect-and-close, a reset mid-line, 1 MiB without a newline and binary bytes do not stop the server.",
  },
  {
    id: "server.concurrency",
    side: "server",
    title: "concurrency",
    description: "An idle client does not stop another client's trigger from being answered.",
  },
  {
    id: "server.output",
    side: "server",
    title: "clean output",
    description: "Standard output holds only response lines, printed when they are due.",
  },
  {
    id: "client.connects",
    side: "client",
    title: "client connects",
    description: "The client connects to the server address and port it is given.",
  },
  {
    id: "client.messages",
    side: "client",
    title: "messages sent",
    description:
      "The client sends exactly the spec's messages, in order, each framed by a newline.",
  },
  {
    id: "client.exits",
    side: "client",
    title: "client exits",
    description: "The client exits by itself with status 0 in time, its connections closed.",
  },
  {
    id: "client.no-server",
    side: "client",
    title: "no server",
    description:
      "With nothing listening, the client exits non-zero in time with an error on stderr.",
  },
  {
    id: "pair.end-to-end",
    side: "pair",
    title: "end to end",
    description:
      "The submission's own client against its own server: one response per trigger sent, client exits 0.",
  },
];

/** Looks up a catalogue row by id. */
export function checkInfo(id: CheckId): CheckInfo {
  const info = CHECKS.find((c) => c.id === id);
  if (!info) throw new RangeError(`Unknown check id "${id}".`);
  return info;
}

/**
 * The ids of the checks that run a side's program (every check of the side but its build), in
 * report order.
 */
export function runCheckIds(side: "server" | "client"): CheckId[] {
  return CHECKS.filter((c) => c.side === side && c.id !== `build.${side}`).map((c) => c.id);
}
