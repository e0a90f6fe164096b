/**
 * A progress bar for class runs: on a terminal, one line on standard error that shows how many
 * submissions are graded out of how many, how many failed so far, the estimated time left and
 * the last one finished, e.g.
 *
 * ```
 * grading [███████████░░░░░░░░░░░░░░░░░░░] 12/32 | 2 failed | ETA 1m05s | alice
 * ```
 *
 * When standard error is not a terminal (CI logs, redirected output) or `quiet` is set, it prints
 * nothing at all, so logs and JSON on stdout stay clean. The bar is erased on `stop()` so the
 * report that follows starts on a clean line; write nothing else to stderr while it is shown.
 *
 * @example
 * ```ts
 * import { createProgress } from "./progress.ts";
 * const progress = createProgress(2, { quiet: true });
 * progress.tick({ id: "alice", failed: false });
 * progress.tick({ id: "bob", failed: true });
 * progress.stop();
 * ```
 * @module
 */

import cliProgress from "cli-progress";
import process from "node:process";
import { escapeControls } from "../text/bytes.ts";

/** A stream the bar can draw on (Node's `process.stderr` and `tty.WriteStream` qualify). */
export type ProgressStream = NodeJS.WritableStream & { isTTY?: boolean; columns?: number };

/** Options of {@linkcode createProgress}. */
export interface ProgressOptions {
  /** Show nothing, even on a terminal. */
  quiet?: boolean;
  /**
   * Where to draw (default: standard error, drawn on when `Deno.stderr.isTerminal()`). A given
   * stream is drawn on when its `isTTY` is true.
   */
  stream?: ProgressStream;
}

/** What a finished submission reports to the bar. */
export interface ProgressTick {
  /** The submission's id (shown as the last one done). */
  id: string;
  /** Whether it failed (scored below full marks or had a grader error). */
  failed: boolean;
}

/** A running progress display. */
export interface Progress {
  /** Records one finished submission. */
  tick(result: ProgressTick): void;
  /** Erases the bar; further ticks are ignored. Safe to call more than once. */
  stop(): void;
}

/**
 * Starts a progress display for `total` submissions; it draws nothing when `quiet` or when the
 * stream is not a terminal.
 */
export function createProgress(total: number, opts: ProgressOptions = {}): Progress {
  const stream = opts.stream ?? (process.stderr as ProgressStream);
  const terminal = opts.stream ? stream.isTTY === true : Deno.stderr.isTerminal();
  if (opts.quiet || !terminal || total <= 0) return { tick() {}, stop() {} };

  const bar = new cliProgress.SingleBar({
    stream,
    format: "grading [{bar}] {value}/{total} | {failed} below full marks | ETA {left} | {last}",
    barCompleteChar: "\u2588",
    barIncompleteChar: "\u2591",
    barsize: 30,
    clearOnComplete: true,
    hideCursor: true,
    fps: 5,
  });
  const started = performance.now();
  let done = 0;
  let failed = 0;
  let stopped = false;
  bar.start(total, 0, { failed: 0, left: "…", last: "" });
  const stop = () => {
    if (stopped) return;
    stopped = true;
    bar.stop();
  };
  return {
    tick(result) {
      if (stopped) return;
      done++;
      if (result.failed) failed++;
      const perItem = (performance.now() - started) / 1000 / done;
      bar.update(done, {
        failed,
        left: formatSeconds(perItem * (total - done)),
        last: escapeControls(result.id),
      });
      if (done >= total) stop();
    },
    stop,
  };
}

/** 75 → `1m15s`, 4000 → `1h06m`, 9 → `9s`. */
export function formatSeconds(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor(s / 60) % 60).padStart(2, "0")}m`;
}
