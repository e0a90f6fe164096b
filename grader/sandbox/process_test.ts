import assert from "node:assert/strict";
import { type Containment, containment, runProgram, startProgram } from "./process.ts";

const KINDS: Containment[] = ["pid-namespace", "process-group"];

/** Deno.test with the op and resource sanitizers on. */
function test(name: string, fn: (t: Deno.TestContext) => Promise<void>): void {
  Deno.test({ name, sanitizeOps: true, sanitizeResources: true, sanitizeExit: true, fn });
}

/** Runs `fn` once per containment, as steps. */
async function eachContainment(
  t: Deno.TestContext,
  fn: (kind: Containment) => Promise<void>,
): Promise<void> {
  for (const kind of KINDS) await t.step(kind, () => fn(kind));
}

/**
 * A marker only a process started by the script gets in its argv: the script assembles it from
 * two halves (`$m` in `script`), so the script's own argv does not contain it.
 */
function marker(prefix: string): { marker: string; script: string } {
  const id = crypto.randomUUID();
  return { marker: `${prefix}-${id}`, script: `m=${prefix}-; m=\${m}${id};` };
}

/** Pids whose command line contains `marker`. */
function pidsWithMarker(marker: string): number[] {
  const found: number[] = [];
  for (const entry of Deno.readDirSync("/proc")) {
    const pid = Number(entry.name);
    if (!Number.isInteger(pid) || pid === Deno.pid) continue;
    try {
      if (Deno.readTextFileSync(`/proc/${pid}/cmdline`).includes(marker)) found.push(pid);
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

function text(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes);
}

test("containment() uses a PID namespace and a pids cgroup on this machine", () => {
  const info = containment();
  assert.equal(info.kind, "pid-namespace", info.reason ?? "");
  assert.equal(info.pidsCgroup, true);
  assert.equal(info.memoryCgroup, true);
  assert.equal(info.filesystem, "private", info.filesystemReason ?? "");
  return Promise.resolve();
});

test("the memory cgroup ends a program that allocates without bound", async () => {
  const result = await runProgram({
    argv: ["sh", "-c", 'x=a; while :; do x="$x$x"; done'],
    cwd: "/",
    limits: { memoryBytes: 64 * 1024 * 1024 },
    timeoutMs: 20_000,
  });
  assert.equal(result.timedOut, false);
  assert.equal(result.signal, "SIGKILL");
  assert.equal(result.memoryExceeded, true);
  assert.ok((result.peakMemoryBytes ?? 0) <= 64 * 1024 * 1024 + 4096, `${result.peakMemoryBytes}`);
});

test("startProgram() records stdout lines with arrival times as they come", async (t) => {
  await eachContainment(t, async (kind) => {
    const dir = await Deno.makeTempDir({ prefix: "sockgrade-" });
    try {
      const mk = await new Deno.Command("mkfifo", { args: [`${dir}/go`] }).output();
      assert.ok(mk.success);
      await using program = startProgram({
        argv: ["sh", "-c", "echo one; read x < go; printf 'two\\r\\nthree'"],
        cwd: dir,
        containment: kind,
      });
      const one = await program.waitForStdoutLine((line) => line === "one", 10_000);
      assert.ok(one, "the first line arrives before the program is released");
      assert.deepEqual(program.stdoutLines.map((l) => l.text), ["one"]);
      const releasedAt = performance.now() - program.startedAt;
      await Deno.writeTextFile(`${dir}/go`, "\n");
      const two = await program.waitForStdoutLine((line) => line === "two", 10_000, 1);
      assert.ok(two, "the second line arrives after the release");
      assert.ok(two.atMs >= releasedAt && two.atMs >= one.atMs);
      const exit = await program.exited;
      assert.deepEqual(exit.code, 0);
      assert.equal(exit.killed, false);
      assert.deepEqual(program.stdoutLines.map((l) => l.text), ["one", "two", "three"]);
      assert.equal(text(program.stdout()), "one\ntwo\r\nthree");
      assert.equal(
        await program.waitForStdoutLine((line) => line === "four", 10_000),
        undefined,
        "waiting after the exit gives up at once",
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
});

test("startProgram() keeps the head and the tail of a long output", async () => {
  const result = await runProgram({
    argv: ["sh", "-c", "echo HEAD; yes 0123456789 | head -n 5000; echo TAIL"],
    cwd: "/",
    captureBytes: 100,
    timeoutMs: 10_000,
  });
  const out = text(result.stdout);
  assert.ok(out.startsWith("HEAD\n0123456789\n"), out);
  assert.ok(out.endsWith("0123456789\nTAIL\n"), out);
  assert.match(out, /…\[54910 bytes left out\]…/);
  assert.equal(result.stdoutLines[0]?.text, "HEAD");
});

test("stdoutLinesDropped counts exactly the lines past the capture's cap", async () => {
  // A cap of 100 stores 400 bytes of lines: "1" to "169" (399 bytes); "170" does not fit.
  await using program = startProgram({
    argv: ["sh", "-c", "seq 1 1000; printf 'no newline'"],
    cwd: "/",
    captureBytes: 100,
  });
  const exit = await program.exited;
  assert.equal(exit.code, 0);
  const stored = Array.from({ length: 169 }, (_, i) => String(i + 1));
  assert.deepEqual(program.stdoutLines.map((l) => l.text), stored);
  assert.equal(program.stdoutLinesDropped, 1000 - 169 + 1);
  await using quiet = startProgram({ argv: ["seq", "1", "169"], cwd: "/", captureBytes: 100 });
  await quiet.exited;
  assert.equal(quiet.stdoutLines.length, 169);
  assert.equal(quiet.stdoutLinesDropped, 0);
});

test("a flood of output is capped and the program is still killed at the timeout", async () => {
  const result = await runProgram({
    argv: ["yes", "flood"],
    cwd: "/",
    captureBytes: 1000,
    timeoutMs: 300,
  });
  assert.equal(result.timedOut, true);
  assert.ok(result.stdout.length < 1100, `${result.stdout.length} bytes kept`);
  assert.ok(
    result.stdoutLines.length <= 4000 / "flood".length,
    `${result.stdoutLines.length} lines kept`,
  );
  assert.equal(result.stdoutLines[0]?.text, "flood");
});

test("startProgram() clears the environment and gives stdin /dev/null", async (t) => {
  Deno.env.set("SOCKGRADE_TEST_SECRET", "leak");
  try {
    await eachContainment(t, async (kind) => {
      const env = await runProgram({
        argv: ["env"],
        cwd: "/tmp",
        env: { GIVEN: "yes" },
        containment: kind,
        timeoutMs: 10_000,
      });
      const names = env.stdoutLines.map((l) => l.text.split("=")[0]).sort();
      assert.deepEqual(names, ["GIVEN", "HOME", "LANG", "PATH"]);
      assert.ok(env.stdoutLines.some((l) => l.text === "LANG=C.UTF-8"));
      const stdin = await runProgram({
        argv: ["sh", "-c", "readlink /proc/self/fd/0; cat; echo end"],
        cwd: "/",
        containment: kind,
        timeoutMs: 10_000,
      });
      assert.deepEqual(stdin.stdoutLines.map((l) => l.text), ["/dev/null", "end"]);
    });
  } finally {
    Deno.env.delete("SOCKGRADE_TEST_SECRET");
  }
});

test("startProgram() reports exit codes and signals", async (t) => {
  await eachContainment(t, async (kind) => {
    const exit3 = await runProgram({
      argv: ["sh", "-c", "exit 3"],
      cwd: "/",
      containment: kind,
      timeoutMs: 10_000,
    });
    assert.equal(exit3.code, 3);
    assert.equal(exit3.signal, null);
    const segv = await runProgram({
      argv: ["sh", "-c", "echo bye >&2; kill -SEGV $$"],
      cwd: "/",
      containment: kind,
      timeoutMs: 10_000,
    });
    assert.equal(segv.code, null);
    assert.equal(segv.signal, "SIGSEGV");
    assert.equal(segv.killed, false);
    assert.equal(text(segv.stderr), "bye\n", "no shell adds its own message");
  });
});

test("startProgram() throws a clear error when the program cannot be started", () => {
  assert.throws(
    () => startProgram({ argv: ["./no-such-server"], cwd: "/tmp", label: "server" }),
    /Cannot start the server \(\.\/no-such-server\): \.\/no-such-server does not exist/,
  );
  assert.throws(
    () => startProgram({ argv: ["no-such-command-xyz"], cwd: "/tmp" }),
    /no-such-command-xyz was not found in PATH/,
  );
  assert.throws(
    () => startProgram({ argv: ["true"], cwd: "/no/such/dir" }),
    /working directory \/no\/such\/dir does not exist/,
  );
  return Promise.resolve();
});

test("runProgram() kills a program that outlives its timeout", async (t) => {
  await eachContainment(t, async (kind) => {
    const result = await runProgram({
      argv: ["sleep", "1000"],
      cwd: "/",
      containment: kind,
      timeoutMs: 50,
    });
    assert.equal(result.timedOut, true);
    assert.equal(result.killed, true);
    // SIGTERM, or SIGKILL after the grace when the kill came before the shell had started sleep.
    assert.match(result.signal ?? "", /^SIG(TERM|KILL)$/);
    assert.ok(result.durationMs < 5_000);
  });
});

test("kill() lets a program that handles SIGTERM finish without waiting out the grace", async (t) => {
  await eachContainment(t, async (kind) => {
    const program = startProgram({
      argv: ["sh", "-c", "trap 'echo bye; exit 0' TERM; echo ready; sleep 1000 & wait"],
      cwd: "/",
      containment: kind,
    });
    assert.ok(await program.waitForStdoutLine((line) => line === "ready", 10_000));
    const before = performance.now();
    const exit = await program.kill(20_000);
    assert.ok(performance.now() - before < 10_000, "the grace ended when the program did");
    assert.equal(exit.code, 0);
    assert.equal(exit.killed, true);
    assert.deepEqual(program.stdoutLines.map((l) => l.text), ["ready", "bye"]);
  });
});

test("kill() ends a program that ignores SIGTERM with SIGKILL after the grace", async (t) => {
  await eachContainment(t, async (kind) => {
    const program = startProgram({
      argv: ["sh", "-c", "trap '' TERM; echo ready; exec sleep 1000"],
      cwd: "/",
      containment: kind,
    });
    assert.ok(await program.waitForStdoutLine((line) => line === "ready", 10_000));
    const before = performance.now();
    const exit = await program.kill(100);
    assert.ok(performance.now() - before >= 100, "it waited for the grace");
    assert.equal(exit.signal, "SIGKILL");
    assert.equal(exit.killed, true);
    assert.deepEqual(await program.kill(), exit, "kill() is idempotent");
    assert.deepEqual(program.treePids(), []);
    assert.equal(await Deno.stat(`/proc/${program.pid}`).catch(() => null), null);
  });
});

test("kill() ends double-forked daemons", async (t) => {
  await eachContainment(t, async (kind) => {
    const m = marker("sockgrade-daemon");
    const program = startProgram({
      argv: [
        "sh",
        "-c",
        `${m.script} (setsid sh -c "echo daemon; sleep 1000; : $m" &); echo ready; exec sleep 1000`,
      ],
      cwd: "/",
      containment: kind,
    });
    assert.ok(await program.waitForStdoutLine((line) => line === "daemon", 10_000));
    assert.ok(pidsWithMarker(m.marker).length >= 1, "the daemon runs");
    await program.kill();
    assert.deepEqual(pidsWithMarker(m.marker), []);
  });
});

test("a daemon left behind ends when the program exits by itself", async (t) => {
  await eachContainment(t, async (kind) => {
    const m = marker("sockgrade-orphan");
    const result = await runProgram({
      argv: ["sh", "-c", `${m.script} (setsid sh -c "echo daemon; sleep 1000; : $m" &); exit 0`],
      cwd: "/",
      containment: kind,
      timeoutMs: 10_000,
    });
    assert.equal(result.timedOut, false);
    assert.equal(result.code, 0);
    assert.deepEqual(pidsWithMarker(m.marker), []);
  });
});

test("holdTree keeps the PID namespace while a daemon the program left runs", async () => {
  const m = marker("sockgrade-held");
  // The daemon speaks only once the program itself has exited (and been reaped).
  const daemon = `while kill -0 $p 2>/dev/null; do sleep 0.01; done; echo daemon; : $m`;
  await using program = startProgram({
    argv: ["sh", "-c", `${m.script} p=$$; (setsid sh -c "${daemon}" &); exit 3`],
    cwd: "/",
    containment: "pid-namespace",
    holdTree: true,
  });
  assert.ok(await program.waitForStdoutLine((l) => l === "daemon", 10_000), "the daemon ran on");
  assert.equal(program.programRunning(), false);
  const exit = await program.exited;
  assert.equal(exit.code, 3, "the program's own status");
  assert.equal(exit.killed, false);
  assert.deepEqual(pidsWithMarker(m.marker), []);
});

test("holdTree holds a dedicated user's daemon without a PID namespace (E3)", async (t) => {
  // The daemon speaks only once the program itself has exited (and been reaped).
  const waitForParent = "while kill -0 $p 2>/dev/null; do sleep 0.01; done; echo daemon";
  await t.step("until the daemon ends by itself", async () => {
    const m = marker("sockgrade-held-uid");
    const daemon = `${waitForParent}; : $m`;
    await using program = startProgram({
      argv: ["sh", "-c", `${m.script} p=$$; (setsid sh -c "${daemon}" &); exit 3`],
      cwd: "/",
      containment: "process-group",
      holdTree: true,
    });
    assert.ok(await program.waitForStdoutLine((l) => l === "daemon", 10_000), "the daemon ran on");
    const exit = await program.exited;
    assert.equal(exit.code, 3, "the program's own status");
    assert.equal(exit.killed, false);
    assert.deepEqual(pidsWithMarker(m.marker), []);
  });
  await t.step("beside a sibling program, until kill()", async () => {
    const m = marker("sockgrade-held-uid");
    const script = `${waitForParent}; sleep 1000; : $m`;
    await using program = startProgram({
      argv: ["sh", "-c", `${m.script} p=$$; (setsid sh -c "${script}" &); exit 3`],
      cwd: "/",
      containment: "process-group",
      holdTree: true,
    });
    assert.ok(await program.waitForStdoutLine((l) => l === "daemon", 10_000), "the daemon ran on");
    assert.equal(program.programRunning(), false);
    // The daemon's shell (the first pid: a fork about to exec `sleep` may show its line too).
    const daemon = pidsWithMarker(m.marker)[0];
    assert.ok(daemon !== undefined, "the daemon runs");
    assert.ok(program.treePids().includes(daemon), "the held daemon is in the tree");
    assert.equal(await program.syncStdout(5000), true, "the stdout barrier through the daemon");
    // Another program of the same workspace (its user) starts and ends: the daemon is not its.
    const sibling = await runProgram({
      argv: ["sh", "-c", "echo sibling"],
      cwd: "/",
      containment: "process-group",
      timeoutMs: 10_000,
    });
    assert.equal(sibling.code, 0);
    assert.ok(pidsWithMarker(m.marker).includes(daemon), "the sibling's end left the daemon");
    const exit = await program.kill();
    assert.equal(exit.code, 3, "the program's own status");
    assert.equal(exit.killed, true);
    assert.deepEqual(pidsWithMarker(m.marker), [], "nothing outlives the program");
  });
});

test("the processes limit stops a fork bomb", async (t) => {
  await eachContainment(t, async (kind) => {
    const result = await runProgram({
      argv: ["sh", "-c", "for i in $(seq 100); do sleep 1000 & done; echo all-started"],
      cwd: "/",
      containment: kind,
      limits: { processes: 10 },
      timeoutMs: 10_000,
    });
    assert.equal(result.timedOut, false);
    assert.notEqual(result.code, 0);
    assert.deepEqual(result.stdoutLines, []);
    assert.match(text(result.stderr), /fork/i);
  });
});

test("the file size limit stops a program writing a large file", async (t) => {
  await eachContainment(t, async (kind) => {
    const dir = await Deno.makeTempDir({ prefix: "sockgrade-" });
    try {
      const result = await runProgram({
        argv: ["sh", "-c", "exec head -c 100000 /dev/zero > big"],
        cwd: dir,
        containment: kind,
        limits: { fileSizeBytes: 4096 },
        timeoutMs: 10_000,
      });
      assert.equal(result.signal, "SIGXFSZ");
      assert.equal((await Deno.stat(`${dir}/big`)).size, 4096);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
});

test("treePids() lists the program's descendants", async (t) => {
  await eachContainment(t, async (kind) => {
    const m = marker("sockgrade-tree");
    await using program = startProgram({
      argv: ["sh", "-c", `${m.script} sh -c "echo ready; sleep 1000; : $m" & wait`],
      cwd: "/",
      containment: kind,
    });
    assert.ok(await program.waitForStdoutLine((line) => line === "ready", 10_000));
    // Marked first: a process forked in between is then in the tree, not missing from it.
    const marked = pidsWithMarker(m.marker);
    const tree = program.treePids();
    assert.equal(tree[0], program.pid);
    assert.ok(marked.length >= 1, "the marked shell runs");
    assert.ok(marked.every((pid) => tree.includes(pid)), `${tree} includes ${marked}`);
  });
});

test("line buffering makes C stdio flush each line", async (t) => {
  await eachContainment(t, async (kind) => {
    const dir = await Deno.makeTempDir({ prefix: "sockgrade-" });
    try {
      const mk = await new Deno.Command("mkfifo", { args: [`${dir}/go`] }).output();
      assert.ok(mk.success);
      // `tr` reads its input with C stdio and writes with C stdio: a full buffer unless stdbuf.
      await using program = startProgram({
        argv: ["sh", "-c", "(echo first; read x < go) | tr a-z A-Z"],
        cwd: dir,
        lineBuffered: true,
        containment: kind,
      });
      assert.ok(await program.waitForStdoutLine((line) => line === "FIRST", 10_000));
      await Deno.writeTextFile(`${dir}/go`, "\n");
      assert.equal((await program.exited).code, 0);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
});

test("programRunning() follows the program's own process, not what it left behind", async (t) => {
  await eachContainment(t, async (kind) => {
    await using running = startProgram({
      argv: ["/bin/sh", "-c", "echo ready; exec sleep 30"],
      cwd: "/",
      containment: kind,
    });
    assert.ok(await running.waitForStdoutLine((l) => l === "ready", 5000));
    assert.equal(running.programRunning(), true, "a program that runs");
    await running.kill();
    assert.equal(running.programRunning(), false, "a killed program");

    await using leaver = startProgram({
      argv: ["/bin/sh", "-c", "sleep 30 & echo ready; exit 0"],
      cwd: "/",
      containment: kind,
    });
    await leaver.exited;
    assert.equal(leaver.programRunning(), false, "a program that exited, its child left behind");
  });
});
