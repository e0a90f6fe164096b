import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { filesystemIsolation, toolFolders, workspaceOf } from "./filesystem.ts";
import { containment, runProgram, SandboxError, startProgram } from "./process.ts";
import { requireBubblewrap } from "../../tests/_helpers/containment.ts";

const REPO = fileURLToPath(new URL("../..", import.meta.url)).replace(/\/$/, "");

/** Deno.test with the op and resource sanitizers on. */
function test(name: string, fn: (t: Deno.TestContext) => Promise<void>): void {
  Deno.test({ name, sanitizeOps: true, sanitizeResources: true, sanitizeExit: true, fn });
}

/** A workspace like copySubmission's, a sibling one, and a marker in the repository. */
async function layout() {
  const secret = `secret-${crypto.randomUUID()}`;
  const mine = await Deno.makeTempDir({ prefix: "sockgrade-" });
  const other = await Deno.makeTempDir({ prefix: "sockgrade-" });
  const teacher = await Deno.makeTempDir({ dir: REPO, prefix: ".fs-test-" });
  await Deno.mkdir(`${mine}/src`);
  await Deno.writeTextFile(`${other}/marker.txt`, secret);
  await Deno.writeTextFile(`${teacher}/marker.txt`, secret);
  return {
    secret,
    mine,
    other,
    teacher,
    async [Symbol.asyncDispose]() {
      for (const dir of [mine, other, teacher]) await Deno.remove(dir, { recursive: true });
    },
  };
}

test("filesystemIsolation() makes the private view on this machine", () => {
  requireBubblewrap();
  const info = filesystemIsolation();
  assert.equal(info.kind, "private", info.reason ?? "");
  assert.equal(containment().filesystem, "private");
  return Promise.resolve();
});

test("workspaceOf() finds the sockgrade copy that holds the working folder", () => {
  assert.equal(workspaceOf("/tmp/sockgrade-abc/src/deep", undefined), "/tmp/sockgrade-abc");
  assert.equal(workspaceOf("/tmp/other-dir", undefined), "/tmp/other-dir");
  assert.equal(workspaceOf("/tmp/x", "/tmp/y"), "/tmp/y");
  return Promise.resolve();
});

test("toolFolders() never shows the grader's repository or HOME", () => {
  const home = Deno.env.get("HOME") ?? "/nonexistent";
  for (const folder of toolFolders()) {
    assert.ok(!REPO.startsWith(folder), `${folder} holds the repository`);
    assert.ok(!home.startsWith(folder + "/") && home !== folder, `${folder} holds HOME`);
  }
  return Promise.resolve();
});

test("a program cannot read other submissions or the teacher's files", async () => {
  requireBubblewrap();
  await using dirs = await layout();
  const result = await runProgram({
    argv: [
      "sh",
      "-c",
      `cat ${dirs.other}/marker.txt ${dirs.teacher}/marker.txt /etc/shadow; ls / /tmp ${REPO}; ` +
      "ls -d /tmp/sockgrade-* /work /root/.ssh /home; grep Cap /proc/self/status",
    ],
    cwd: `${dirs.mine}/src`,
    timeoutMs: 10_000,
  });
  const out = new TextDecoder().decode(result.stdout);
  const err = new TextDecoder().decode(result.stderr);
  assert.ok(!out.includes(dirs.secret) && !err.includes(dirs.secret), out + err);
  assert.match(err, /No such file or directory/);
  const listed = out.split("\n");
  assert.ok(listed.includes(dirs.mine), "its own copy is visible at its own path");
  assert.ok(!listed.includes(dirs.other), "the sibling copy is not");
  assert.ok(!out.includes("/work"), out);
  assert.match(out, /CapEff:\s+0+\n/, "no capabilities");
});

test("a program writes its copy and its private /tmp, nothing else", async () => {
  requireBubblewrap();
  await using dirs = await layout();
  const before = [...Deno.readDirSync("/tmp")].map((e) => e.name).sort();
  const script = [
    "echo ok > in-copy.txt",
    "echo tmp > /tmp/private.txt",
    `echo no > ${dirs.teacher}/x`,
    `echo no > ${dirs.other}/x`,
    "echo no > /usr/x",
    "echo no > /x",
    "echo no > /etc/x",
    "cat /tmp/private.txt",
  ].join("; ");
  const result = await runProgram({
    argv: ["sh", "-c", script],
    cwd: `${dirs.mine}/src`,
    timeoutMs: 10_000,
  });
  assert.deepEqual(result.stdoutLines.map((l) => l.text), ["tmp"]);
  assert.equal(await Deno.readTextFile(`${dirs.mine}/src/in-copy.txt`), "ok\n");
  for (const path of [`${dirs.teacher}/x`, `${dirs.other}/x`, "/usr/x", "/x", "/etc/x"]) {
    assert.equal(await Deno.stat(path).then(() => true, () => false), false, path);
  }
  const after = [...Deno.readDirSync("/tmp")].map((e) => e.name).sort();
  assert.ok(!after.includes("private.txt") || before.includes("private.txt"), "/tmp is private");
});

