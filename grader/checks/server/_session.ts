/**
 * What the server checks of one submission share: the {@linkcode Session} (where probes connect,
 * how the trigger is answered, the server kept from the checks before), and the tally of what the
 * forced runs printed besides the response ({@linkcode tallyOutput}), with the bounds past which a
 * server floods stdout ({@linkcode FLOOD_LINES}, {@linkcode FLOOD_BYTES}).
 *
 * @module
 */

import type { CheckId } from "../catalogue.ts";
import type { Spec } from "../../spec.ts";
import {
  OTHER_SAMPLE,
  type OtherOutput,
  type Readiness,
  type ServerRun,
} from "../server_program.ts";
import type { ProgramPlan } from "../types.ts";
import type { NetPlan } from "../../sandbox/net_plan.ts";
import type { Endpoint } from "../../probes/transport.ts";

/** How the trigger gets answered by this server (found by `server.trigger`). */
export interface Recipe {
  /** What follows the trigger: `\n`, or nothing (the close ends it). */
  terminator: string;
  /** Whether the server answers only once the client has closed its side. */
  closeAfter: boolean;
}

/** What the checks of one submission share. */
export interface Session {
  /** The assignment. */
  spec: Spec;
  /** Addresses and port. */
  net: NetPlan;
  /** How to start the server. */
  plan: ProgramPlan;
  /** Where probes connect or send: where `server.starts` found the server. */
  target: Endpoint;
  /** Appended to every later message when the target is not the expected one. */
  targetNote: string;
  /** Whether `server.starts` saw the server listen. */
  listening: boolean;
  /** How the trigger is answered, once `server.trigger` found it. */
  recipe?: Recipe;
  /**
   * Whether the server closed a connection on its own after reading the trigger, before the
   * probe's FIN (e.g. one `recv()` per connection): later steps then wait for its close instead
   * of racing it with a FIN (see `Work.sendLast` in `_work.ts`).
   */
  closesOnItsOwn?: boolean;
  /** The response latency `server.trigger` measured with forced line buffering. */
  forcedLatencyMs?: number;
  /** Stdout other than the response, from every forced run (bounded: counters and a sample). */
  other: OtherTally;
  /** The forced server the last check passed with, still running: the next check reuses it. */
  kept?: KeptServer;
}

/**
 * A server kept running after a check it passed (see "One server while it passes" in
 * `_run_check.ts`).
 */
export interface KeptServer {
  /** The running server. */
  run: ServerRun;
  /** Where it listens. */
  ready: Readiness & { state: "listening" };
  /** The check that started it. */
  startedFor: CheckId;
  /** The checks it has passed so far. */
  passed: CheckId[];
}

/** What the forced runs of one submission printed besides the response. */
export interface OtherTally {
  /** Other lines in all runs. */
  lines: number;
  /** The first {@linkcode OTHER_SAMPLE} distinct other lines over all runs. */
  sample: string[];
  /** The most other lines one run printed. */
  maxLines: number;
  /** The first run that flooded stdout (see {@linkcode FLOOD_LINES}), if one did. */
  flood?: Flood;
  /** Response lines no probe's trigger caused, in all forced runs (see `server_program.ts`). */
  unsolicited: number;
  /** Of those, the ones printed at start-up, before any probe. */
  atStartUp: number;
  /** Response lines past the sandbox's bound on timed responses (a flood of responses). */
  untimed: number;
  /** The checks during which unsolicited responses showed up, with how many. */
  unsolicitedIn: { check: CheckId; count: number }[];
  /**
   * The first check that saw no response while the server's output had no newline for
   * {@linkcode UNTERMINATED_BYTES} or more: every response it printed was glued to that line.
   */
  unterminated?: { check: CheckId; bytes: number; glued: number };
}

/**
 * Output without a newline this long, when a check then sees no response, is why it saw none
 * (the response was printed at the end of that line): named in the check, charged to
 * `server.output`.
 */
export const UNTERMINATED_BYTES = 64 * 1024;

/** What one check's run printed when it flooded stdout. */
export interface Flood {
  /** The check during which it flooded. */
  check: CheckId;
  /** Lines other than the response. */
  lines: number;
  /** Their bytes, unterminated ones included. */
  bytes: number;
  /** Bytes of a line that never ended (a flood without newlines), at the end of the check. */
  withoutNewline: number;
}

/** An empty tally. */
export function emptyTally(): OtherTally {
  return {
    lines: 0,
    sample: [],
    maxLines: 0,
    unsolicited: 0,
    atStartUp: 0,
    untimed: 0,
    unsolicitedIn: [],
  };
}

/** The counters of one run a check's tally starts from (see {@linkcode tallyOutput}). */
export type TallyBase = Pick<
  OtherOutput,
  "lines" | "bytes" | "unsolicited" | "atStartUp" | "untimed" | "glued"
>;

/**
 * A server floods stdout when ONE check's run prints more than this many lines other than the
 * response (sync markers excluded), or {@linkcode FLOOD_BYTES} of them. A check lasts well under
 * a few seconds and sends at most about 1 MiB: a server that prints a line per connection, per
 * message, or even per `recv()` of the 1 MiB robustness case with a 1 KiB buffer stays below
 * (about 1,000 lines), while one that prints in a loop regardless of input goes far beyond.
 */
export const FLOOD_LINES = 5000;
/** See {@linkcode FLOOD_LINES}: 4 MiB, above an echo of everything the checks send. */
export const FLOOD_BYTES = 4 * 1024 * 1024;

/**
 * Adds what one forced run printed besides the response during one check (since `base`, the
 * run's counters when the check began) to the session's tally (bounded; never spreads lists).
 * Returns this check's share: its other output and the responses no probe caused.
 */
export function tallyOutput(
  session: Session,
  check: CheckId,
  run: ServerRun,
  base: TallyBase = { lines: 0, bytes: 0, unsolicited: 0, atStartUp: 0, untimed: 0, glued: 0 },
): TallyBase {
  const other = run.otherOutput();
  const share: TallyBase = {
    lines: other.lines - base.lines,
    bytes: other.bytes - base.bytes,
    unsolicited: other.unsolicited - base.unsolicited,
    atStartUp: other.atStartUp - base.atStartUp,
    untimed: other.untimed - base.untimed,
    glued: other.glued - base.glued,
  };
  const tally = session.other;
  tally.lines += share.lines;
  for (const line of other.sample) {
    if (tally.sample.length >= OTHER_SAMPLE) break;
    if (!tally.sample.includes(line)) tally.sample.push(line);
  }
  tally.maxLines = Math.max(tally.maxLines, share.lines);
  tally.unsolicited += share.unsolicited;
  tally.atStartUp += share.atStartUp;
  tally.untimed += share.untimed;
  if (share.unsolicited > 0) tally.unsolicitedIn.push({ check, count: share.unsolicited });
  if (!tally.flood && (share.lines > FLOOD_LINES || share.bytes > FLOOD_BYTES)) {
    tally.flood = {
      check,
      lines: share.lines,
      bytes: share.bytes,
      withoutNewline: other.pendingBytes,
    };
  }
  return share;
}
