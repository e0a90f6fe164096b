/**
 * Tests for building submissions: tiny programs in each language are really compiled, and each
 * resulting ProgramPlan is started once through the sandbox to prove it works. Build times are
 * printed (they are the figures quoted in the docs), not asserted.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import type { ProgramPlan } from "./build_outcome.ts";
import { runProgram } from "../sandbox/process.ts";
import { buildSubmission, toolchain } from "./build.ts";
import type { BuildOutcome } from "./build_outcome.ts";
import { detectPrograms } from "./discover.ts";
import { copySubmission } from "./workspace.ts";
import { type Content, writeTree } from "./_testing.ts";
import { JAVA_FAST_START } from "./languages/java.ts";

const TIMEOUT_MS = 60_000;

/** Copies, detects and builds a submission made of `files`; cleans everything up after `use`. */
async function built(
  files: Record<string, Content>,
  use: (outcome: BuildOutcome, dir: string) => void | Promise<void>,
  timeoutMs = TIMEOUT_MS,
): Promise<number> {
  await using src = await writeTree(files);
  const copy = await copySubmission(src.dir);
  try {
    const started = performance.now();
    const outcome = await buildSubmission(copy.dir, await detectPrograms(copy.dir), { timeoutMs });
    const ms = Math.round(performance.now() - started);
    await use(outcome, copy.dir);
    return ms;
  } finally {
    await copy.cleanup();
  }
}

/** Runs a plan once with the usual arguments and returns its stdout and exit code. */
async function run(plan: ProgramPlan | undefined, ...args: string[]) {
  assert.ok(plan, "the side has a plan");
  const result = await runProgram({
    argv: [...plan.argv, ...args],
    cwd: plan.cwd,
    env: plan.env,
    lineBuffered: plan.lineBuffering === "stdbuf",
    timeoutMs: TIMEOUT_MS,
  });
  return {
    code: result.code,
    stdout: new TextDecoder().decode(result.stdout),
    stderr: new TextDecoder().decode(result.stderr),
  };
}

const C_ECHO = (name: string) =>
  `#include <stdio.h>\nint main(int argc, char **argv) {\n  printf("${name} %s %s\\n", argc > 1 ? argv[1] : "-", argc > 2 ? argv[2] : "-");\n  return 0;\n}\n`;

Deno.test("buildSubmission() builds a C pair in parallel and the plans run", async () => {
  const ms = await built(
    { "server.c": C_ECHO("server"), "client.c": C_ECHO("client") },
    async (b) => {
      assert.equal(b.language, "c");
      assert.equal(b.server.ok, true, b.server.message);
      assert.equal(b.server.message, "built server.c with cc");
      assert.deepEqual(b.server.commands[0]!.slice(1), [
        "-Wall",
        "-Wextra",
        "-O1",
        "-o",
        "server",
        "server.c",
      ]);
      assert.equal(b.server.plan?.lineBuffering, "stdbuf");
      assert.deepEqual(Object.keys(b.server.plan!.env).sort(), ["HOME", "LANG", "PATH"]);
      assert.deepEqual(await run(b.server.plan, "192.168.100.2", "6666"), {
        code: 0,
        stdout: "server 192.168.100.2 6666\n",
        stderr: "",
      });
      assert.equal(
        (await run(b.client.plan, "192.168.100.168", "6666")).stdout,
        "client 192.168.100.168 6666\n",
      );
    },
  );
  console.log(`C pair built in ${ms} ms (both sides in parallel)`);
});

Deno.test("buildSubmission() reports a C compile error in one line and keeps warnings", async () => {
  await built({
    "server.c": "#include <stdio.h>\nint main(void) {\n  int unused;\n  return sockfd;\n}\n",
    "hw/tcp_client.cpp": '#include <cstdio>\nint main() { int w; std::puts("c"); return 0; }\n',
  }, async (b) => {
    assert.equal(b.language, "mixed");
    assert.equal(b.server.ok, false);
    assert.equal(b.server.plan, undefined);
    assert.match(b.server.message, /^server\.c:4:10: error: .sockfd. undeclared/);
    assert.match(b.server.output, /warning: unused variable/);
    assert.ok(!b.server.output.includes("sockgrade-"), "the workspace path is not shown");
    assert.equal(b.client.ok, true, b.client.message);
    assert.equal(
      b.client.message,
      "built hw/tcp_client.cpp with c++ (1 warning: see the compiler output)",
    );
    assert.equal((await run(b.client.plan)).stdout, "c\n");
  });
});

