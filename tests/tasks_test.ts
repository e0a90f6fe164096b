/**
 * Every user-facing task, run exactly as `deno.json` defines it (`deno task NAME …`), the way a
 * new user meets it: once on a pseudo-terminal (`script`, where a missing permission would stop
 * at a prompt) and once with no terminal at all (stdin null, output piped, as in CI or a script,
 * where it would crash with `NotCapable`). Each run must show its expected output, no permission
 * prompt and no stack trace.
 *
 * The reference server and client talk over host loopback only (127.0.0.1, a port the server
 * picks); every process a run starts is ended and checked gone.
 *
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { leftoverProcesses } from "./_helpers/leftovers.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const CONFIG = JSON.parse(await Deno.readTextFile(join(ROOT, "deno.json"))) as {
  version: string;
  tasks: Record<string, string>;
};

/** The tasks a user runs; each is run below on a terminal and without one. */
const USER_TASKS = ["server", "client", "grade", "merge"];
/**
 * The developers' tasks, not run here: `test` and `check` are what runs this file, `compile` is
 * built and run by `.ci/run` (it downloads Deno's runtime for the executable), `schemas` writes
 * into docs/ (tests/schemas_test.ts checks its output instead), the rest are benchmarks.
 */
const DEV_TASKS = [
  "compile",
  "schemas",
  "test",
  "check",
  "ok",
  "bench:server",
  "bench:profile",
  "bench:grade",
  "bench:flood",
  "bench:copies",
  "bench:failures",
  "soak",
  "bench",
];

/** What shows a permission problem: a prompt on a terminal, `NotCapable` without one. */
const PERMISSION = /Deno requests|NotCapable|Requires \w+ access|--allow-\w+ flag/;
/** A line of a stack trace. */
const STACK = /^\s+at \S/m;
/** How long one task run may take. */
const DEADLINE_MS = 90_000;

if (!(await Deno.stat("/usr/bin/script").then(() => true, () => false))) {
  throw new Error("tests/tasks_test.ts needs `script`: install the Debian package bsdutils.");
}

