/**
 * Tests of the progress bar: drawn on a terminal stream, silent otherwise.
 *
 * @module
 */

import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { createProgress, formatSeconds, type ProgressStream } from "./progress.ts";

/** A stream that records what is written to it, claiming to be a terminal or not. */
function recorder(isTTY: boolean): { stream: ProgressStream; output: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return { stream: Object.assign(stream, { isTTY, columns: 120 }), output: () => chunks.join("") };
}

Deno.test("createProgress() draws done/total, failures and the last id on a terminal", () => {
  const { stream, output } = recorder(true);
  const progress = createProgress(2, { stream });
  progress.tick({ id: "alice", failed: true });
  progress.tick({ id: "bob", failed: false });
  const drawn = output();
  assert.match(drawn, /grading \[█+\] 2\/2 \| 1 below full marks \| ETA 0s \| bob/);
  assert.ok(drawn.includes("\x1b[2K"), "the bar is erased when done");
  progress.tick({ id: "carol", failed: false });
  progress.stop();
  assert.equal(output(), drawn, "nothing is drawn after stop()");
});

Deno.test("createProgress() draws nothing when quiet or not on a terminal", () => {
  for (const [isTTY, quiet] of [[false, false], [true, true]] as const) {
    const { stream, output } = recorder(isTTY);
    const progress = createProgress(3, { stream, quiet });
    progress.tick({ id: "alice", failed: false });
    progress.stop();
    progress.stop();
    assert.equal(output(), "");
  }
  const silent = createProgress(1);
  silent.tick({ id: "alice", failed: false });
  silent.stop();
});

Deno.test("formatSeconds() writes short durations", () => {
  assert.equal(formatSeconds(9.4), "9s");
  assert.equal(formatSeconds(75), "1m15s");
  assert.equal(formatSeconds(4000), "1h06m");
  assert.equal(formatSeconds(-3), "0s");
});