Deno.test("buildSubmission() checks Python syntax and plans python3 with PYTHONUNBUFFERED", async () => {
  await built({
    "server.py": "import sys\nprint('server', *sys.argv[1:])\n",
    "client.py": "def f():\n  return 1\n   x = 2\n",
  }, async (b) => {
    assert.equal(b.server.ok, true, b.server.message);
    const plan = b.server.plan!;
    assert.equal(plan.lineBuffering, "env");
    assert.deepEqual(plan.lineBufferingEnv, { PYTHONUNBUFFERED: "1" });
    assert.equal(plan.env.PYTHONUNBUFFERED, "1");
    assert.deepEqual(plan.argv.slice(1), ["server.py"]);
    assert.equal((await run(plan, "a", "1")).stdout, "server a 1\n");
    assert.equal(b.client.ok, false);
    assert.equal(b.client.message, "client.py:3: IndentationError: unexpected indent");
    await assert.rejects(Deno.stat(join(plan.cwd, "__pycache__")), Deno.errors.NotFound);
  });
});

Deno.test("buildSubmission() compiles Java with packages and odd file names, and the plans run", async () => {
  const ms = await built({
    "src/hw1/Server.java":
      'package hw1;\n\npublic class Server {\n  public static void main(String[] args) {\n    System.out.println(Greeting.text() + " " + String.join(" ", args));\n  }\n}\n',
    "src/hw1/Greeting.java":
      'package hw1;\nclass Greeting { static String text() { return "server"; } }\n',
    "src/client.java":
      'public class Client {\n  public static void main(String[] args) {\n    System.out.println("client");\n  }\n}\n',
  }, async (b) => {
    assert.equal(b.language, "java");
    assert.equal(b.server.ok, true, `${b.server.message}\n${b.server.output}`);
    assert.equal(b.server.message, "compiled src/hw1/Server.java (main class hw1.Server)");
    assert.equal(b.server.plan?.lineBuffering, "none");
    assert.deepEqual(b.server.plan?.argv.slice(1, 1 + JAVA_FAST_START.length), JAVA_FAST_START);
    assert.equal(b.server.plan?.argv.at(-1), "hw1.Server");
    assert.equal((await run(b.server.plan, "x", "1")).stdout, "server x 1\n");
    assert.equal(b.client.ok, true, `${b.client.message}\n${b.client.output}`);
    assert.ok(
      b.notes.some((n) => n.includes("declares public class Client: compiled it as Client.java")),
    );
    assert.equal((await run(b.client.plan)).stdout, "client\n");
  });
  console.log(`Java pair built in ${ms} ms (both sides in parallel)`);
});

Deno.test("buildSubmission() reports a javac error with its symbol", async () => {
  await built({
    "Server.java":
      "public class Server {\n  public static void main(String[] a) {\n    System.out.println(sockfd);\n  }\n}\n",
  }, (b) => {
    assert.equal(b.server.ok, false);
    assert.equal(
      b.server.message,
      "Server.java:3: error: cannot find symbol (symbol: variable sockfd)",
    );
    assert.equal(b.client.skipped, true);
    assert.match(b.client.message, /^no client program found: expected client\.c/);
  });
});