/** Quotes an argument for `sh -c`. */
function shellQuote(arg: string): string {
  return /^[\w./:=@-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`;
}

/** The environment of a user's shell: the test's own, less what an outer `deno task` set. */
function userEnv(): Record<string, string> {
  const env = Deno.env.toObject();
  delete env.INIT_CWD;
  delete env.npm_config_user_agent;
  env.TERM ??= "xterm";
  return env;
}

/** A running `deno task`, its output gathered as it comes. */
class TaskRun implements AsyncDisposable {
  readonly #child: Deno.ChildProcess;
  readonly #read: Promise<void>;
  readonly status: Promise<Deno.CommandStatus>;
  readonly command: string;
  output = "";
  #ended = false;
  #waiters: (() => void)[] = [];

  /** Starts `deno task <name> <args>` in sockgrade's folder; `pty` puts it on a terminal. */
  constructor(name: string, args: string[], pty: boolean) {
    const task = ["deno", "task", name, ...args].map(shellQuote).join(" ");
    this.command = pty ? `script -qec "${task}" /dev/null` : task;
    const [cmd, ...argv] = pty
      ? ["script", "-qec", task, "/dev/null"]
      : [Deno.execPath(), "task", name, ...args];
    this.#child = new Deno.Command(cmd!, {
      args: argv,
      cwd: ROOT,
      clearEnv: true,
      env: userEnv(),
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      detached: true,
    }).spawn();
    const gather = async (stream: ReadableStream<Uint8Array>) => {
      for await (const text of stream.pipeThrough(new TextDecoderStream())) {
        this.output += text;
        for (const wake of this.#waiters.splice(0)) wake();
      }
    };
    this.#read = Promise.all([gather(this.#child.stdout), gather(this.#child.stderr)]).then(
      () => {},
    );
    this.status = this.#child.status;
    void this.status.then(() => this.#read).then(() => {
      this.#ended = true;
      for (const wake of this.#waiters.splice(0)) wake();
    });
  }

  /** Waits until the output matches `pattern`; fails with the output after the deadline. */
  async waitFor(pattern: RegExp, ms = DEADLINE_MS): Promise<RegExpMatchArray> {
    const deadline = Date.now() + ms;
    for (;;) {
      const match = this.output.match(pattern);
      if (match) return match;
      if (this.#ended) break;
      const left = deadline - Date.now();
      if (left <= 0) break;
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((wake) => {
        this.#waiters.push(wake);
        timer = setTimeout(wake, left);
      });
      clearTimeout(timer);
    }
    throw new Error(`${this.command}: no ${pattern} in its output:\n${this.output}`);
  }

  /** Waits for the run to end by itself; returns its exit code. */
  async finished(): Promise<number> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<"late">((done) => timer = setTimeout(() => done("late"), DEADLINE_MS));
    const status = await Promise.race([this.status, late]);
    clearTimeout(timer);
    if (status === "late") {
      await this.stop();
      throw new Error(`${this.command} did not end in time:\n${this.output}`);
    }
    await this.#read;
    return status.code;
  }

  /** Ends the run's whole process group (SIGTERM, as Ctrl-C's sibling) and waits for it. */
  async stop(): Promise<void> {
    try {
      Deno.kill(-this.#child.pid, "SIGTERM");
    } catch {
      // already gone
    }
    await this.status;
    await this.#read;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}

/** Output as text: without terminal escapes (colours, the progress bar's redraws) and CRs. */
function plain(output: string): string {
  // deno-lint-ignore no-control-regex
  return output.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "").replace(/\r/g, "\n");
}

/** Fails when the output shows a permission prompt or error, or a stack trace. */
function assertClean(run: TaskRun): void {
  assert.doesNotMatch(
    run.output,
    PERMISSION,
    `${run.command}: a permission problem:\n${run.output}`,
  );
  assert.doesNotMatch(run.output, STACK, `${run.command}: a stack trace:\n${run.output}`);
}

/**
 * Fails when a process carries `marker` in its command line. Called once the run has ended:
 * `script` and `deno task` wait for their children, so by then every process of the run has
 * exited (zombies not yet reaped do not count).
 */
async function assertNoneLeft(marker: string): Promise<void> {
  const left = await leftoverProcesses([marker]);
  assert.deepEqual(left, [], `processes left behind:\n${left.map((p) => p.cmdline).join("\n")}`);
}

Deno.test("every task in deno.json is either run by this file or named as a developers' task", () => {
  assert.deepEqual(Object.keys(CONFIG.tasks).sort(), [...USER_TASKS, ...DEV_TASKS].sort());
});

// Writing is granted because a Unix-domain socket is a file: binding one creates it, and a stale
// one is removed before binding (EXERCISE.md §6). Running programs and FFI stay out: the
// unix-stream client, which needs FFI to bind its socket, says to run it with --allow-ffi.
Deno.test("the reference server's and client's tasks grant only network, files and INIT_CWD", () => {
  for (const name of ["server", "client"]) {
    const task = CONFIG.tasks[name]!;
    assert.match(task, /--no-prompt/, name);
    assert.doesNotMatch(task, /(^|\s)(-A|--allow-all|--allow-run|--allow-ffi)/, name);
  }
});

for (const pty of [false, true]) {
  const where = pty ? "on a pseudo-terminal" : "with no terminal";

  Deno.test(`deno task server and deno task client talk over loopback, ${where}`, async () => {
    // A unique option value marks every process of this run, to check that none is left.
    const marker = String(4_000_000 + Math.floor(Math.random() * 1_000_000));
    {
      await using server = new TaskRun("server", [
        "127.0.0.1",
        "0",
        "--hostname",
        "127.0.0.1",
        "--max-line-bytes",
        marker,
      ], pty);
      const [, port] = await server.waitFor(/listening on 127\.0\.0\.1:(\d+)/);
      await using client = new TaskRun("client", [
        "127.0.0.1",
        port!,
        "--message",
        "Client Query",
      ], pty);
      const code = await client.finished();
      assert.equal(code, 0, client.output);
      assert.match(client.output, /done: sent/);
      await server.waitFor(/^Receive Query\r?$/m);
      await server.stop();
      assertClean(server);
      assertClean(client);
    }
    await assertNoneLeft(`--max-line-bytes ${marker}`);
  });

  Deno.test(`deno task client with no server says so in one line, ${where}`, async () => {
    // Port 1 on loopback: nothing listens there.
    await using client = new TaskRun("client", ["127.0.0.1", "1", "--connect-timeout", "5"], pty);
    assert.equal(await client.finished(), 1, client.output);
    assert.match(client.output, /sockgrade client: nothing is listening on 127\.0\.0\.1:1/);
    assertClean(client);
  });

  Deno.test(`deno task grade, grade --version and merge, ${where}`, async (t) => {
    const tmp = await Deno.makeTempDir({ prefix: "sockgrade-tasks-test-" });
    try {
      const json = join(tmp, "result.json");
      await t.step("grade --version prints deno.json's version", async () => {
        await using run = new TaskRun("grade", ["--version"], pty);
        assert.equal(await run.finished(), 0, run.output);
        assert.match(run.output, new RegExp(`^${CONFIG.version.replaceAll(".", "\\.")}\\r?$`, "m"));
        assertClean(run);
      });
      await t.step("grade --help names the command as typed", async () => {
        await using run = new TaskRun("grade", ["--help"], pty);
        assert.equal(await run.finished(), 0, run.output);
        assert.match(run.output, /Usage: deno task grade \[options\]/);
        assertClean(run);
      });
      await t.step("grade with no argument grades the bundled samples", async () => {
        await using run = new TaskRun("grade", ["--jobs", "2", "--json", json], pty);
        assert.equal(await run.finished(), 0, run.output);
        assert.match(plain(run.output), /^alice-c-correct\s+100\/100/m, run.output);
        assertClean(run);
        const result = JSON.parse(await Deno.readTextFile(json)) as {
          submissions: { id: string; score: number; maxScore: number }[];
        };
        // The correct samples get full marks. (The reference solution's own score is not this
        // test's business: it is TypeScript, whose client can miss its 2 s to connect on a
        // machine loaded far past its cores.)
        const full = result.submissions.filter((s) => s.score === s.maxScore).map((s) => s.id);
        for (const id of ["alice-c-correct", "frank-python-correct"]) {
          assert.ok(full.includes(id), `${id} did not get full marks`);
        }
        assert.deepEqual(
          result.submissions.map((s) => s.id).sort(),
          [
            "alice-c-correct",
            "bob-python-substring",
            "carol-c-no-address-filter",
            "dave-c-iterative",
            "erin-c-sizeof-client",
            "frank-python-correct",
            "reference",
          ],
        );
      });
      await t.step("merge the result", async () => {
        await using run = new TaskRun("merge", [
          json,
          "--csv",
          join(tmp, "grades.csv"),
          "--junit",
          join(tmp, "junit.xml"),
          "--html",
          join(tmp, "html"),
        ], pty);
        assert.equal(await run.finished(), 0, run.output);
        assert.match(run.output, /frank-python-correct/);
        assert.match(await Deno.readTextFile(join(tmp, "grades.csv")), /frank-python-correct/);
        assert.match(await Deno.readTextFile(join(tmp, "junit.xml")), /frank-python-correct/);
        assert.match(await Deno.readTextFile(join(tmp, "html", "index.html")), /frank-python/);
        assertClean(run);
      });
    } finally {
      await Deno.remove(tmp, { recursive: true });
    }
  });
}
