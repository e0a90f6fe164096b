/**
 * What a check function receives and returns. Check modules (server, client, pair) produce
 * outcomes; `grader/score.ts` turns them into scored `CheckResult`s using the spec's rubric.
 *
 * @module
 */

import type { CheckId } from "../checks_catalogue.ts";
import type { CheckStatus, Evidence } from "../result.ts";
import type { Spec } from "../spec.ts";

/** How to start one built program (arguments are appended by the check). */
export interface ProgramPlan {
  /** Command and fixed arguments, e.g. `["./server"]` or `["python3", "server.py"]`. */
  argv: string[];
  /** Working directory: the submission's temporary build copy. */
  cwd: string;
  /** Environment the language needs (everything else is cleared). */
  env: Record<string, string>;
  /**
   * How sockgrade can force line-buffered stdout for this program: `stdbuf` (prefix the command
   * with `stdbuf -oL -eL`), `env` (variables already in `env`, e.g. PYTHONUNBUFFERED) or `none`
   * (the runtime flushes by itself, e.g. Java's println, Deno's console.log).
   */
  lineBuffering: "stdbuf" | "env" | "none";
  /** Environment that forces line buffering when lineBuffering is `env`. */
  lineBufferingEnv?: Record<string, string>;
}

/** The addresses and port the programs are given in this isolation mode (EXERCISE.md §4). */
export interface NetPlan {
  /** `netns`: inside the private namespace; `none`: host loopback. */
  mode: "netns" | "none";
  /** Where the server listens and the client connects (192.168.100.168 or 127.0.0.1). */
  serverAddress: string;
  /** The allowed client address: probes bind it (192.168.100.2 or 127.0.0.1). */
  clientAddress: string;
  /** A not-allowed address the address-filter probe binds (192.168.100.3 or 127.0.0.2). */
  strangerAddress: string;
  /** The port (the spec's in netns mode; a free one in none mode). */
  port: number;
  /** Why the stranger address cannot be used here (then address-filter is `skip`), if so. */
  strangerUnavailable?: string;
  /**
   * In `none` mode with the socket interposer (`sandbox/interpose/`): the library and the spec's
   * addresses and port, which programs are told in their arguments and may hard-code; the
   * interposer maps them to the lane's addresses and port above (what probes use) and back.
   */
  interposer?: {
    /** The `LD_PRELOAD` library. */
    library: string;
    /** The spec's server, client and stranger addresses and port. */
    spec: { serverAddress: string; clientAddress: string; strangerAddress: string; port: number };
  };
  /** In `none` mode without the interposer: why it is not available. */
  interposerUnavailable?: string;
}

/** Everything a check needs. */
export interface CheckContext {
  /** The assignment. */
  spec: Spec;
  /** Addresses and port. */
  net: NetPlan;
  /** The built server, when it built. */
  server?: ProgramPlan;
  /** The built client, when it built. */
  client?: ProgramPlan;
  /**
   * The messages the client sent in the `client.messages` run, framed as the spec says (cut at
   * `\n`, a `\r` before it dropped, or at the connection's close), over all its connections in
   * order; `[]` when it connected to nothing or sent nothing. The worker passes what
   * `runClientChecks` observed (`ClientObservation.sent`) to the pair check, which counts the
   * sent messages that equal the trigger. Unset (client checks not run, or the client could not
   * be started): the pair check counts the spec's messages instead.
   */
  clientSent?: string[];
}

/** What a check decided, before points are applied. */
export interface CheckOutcome {
  /** The stable id. */
  id: CheckId;
  /** Its status. */
  status: CheckStatus;
  /** One line a student can act on. */
  message: string;
  /** How to fix it, when there is something to say. */
  hint?: string;
  /** For `warn`: the share of the points earned (default 1 = full points). */
  fraction?: number;
  /** What was sent, what came back, timings. */
  evidence: Evidence;
  /** How long the check took. */
  durationMs: number;
}
