/**
 * The progress bar on a real terminal: a class of six runs through `deno run -A main.ts grade`
 * inside a detached tmux session of fixed size (its own server socket, no user config). The
 * rendered screen (`tmux capture-pane -p`) is read each time the pane prints something (tmux
 * `pipe-pane` into a file, watched with `Deno.watchFs`), never on a timer: first until the bar
 * (`grading [` … `/6`) shows, then until the command has ended and the class table is on screen.
 * The session's server is killed in `finally`.
 *
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { makeClass } from "../bench/make_class.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const WIDTH = 120;
const HEIGHT = 50;
const FIXTURES = [
  "c-correct",
  "python-correct",
  "c-substring-match",
  "c-no-address-filter",
  "c-sizeof-client",
  "c-compile-error",
];

async function hasTmux(): Promise<boolean> {
  try {
    return (await new Deno.Command("tmux", { args: ["-V"], stdout: "null", stderr: "null" })
      .output()).success;
  } catch {
    return false;
  }
}

const TMUX = await hasTmux();

/** Runs `tmux -S socket …` and returns its stdout; throws with stderr when it fails. */
async function tmux(socket: string, args: string[]): Promise<string> {
  const out = await new Deno.Command("tmux", {
    args: ["-S", socket, "-f", "/dev/null", ...args],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  if (!out.success) {
    throw new Error(`tmux ${args.join(" ")} failed: ${text.decode(out.stderr)}`);
  }
  return text.decode(out.stdout);
}

/** Single-quotes a word for `sh`. */
function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

Deno.test({
  name: `a class graded in a terminal shows the progress bar, then the table${
    TMUX ? "" : " (skipped: tmux is not installed)"
  }`,
  ignore: !TMUX,
  async fn() {
    const work = await Deno.makeTempDir({ prefix: "sockgrade-tmux-test-" });
    const socket = join(work, "tmux.sock");
    const log = join(work, "pane.log");
    const classDir = join(work, "class");
    let panePid: number | undefined;
    let lastScreen = "";
    try {
      const plan = await makeClass(FIXTURES.length, classDir, { fixtures: FIXTURES });
      const grade = [Deno.execPath(), "run", "-A", join(ROOT, "main.ts"), "grade", classDir]
        .concat(["--jobs", "2"]).map(shellQuote).join(" ");
      // The pane waits for "go" so that its output is piped to the log from the first byte,
      // and stays open after grading (until the server is killed) so the table can be read.
      const script = `tmux -S ${shellQuote(socket)} wait-for go; env -u INIT_CWD ${grade}; ` +
        `echo "[sockgrade exited $?]"; exec cat`;
      await Deno.writeTextFile(log, "");
      await tmux(socket, [
        "new-session",
        "-d",
        "-s",
        "grade",
        "-x",
        String(WIDTH),
        "-y",
        String(HEIGHT),
        "-c",
        ROOT,
        script,
      ]);
      panePid = Number(
        (await tmux(socket, ["display", "-p", "-t", "grade", "#{pane_pid}"])).trim(),
      );
      await tmux(socket, ["pipe-pane", "-t", "grade", "-o", `cat >> ${shellQuote(log)}`]);

      /** Reads the screen after each output of the pane until `done(screen)` or the deadline. */
      const waitForScreen = async (
        what: string,
        done: (screen: string) => boolean,
        ms: number,
      ): Promise<string> => {
        const watcher = Deno.watchFs(log);
        const deadline = setTimeout(() => watcher.close(), ms);
        try {
          lastScreen = await tmux(socket, ["capture-pane", "-p", "-t", "grade"]);
          if (done(lastScreen)) return lastScreen;
          for await (const _ of watcher) {
            lastScreen = await tmux(socket, ["capture-pane", "-p", "-t", "grade"]);
            if (done(lastScreen)) return lastScreen;
          }
          throw new Error(`no ${what} within ${ms / 1000} s`);
        } finally {
          clearTimeout(deadline);
          try {
            watcher.close();
          } catch {
            // Already closed by the deadline.
          }
        }
      };

      const bar = /grading \[[█░]+\] [0-5]\/6 \| \d+ below full marks \| ETA /;
      const waitForBar = waitForScreen("progress bar", (s) => bar.test(s), 120_000);
      await tmux(socket, ["wait-for", "-S", "go"]);
      const during = await waitForBar;
      const barLine = during.split("\n").find((l) => bar.test(l))!;
      assert.ok(barLine.trimEnd().length <= WIDTH, barLine);

      const after = await waitForScreen(
        "end of grading",
        (s) => /\[sockgrade exited \d+\]/.test(s),
        180_000,
      );
      assert.match(after, /\[sockgrade exited 0\]/);
      assert.doesNotMatch(after, /grading \[/, "the bar is erased before the table");
      for (const student of plan) assert.ok(after.includes(student.id), student.id);
      for (const line of after.split("\n")) {
        assert.ok(line.trimEnd().length <= WIDTH, `wider than the terminal: ${line}`);
      }
    } catch (error) {
      throw new Error(`${(error as Error).message}\n--- last screen\n${lastScreen}`, {
        cause: error,
      });
    } finally {
      await tmux(socket, ["kill-server"]).catch(() => {});
      if (panePid) {
        // The pane is a session leader: its group holds the shell, sockgrade and its workers.
        try {
          Deno.kill(-panePid, "SIGKILL");
        } catch {
          // Already gone with the tmux server.
        }
      }
      await Deno.remove(work, { recursive: true });
    }
  },
});
