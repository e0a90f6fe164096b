/**
 * The check catalogue of EXERCISE.md §3: every stable check id, what it checks, which side of
 * the submission it belongs to, and its default points (the default rubric totals 100).
 *
 * @example
 * ```ts
 * import { CHECKS, DEFAULT_POINTS } from "./catalogue.ts";
 * const total = CHECKS.reduce((sum, c) => sum + DEFAULT_POINTS[c.id], 0);
 * if (total !== 100) throw new Error("the default rubric must total 100");
 * ```
 * @module
 */

/** Which program a check exercises. */
export type CheckSide = "server" | "client" | "pair";

/**
 * A transport's name (EXERCISE.md §6): `spec.ts`'s `Transport`, written out here because
 * `spec.ts` imports this table.
 */
export type TransportName = "tcp" | "udp" | "unix-stream" | "unix-dgram";

/** One row of the catalogue. */
export interface CheckInfo {
  /** The stable id. These names are public interface: never rename one. */
  readonly id: string;
  /** The program it exercises. */
  readonly side: CheckSide;
  /** Default points; a spec's `points` overrides them. The defaults total 100. */
  readonly points: number;
  /** A short title for tables and reports. */
  readonly title: string;
  /** One sentence saying what passing means, for students. */
  readonly description: string;
  /**
   * The transports the check does not apply to, each with the reason its `skip` gives (its
   * points then leave the maximum, EXERCISE.md §6); empty: it applies to every transport.
   */
  readonly transports: Readonly<Partial<Record<TransportName, string>>>;
}

/** Why a check does not apply to datagram transports where a server has no connections. */
const NO_CONNECTIONS =
  "a datagram server has no connections: one socket serves every client, so there is no idle client to block it";
/** Why a UDP client cannot be asked to notice that no server is there. */
const UDP_UNACKNOWLEDGED =
  "a UDP client cannot know that no server is there: datagrams are not acknowledged, so exiting 0 is correct";

/**
 * The catalogue, in report order: the one table every list of checks derives from (ids,
 * default points, the README's table, the reports' columns).
 */
export const CHECKS = [
  {
    id: "build.server",
    side: "server",
    points: 5,
    title: "server builds",
    description: "The server program builds; compiler output is kept as evidence.",
    transports: {},
  },
  {
    id: "build.client",
    side: "client",
    points: 5,
    title: "client builds",
    description: "The client program builds; compiler output is kept as evidence.",
    transports: {},
  },
  {
    id: "server.starts",
    side: "server",
    points: 5,
    title: "server starts",
    description: "The server stays up and accepts connections on the expected port in time.",
    transports: {},
  },
  {
    id: "server.trigger",
    side: "server",
    points: 15,
    title: "trigger answered",
    description: "The trigger from the allowed address makes the server print the response once.",
    transports: {},
  },
  {
    id: "server.exact-match",
    side: "server",
    points: 10,
    title: "exact match",
    description: "Near misses of the trigger (extra words, typos, case, spaces) print nothing.",
    transports: {},
  },
  {
    id: "server.framing",
    side: "server",
    points: 8,
    title: "message framing",
    description:
      "Split writes, two messages in one write, a message ended by close and CRLF are each framed right.",
    transports: {},
  },
  {
    id: "server.address-filter",
    side: "server",
    points: 10,
    title: "address filter",
    description:
      "The trigger from an address that is not allowed prints nothing, and the allowed address still works.",
    transports: {},
  },
  {
    id: "server.robustness",
    side: "server",
    points: 5,
    title: "robustness",
    description:
      "Connect-and-close, a reset mid-line, 1 MiB without a newline and binary bytes do not stop the server.",
    transports: {},
  },
  {
    id: "server.concurrency",
    side: "server",
    points: 5,
    title: "concurrency",
    description: "An idle client does not stop another client's trigger from being answered.",
    transports: { udp: NO_CONNECTIONS, "unix-dgram": NO_CONNECTIONS },
  },
  {
    id: "server.output",
    side: "server",
    points: 2,
    title: "clean output",
    description: "Standard output holds only response lines, printed when they are due.",
    transports: {},
  },
  {
    id: "client.connects",
    side: "client",
    points: 5,
    title: "client connects",
    description: "The client connects to the server address and port it is given.",
    transports: {},
  },
  {
    id: "client.messages",
    side: "client",
    points: 12,
    title: "messages sent",
    description:
      "The client sends exactly the spec's messages, in order, each framed by a newline.",
    transports: {},
  },
  {
    id: "client.exits",
    side: "client",
    points: 3,
    title: "client exits",
    description: "The client exits by itself with status 0 in time, its connections closed.",
    transports: {},
  },
  {
    id: "client.no-server",
    side: "client",
    points: 3,
    title: "no server",
    description:
      "With nothing listening, the client exits non-zero in time with an error on stderr.",
    transports: { udp: UDP_UNACKNOWLEDGED },
  },
  {
    id: "pair.end-to-end",
    side: "pair",
    points: 7,
    title: "end to end",
    description:
      "The submission's own client against its own server: one response per trigger sent, client exits 0.",
    transports: {},
  },
] as const satisfies readonly CheckInfo[];

/** A stable check id from EXERCISE.md §3. */
export type CheckId = typeof CHECKS[number]["id"];

/** Every check id, in report order. */
export const CHECK_IDS: readonly CheckId[] = CHECKS.map((c) => c.id);

/** Default points per check; a spec's `points` overrides any of them. */
export const DEFAULT_POINTS: Readonly<Record<CheckId, number>> = Object.fromEntries(
  CHECKS.map((c) => [c.id, c.points]),
) as Record<CheckId, number>;

/** Looks up a catalogue row by id. */
export function checkInfo(id: CheckId): CheckInfo {
  const info = CHECKS.find((c) => c.id === id);
  if (!info) throw new RangeError(`Unknown check id "${id}".`);
  return info;
}

/**
 * Why check `id` does not apply to `transport` (the reason its `skip` gives, see
 * {@linkcode CheckInfo.transports}), or undefined when it applies.
 *
 * @example
 * ```ts
 * import { notApplicable } from "./catalogue.ts";
 * if (!notApplicable("server.concurrency", "udp")) throw new Error("datagrams have no connections");
 * if (notApplicable("server.trigger", "udp")) throw new Error("the trigger applies everywhere");
 * ```
 */
export function notApplicable(id: CheckId, transport: TransportName): string | undefined {
  const transports: Readonly<Partial<Record<TransportName, string>>> = checkInfo(id).transports;
  return transports[transport];
}

/**
 * The ids of the checks that run a side's program (every check of the side but its build), in
 * report order.
 */
export function runCheckIds(side: "server" | "client"): CheckId[] {
  return CHECKS.filter((c) => c.side === side && c.id !== `build.${side}`).map((c) => c.id);
}
