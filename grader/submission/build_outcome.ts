/**
 * What building a submission produced, per side and as a whole: made by `build.ts` when it
 * builds and by `build_cache.ts` when it restores an earlier build.
 *
 * @module
 */

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
  /**
   * How the program was made (its language, `make` or `manifest`): hints speak its language
   * (see `hints/mod.ts`). Unset: language-neutral hints.
   */
  kind?: string;
}

/** How one side was built. */
export interface SideBuild {
  /** Whether it built: its plan is then set. */
  ok: boolean;
  /** True when there was nothing to build for this side (no program submitted). */
  skipped?: boolean;
  /**
   * True when the grader could not build it for a reason that is not the student's (a missing
   * compiler, the sandbox failing): report as `error`, not `fail`.
   */
  graderError?: boolean;
  /** One line a student understands: the first compiler error, or what was built. */
  message: string;
  /** The commands run, in order. */
  commands: string[][];
  /** Compiler stdout+stderr (escaped, workspace path removed, cut to head and tail). */
  output: string;
  /** Wall time of this side's build (a shared build counts for both sides). */
  durationMs: number;
  /** Whether a command was stopped at the time limit. */
  timedOut: boolean;
  /** How to start the program, when it built. */
  plan?: ProgramPlan;
}

/** How the whole submission was built. */
export interface BuildOutcome {
  /** The server's build. */
  server: SideBuild;
  /** The client's build. */
  client: SideBuild;
  /** The language label (see `Detection.language`). */
  language: string;
  /** Remarks from detection and building (e.g. which candidate was chosen). */
  notes: string[];
  /**
   * What the build cache did: `hit` (restored, nothing was built), `miss` (built, and stored
   * when it could be), `not-cacheable` (TypeScript or a manifest: always built) or `off`.
   */
  cache?: "hit" | "miss" | "not-cacheable" | "off";
}