Deno.test("buildSubmission() runs TypeScript with Deno offline, without a type check", async () => {
  await built({
    "server.ts":
      "const n: number = 'x' as unknown as number;\nconsole.log('server', ...Deno.args, n);\n",
    "client.ts": "const x: number = 'oops';\nconsole.log('client', x);\n",
  }, async (b) => {
    assert.equal(b.server.ok, true, `${b.server.message}\n${b.server.output}`);
    assert.equal(b.server.plan?.lineBuffering, "none");
    const denoDir = b.server.plan?.env.DENO_DIR ?? "";
    assert.notEqual(denoDir, (await toolchain()).denoDir, "never the grader's own Deno cache");
    assert.ok(denoDir.startsWith(b.server.plan!.env.HOME!), `a cache in the workspace: ${denoDir}`);
    assert.deepEqual(Object.keys(b.server.plan!.env).sort(), [
      "DENO_DIR",
      "DENO_NO_PROMPT",
      "DENO_NO_UPDATE_CHECK",
      "HOME",
      "LANG",
      "NO_COLOR",
      "PATH",
    ]);
    assert.equal((await run(b.server.plan, "a", "1")).stdout, "server a 1 x\n");
    assert.equal(b.client.ok, true);
    assert.equal(
      b.client.message,
      "client.ts and its imports load (Deno runs it without type checking)",
    );
    assert.equal((await run(b.client.plan)).stdout, "client oops\n");
  });
  await built({
    "server.ts": "const x = (;\n",
    "client.ts":
      'import { x } from "https://example.com/sockgrade/not-cached.ts";\nconsole.log(x);\n',
  }, (b) => {
    assert.equal(b.server.ok, false);
    assert.equal(b.server.message, "server.ts:1:12: SyntaxError: Expression expected");
    assert.equal(b.client.ok, false);
    assert.match(b.client.message, /^client\.ts:1:19: .*\(sockgrade runs Deno offline: /);
  });
});

Deno.test("buildSubmission() runs a Makefile once for both sides", async () => {
  await built({
    "Makefile":
      "all: server tcp_client\nserver: server.c\n\tcc -o server server.c\ntcp_client: client.c\n\tcc -o tcp_client client.c\n",
    "server.c": C_ECHO("server"),
    "client.c": C_ECHO("client"),
    "server": "#!/bin/sh\necho prebuilt\n",
  }, async (b) => {
    assert.equal(b.language, "make");
    assert.equal(b.server.ok, true, `${b.server.message}\n${b.server.output}`);
    assert.equal(b.server.commands, b.client.commands, "one shared make run");
    assert.equal(b.server.message, "make built server");
    assert.equal(b.client.message, "make built tcp_client");
    assert.equal((await run(b.server.plan, "a", "1")).stdout, "server a 1\n");
    assert.equal((await run(b.client.plan)).stdout, "client - -\n");
  });
  await built({
    "Makefile": "server: server.c\n\tcc -o server server.c\n",
    "server.c": C_ECHO("server"),
    "client.c": C_ECHO("client"),
    "client": "#!/bin/sh\necho prebuilt\n",
  }, (b) => {
    assert.equal(b.server.ok, true);
    assert.equal(b.client.ok, false);
    assert.equal(
      b.client.message,
      "make finished but made no executable named client next to Makefile (the submitted client file was not rebuilt, so it is not used)",
    );
  });
});

Deno.test("buildSubmission() stops a build at the time limit", async () => {
  await built({ "Makefile": "all:\n\tsleep 30\n", "server.c": "" }, (b) => {
    assert.equal(b.server.ok, false);
    assert.equal(b.server.timedOut, true);
    assert.match(b.server.message, /took longer than 0.5 s and was stopped/);
  }, 500);
});

Deno.test("buildSubmission() follows a submission.json manifest", async () => {
  await built({
    "submission.json": JSON.stringify({
      build: [["cc", "-o", "srv", "s.c"], ["chmod", "+x", "cli.sh"]],
      server: ["./srv", "fixed"],
      client: ["sh", "cli.sh"],
    }),
    "s.c": C_ECHO("srv"),
    "cli.sh": 'echo cli "$@"\n',
  }, async (b) => {
    assert.equal(b.language, "manifest");
    assert.equal(b.server.ok, true, `${b.server.message}\n${b.server.output}`);
    assert.equal(b.server.commands.length, 2);
    assert.equal((await run(b.server.plan, "a")).stdout, "srv fixed a\n");
    assert.equal(b.client.plan?.lineBuffering, "stdbuf");
    assert.equal((await run(b.client.plan, "b", "2")).stdout, "cli b 2\n");
  });
  await built(
    { "submission.json": '{ "server": ["./nothing"], "client": ["nope-not-a-tool"] }' },
    (b) => {
      assert.equal(
        b.server.message,
        'submission.json: the server command "./nothing" was not found after the build',
      );
      assert.equal(
        b.client.message,
        'submission.json: the client command "nope-not-a-tool" was not found on PATH',
      );
    },
  );
  await built({ "submission.json": '{ "server": 1 }' }, (b) => {
    assert.equal(b.server.ok, false);
    assert.equal(b.server.skipped, undefined);
    assert.match(b.server.message, /^submission\.json: field "server"/);
    assert.equal(b.client.message, b.server.message);
  });
});

Deno.test("java starts faster with sockgrade's flags (figures printed)", async () => {
  const { bin: tools, path } = await toolchain();
  assert.ok(tools.java && tools.javac, "java is installed");
  await using src = await writeTree({
    "Hello.java":
      'public class Hello { public static void main(String[] a) { System.out.println("hi"); } }\n',
  });
  const compiled = await runProgram({
    argv: [tools.javac, "-d", ".", "Hello.java"],
    cwd: src.dir,
    env: { PATH: path },
    timeoutMs: TIMEOUT_MS,
  });
  assert.equal(compiled.code, 0, new TextDecoder().decode(compiled.stderr));
  const time = async (flags: string[]) => {
    let best = Infinity;
    for (let i = 0; i < 3; i++) {
      const r = await runProgram({
        argv: [tools.java!, ...flags, "-cp", ".", "Hello"],
        cwd: src.dir,
        env: { PATH: path },
        timeoutMs: TIMEOUT_MS,
      });
      assert.equal(new TextDecoder().decode(r.stdout), "hi\n");
      best = Math.min(best, r.durationMs);
    }
    return Math.round(best);
  };
  console.log(
    `java Hello: ${await time([])} ms plain, ${await time(JAVA_FAST_START)} ms with ${
      JAVA_FAST_START.join(" ")
    } (best of 3)`,
  );
});

const GO_ECHO = (name: string) =>
  `package main\n\nimport (\n\t"fmt"\n\t"os"\n)\n\nfunc main() {\n\tfmt.Println("${name}", os.Args[1], os.Args[2])\n}\n`;

Deno.test("buildSubmission() builds Go offline with its caches in the workspace", async () => {
  const ms = await built({
    "server.go": GO_ECHO("server"),
    "client.go": 'package main\n\nimport "os"\n\nfunc main() {\n\tx := 1\n}\n',
  }, async (b, dir) => {
    assert.equal(b.language, "go");
    assert.equal(b.server.ok, true, `${b.server.message}\n${b.server.output}`);
    assert.equal(b.server.message, "built server.go with go build");
    assert.deepEqual(b.server.commands[0]!.slice(1), ["build", "-o", "server", "server.go"]);
    assert.equal(b.server.plan?.lineBuffering, "none");
    assert.equal((await run(b.server.plan, "a", "1")).stdout, "server a 1\n");
    assert.equal(b.client.ok, false);
    // Go 1.19 says `imported and not used: "os"`, later ones `"os" imported and not used`.
    assert.match(b.client.message, /^client\.go:3:8: .*imported and not used/);
    assert.ok((await Deno.stat(join(dir, ".sockgrade-home", "go-cache"))).isDirectory);
  });
  console.log(`Go pair built in ${ms} ms (empty Go cache)`);
});

Deno.test("buildSubmission() builds one Rust file with rustc and a Cargo project with cargo", async () => {
  const ms = await built({
    "server.rs":
      'fn main() {\n    let a: Vec<String> = std::env::args().collect();\n    let unused = 1;\n    println!("server {} {}", a[1], a[2]);\n}\n',
    "client.rs": 'fn main() {\n    let x: u32 = "no";\n}\n',
  }, async (b) => {
    assert.equal(b.language, "rust");
    assert.equal(b.server.ok, true, `${b.server.message}\n${b.server.output}`);
    assert.equal(
      b.server.message,
      "built server.rs with rustc (1 warning: see the compiler output)",
    );
    assert.equal((await run(b.server.plan, "a", "1")).stdout, "server a 1\n");
    assert.equal(b.client.ok, false);
    assert.equal(b.client.message, "client.rs:2:18: error[E0308]: mismatched types");
  });
  console.log(`Rust pair (rustc) built in ${ms} ms`);
  const cargoMs = await built({
    "Cargo.toml":
      '[package]\nname = "hw"\nversion = "0.1.0"\nedition = "2021"\n\n[[bin]]\nname = "srv"\npath = "src/bin/server.rs"\n',
    "src/bin/server.rs":
      'fn main() {\n    println!("server {}", std::env::args().nth(1).unwrap());\n}\n',
    "src/bin/client.rs": 'fn main() {\n    println!("client");\n}\n',
  }, async (b) => {
    assert.equal(b.server.ok, true, `${b.server.message}\n${b.server.output}`);
    assert.equal(b.server.message, "built src/bin/server.rs with cargo (binary srv)");
    assert.equal((await run(b.server.plan, "a")).stdout, "server a\n");
    assert.equal(b.client.ok, true, `${b.client.message}\n${b.client.output}`);
    assert.equal((await run(b.client.plan)).stdout, "client\n");
  });
  console.log(`Rust pair (cargo) built in ${cargoMs} ms`);
});