test("a program cannot list or read a hidden folder, even inside a folder the view shows", async () => {
  requireBubblewrap();
  const secret = `secret-${crypto.randomUUID()}`;
  const tools = await Deno.makeTempDir({ prefix: "fs-test-tools-" });
  const cache = await Deno.makeTempDir({ prefix: "fs-test-cache-" });
  try {
    const inTools = `${tools}/builds`;
    for (const dir of [inTools, cache]) {
      await Deno.mkdir(`${dir}/entry`, { recursive: true });
      await Deno.writeTextFile(`${dir}/entry/blob`, secret);
    }
    await Deno.writeTextFile(`${tools}/visible.txt`, "shown");
    // In a Deno of its own, so that the exposed and hidden folders end with it.
    const url = (path: string) => JSON.stringify(new URL(path, import.meta.url).href);
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "eval",
        `import { exposeReadOnly, hideFromPrograms } from ${url("./filesystem.ts")};
         import { runProgram } from ${url("./process.ts")};
         const [tools, inTools, cache] = ${JSON.stringify([tools, inTools, cache])};
         const probe = () => runProgram({
           argv: ["sh", "-c", 'ls -A "$1" "$2"; cat "$1/entry/blob" "$2/entry/blob" "$3/visible.txt"; ' +
             'touch "$1/planted"', "sh", inTools, cache, tools],
           cwd: "/",
           timeoutMs: 10_000,
         }).then((r) => ({
           out: new TextDecoder().decode(r.stdout),
           err: new TextDecoder().decode(r.stderr),
         }));
         exposeReadOnly([tools]);
         const shown = await probe();
         hideFromPrograms([inTools, cache, tools + "/later"]);
         console.log(JSON.stringify({ shown, hidden: await probe() }));`,
      ],
      stdin: "null",
    }).output();
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    const { shown, hidden } = JSON.parse(new TextDecoder().decode(out.stdout));
    assert.ok(shown.out.includes(secret), `without hiding, the folder is shown: ${shown.out}`);
    assert.ok(!hidden.out.includes(secret) && !hidden.err.includes(secret), hidden.out);
    assert.equal(hidden.out, `${inTools}:\nshown`, "an empty folder; the rest of tools is shown");
    assert.match(hidden.err, new RegExp(`'${cache}': No such file or directory`));
    assert.match(hidden.err, /planted.*Read-only file system/);
    const later = await Deno.stat(`${tools}/later`);
    assert.ok(later.isDirectory && (later.mode! & 0o777) === 0o700, "a missing folder is made");
  } finally {
    for (const dir of [tools, cache]) await Deno.remove(dir, { recursive: true });
  }
});

test("compilers and runtimes work inside the view", async (t) => {
  requireBubblewrap();
  await using dirs = await layout();
  await Deno.writeTextFile(`${dirs.mine}/src/hello.c`, "int main(void){return 0;}\n");
  await t.step("cc", async () => {
    const result = await runProgram({
      argv: ["cc", "-o", "hello", "hello.c"],
      cwd: `${dirs.mine}/src`,
      timeoutMs: 30_000,
    });
    assert.equal(result.code, 0, new TextDecoder().decode(result.stderr));
  });
  await t.step("deno", async () => {
    const result = await runProgram({
      argv: [Deno.execPath(), "eval", "console.log(1 + 1)"],
      cwd: `${dirs.mine}/src`,
      env: { DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" },
      timeoutMs: 30_000,
    });
    assert.equal(result.stdoutLines[0]?.text, "2", new TextDecoder().decode(result.stderr));
  });
});

test("a sandbox failure is told apart from the program's own failure", async () => {
  requireBubblewrap();
  await using dirs = await layout();
  // A workspace that does not exist: bwrap cannot bind it, the program never runs.
  await assert.rejects(
    runProgram({
      argv: ["true"],
      cwd: `${dirs.mine}/src`,
      workspace: `${dirs.mine}/missing`,
      label: "server",
      timeoutMs: 10_000,
    }),
    (error: unknown) =>
      error instanceof SandboxError &&
      /could not start the server \(true\): .*bwrap/.test(error.message),
  );
  // A program that pretends to be bwrap failing is still the program.
  const fake = await runProgram({
    argv: ["sh", "-c", "echo 'bwrap: cannot mount tmpfs' >&2; exit 1"],
    cwd: `${dirs.mine}/src`,
    timeoutMs: 10_000,
  });
  assert.equal(fake.code, 1);
  assert.equal(fake.sandboxFailure, undefined);
  await using program = startProgram({
    argv: ["true"],
    cwd: `${dirs.mine}/src`,
    workspace: `${dirs.mine}/missing`,
  });
  const exit = await program.exited;
  assert.match(exit.sandboxFailure ?? "", /bwrap/);
  assert.deepEqual(program.stdoutLines, [], "no marker leaks into stdout");
});

test("the start marker never shows in a program's stdout", async () => {
  const result = await runProgram({
    argv: ["printf", "a\\nb"],
    cwd: "/",
    timeoutMs: 10_000,
  });
  assert.equal(new TextDecoder().decode(result.stdout), "a\nb");
  assert.deepEqual(result.stdoutLines.map((l) => l.text), ["a", "b"]);
});
