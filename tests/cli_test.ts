/**
 * The command line as a user meets it: `deno run -A main.ts …` (and `deno task grade`) spawned
 * as subprocesses, their exit statuses and output read back. Covers help, usage errors (exit 2,
 * one line), the JSON on standard output, the report files, sharding and `merge`, plain output
 * when standard output is not a terminal, relative paths under `deno task`, and that grading
 * never touches the submission folders.
 *
 * Grading runs use small, quick fixtures and `--jobs 2`.
 *
 * @module
 */

import assert from "node:assert/strict";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { hashTree } from "./_helpers/tree_hash.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const MAIN = join(ROOT, "main.ts");
const FIXTURES = join(ROOT, "tests/fixtures");

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** Environment changes for a child: a value sets a variable, `undefined` removes it. */
type EnvChanges = Record<string, string | undefined>;

/**
 * The environment for a child: the test's own, minus `INIT_CWD` (set by an outer `deno task`,
 * and never overwritten by an inner one), with `changes` applied.
 */
function childEnv(changes: EnvChanges = {}): Record<string, string> {
  const env: Record<string, string> = Deno.env.toObject();
  delete env.INIT_CWD;
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

/** Runs `deno <args>` to its end, with no stdin and piped (non-terminal) output. */
async function deno(
  args: string[],
  options: { cwd?: string; env?: EnvChanges } = {},
): Promise<Ran> {
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: options.cwd ?? ROOT,
    clearEnv: true,
    env: childEnv(options.env),
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  return { code: out.code, stdout: text.decode(out.stdout), stderr: text.decode(out.stderr) };
}

/** Runs `deno run -A main.ts <args>`. */
function sockgrade(
  args: string[],
  options: { cwd?: string; env?: EnvChanges } = {},
): Promise<Ran> {
  return deno(["run", "-A", MAIN, ...args], options);
}

function describe(ran: Ran): string {
  return `exit ${ran.code}\n--- stdout\n${ran.stdout}\n--- stderr\n${ran.stderr}`;
}

// deno-lint-ignore no-control-regex
const ANSI = /\x1b\[/;

/** Copies a fixture's files (not its expected.json) into `to`. */
async function copyFixture(name: string, to: string): Promise<void> {
  await Deno.mkdir(to, { recursive: true });
  for await (const entry of Deno.readDir(join(FIXTURES, name))) {
    if (entry.isFile && entry.name !== "expected.json") {
      await Deno.copyFile(join(FIXTURES, name, entry.name), join(to, entry.name));
    }
  }
}

/** Whether a path exists. */
async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}

/** A temp folder removed when the test ends (`await using`). */
async function tempDir(): Promise<{ path: string } & AsyncDisposable> {
  const path = await Deno.makeTempDir({ prefix: "sockgrade-cli-test-" });
  return { path, [Symbol.asyncDispose]: () => Deno.remove(path, { recursive: true }) };
}

interface ResultJson {
  schema: string;
  isolation: string;
  shard?: string;
  submissions: SubmissionJson[];
}

interface SubmissionJson {
  id: string;
  score: number;
  maxScore: number;
  checks: { id: string; status: string; message: string }[];
}

/** The checks of a submission that did not pass, for failure messages. */
function notPassed(s: SubmissionJson): { id: string; status: string; message: string }[] {
  return s.checks.filter((c) => c.status !== "pass").map(({ id, status, message }) => ({
    id,
    status,
    message,
  }));
}

Deno.test("sockgrade --help and grade --help list the commands and every grade option", async () => {
  const top = await sockgrade(["--help"]);
  assert.equal(top.code, 0, describe(top));
  for (const command of ["server", "client", "grade", "merge"]) {
    assert.match(top.stdout, new RegExp(`^\\s+${command}\\b`, "m"), command);
  }
  const grade = await sockgrade(["grade", "--help"]);
  assert.equal(grade.code, 0, describe(grade));
  for (
    const option of [
      "--spec",
      "--jobs",
      "--isolation",
      "--shard",
      "--json",
      "--junit",
      "--csv",
      "--gradescope",
      "--prairielearn",
      "--html",
      "--detail",
      "--quiet",
      "--no-color",
    ]
  ) {
    assert.ok(grade.stdout.includes(option), `grade --help lacks ${option}`);
  }
  assert.equal(grade.stderr, "");
});

Deno.test("--version prints deno.json's version; help names the command as it was run", async () => {
  const { version } = JSON.parse(await Deno.readTextFile(join(ROOT, "deno.json")));
  for (const args of [["--version"], ["grade", "--version"], ["server", "--version"]]) {
    const ran = await sockgrade(args);
    assert.equal(ran.code, 0, describe(ran));
    assert.equal(ran.stdout, `${version}\n`);
  }
  const help = await sockgrade(["grade", "--help"]);
  assert.match(help.stdout, /^Usage: deno run -A main\.ts grade \[options\]/m);
  assert.match(help.stdout, /^ {2}deno run -A main\.ts grade class\//m);
  const task = await deno(["task", "--quiet", "server", "--help"]);
  assert.match(task.stdout, /^Usage: deno task server \[options\]/m);
  assert.match(task.stdout, /^ {2}deno task server 192\.168\.100\.2 6666/m);
});

Deno.test("deno task client --spec takes a relative path from the folder it was typed in", async () => {
  await using tmp = await tempDir();
  // Port 1: nothing listens there, so the client's one-line error shows which port it read.
  await Deno.writeTextFile(join(tmp.path, "spec.json"), '{ "port": 1 }\n');
  const ran = await deno(
    ["task", "--quiet", "--config", join(ROOT, "deno.json"), "client", "--spec", "spec.json"],
    { cwd: tmp.path },
  );
  assert.equal(ran.code, 1, describe(ran));
  assert.match(ran.stderr, /nothing is listening on 127\.0\.0\.1:1\b/);
});

Deno.test("help into a reader that went away (`| head -1`) exits 0 without a stack trace", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, "grade", "--help"],
    clearEnv: true,
    env: childEnv(),
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  await child.stdout.cancel();
  const stderr = await new Response(child.stderr).text();
  const status = await child.status;
  assert.equal(status.code, 0, stderr);
  assert.doesNotMatch(stderr, /^\s+at /m);
});

Deno.test("report paths are checked before anything is graded", async (t) => {
  await using tmp = await tempDir();
  const cache = join(tmp.path, "cache");
  const file = join(tmp.path, "file");
  await Deno.writeTextFile(file, "");
  const cases: [string, string[], RegExp][] = [
    [
      "--json into a missing folder",
      ["--json", join(tmp.path, "missing/r.json")],
      /--json .*missing/,
    ],
    ["--csv onto a folder", ["--csv", tmp.path], /--csv .*not a file/],
    ["--html onto a file", ["--html", file], /--html .*not a folder/],
    ["--junit under a file", ["--junit", join(file, "r.xml")], /--junit .*not a folder/],
  ];
  for (const [what, options, mentions] of cases) {
    await t.step(what, async () => {
      const ran = await sockgrade(["grade", join(FIXTURES, "c-correct"), ...options], {
        env: { SOCKGRADE_CACHE_DIR: cache },
      });
      assert.equal(ran.code, 2, describe(ran));
      assert.equal(ran.stdout, "");
      const lines = ran.stderr.trim().split("\n");
      assert.equal(lines.length, 1, describe(ran));
      assert.match(lines[0]!, mentions);
      assert.ok(!(await exists(cache)), "grading started (the build cache was made)");
    });
  }
});

Deno.test("usage errors exit 2 with one line on stderr and nothing on stdout", async (t) => {
  await using tmp = await tempDir();
  const malformed = join(tmp.path, "spec.jsonc");
  await Deno.writeTextFile(malformed, '{ "port": \n');
  const wrongType = join(tmp.path, "spec.json");
  await Deno.writeTextFile(wrongType, '{ "port": "6666" }\n');
  const correct = join(FIXTURES, "c-correct");
  const cases: [string, string[], RegExp][] = [
    ["an unknown option", ["grade", "--bogus", correct], /--bogus/],
    ["an unknown command", ["bogus"], /bogus/],
    ["--jobs 0", ["grade", "--jobs", "0", correct], /--jobs/],
    ["a missing path", ["grade", join(tmp.path, "nobody")], /nobody/],
    ["a malformed spec file", ["grade", "--spec", malformed, correct], /spec\.jsonc/],
    ["a spec field of the wrong type", ["grade", "--spec", wrongType, correct], /port/],
    ["--isolation bogus", ["grade", "--isolation", "bogus", correct], /bogus/],
    ["--shard 3/2", ["grade", "--shard", "3/2", correct], /shard/],
    ["merge of a missing file", ["merge", join(tmp.path, "none.json")], /none\.json/],
  ];
  for (const [what, args, mentions] of cases) {
    await t.step(what, async () => {
      const ran = await sockgrade(args);
      assert.equal(ran.code, 2, describe(ran));
      assert.equal(ran.stdout, "", describe(ran));
      const lines = ran.stderr.split("\n").filter((l) => l.trim() !== "");
      assert.equal(lines.length, 1, `expected one line:\n${ran.stderr}`);
      assert.match(lines[0]!, mentions);
      assert.doesNotMatch(lines[0]!, /^\s+at /);
    });
  }
});

Deno.test("grade --json - prints only the result@1 JSON and exits 0 whatever the grades", async () => {
  const ran = await sockgrade([
    "grade",
    join(FIXTURES, "c-correct"),
    join(FIXTURES, "c-substring-match"),
    "--json",
    "-",
    "--jobs",
    "2",
  ]);
  assert.equal(ran.code, 0, describe(ran));
  const result = JSON.parse(ran.stdout) as ResultJson;
  assert.equal(result.schema, "sockgrade/result@1");
  assert.ok(["netns", "none"].includes(result.isolation));
  const byId = new Map(result.submissions.map((s) => [s.id, s]));
  assert.deepEqual([...byId.keys()].sort(), ["c-correct", "c-substring-match"]);
  const correct = byId.get("c-correct")!;
  assert.equal(correct.score, 100, JSON.stringify(notPassed(correct), null, 1));
  const failing = byId.get("c-substring-match")!;
  assert.ok(failing.score < failing.maxScore, `score ${failing.score}`);
  assert.equal(failing.checks.length, 15);
  assert.doesNotMatch(ran.stderr, ANSI);
});

Deno.test("a class graded with every report, then in two shards merged back, never touching the submissions", async (t) => {
  await using tmp = await tempDir();
  const classDir = join(tmp.path, "class");
  const students: Record<string, string> = {
    alice: "c-correct",
    bob: "c-substring-match",
    carol: "python-correct",
    dave: "c-compile-error",
  };
  for (const [id, fixture] of Object.entries(students)) {
    await copyFixture(fixture, join(classDir, id));
  }
  const before = await hashTree(classDir);
  const out = (name: string) => join(tmp.path, name);

  let full: ResultJson;
  await t.step(
    "--json, --csv, --junit and --html are written; the table has no colour",
    async () => {
      const ran = await sockgrade(
        [
          "grade",
          classDir,
          "--jobs",
          "2",
          "--json",
          out("all.json"),
          "--csv",
          out("all.csv"),
          "--junit",
          out("all.xml"),
          "--html",
          out("html"),
        ],
        { env: { NO_COLOR: "1" } },
      );
      assert.equal(ran.code, 0, describe(ran));
      full = JSON.parse(await Deno.readTextFile(out("all.json")));
      assert.equal(full.schema, "sockgrade/result@1");
      assert.deepEqual(full.submissions.map((s) => s.id).sort(), Object.keys(students).sort());

      const csv = (await Deno.readTextFile(out("all.csv"))).trim().split(/\r?\n/);
      assert.equal(csv.length, 1 + 4, csv.join("\n"));
      assert.match(csv[0]!, /\bid\b/);
      assert.match(csv[0]!, /server\.trigger/);
      for (const id of Object.keys(students)) {
        assert.ok(csv.some((line) => line.startsWith(`${id},`) || line.startsWith(`"${id}"`)), id);
      }

      const junit = await Deno.readTextFile(out("all.xml"));
      assert.match(junit, /^<\?xml /);
      assert.equal(junit.match(/<testsuite[\s>]/g)?.length, 4);
      assert.match(junit, /<failure/);

      const index = await Deno.readTextFile(join(out("html"), "index.html"));
      for (const id of Object.keys(students)) assert.ok(index.includes(id), id);

      // Standard output is a pipe: a plain table, no escapes, no progress bar on stderr.
      assert.doesNotMatch(ran.stdout, ANSI);
      assert.doesNotMatch(ran.stderr, ANSI);
      for (const id of Object.keys(students)) assert.ok(ran.stdout.includes(id), id);
    },
  );

  await t.step("without NO_COLOR, output to a pipe still has no escapes", async () => {
    const ran = await sockgrade(["merge", out("all.json")], {
      env: { NO_COLOR: undefined, FORCE_COLOR: undefined },
    });
    assert.equal(ran.code, 0, describe(ran));
    assert.doesNotMatch(ran.stdout + ran.stderr, ANSI);
    assert.ok(ran.stdout.includes("alice"), describe(ran));
  });

  await t.step(
    "--shard 1/2 and 2/2 partition the class and merge back to the same ids",
    async () => {
      const shards: ResultJson[] = [];
      for (const shard of ["1/2", "2/2"]) {
        const file = out(`shard-${shard[0]}.json`);
        const ran = await sockgrade([
          "grade",
          classDir,
          "--shard",
          shard,
          "--jobs",
          "2",
          "--quiet",
          "--json",
          file,
        ]);
        assert.equal(ran.code, 0, describe(ran));
        const part = JSON.parse(await Deno.readTextFile(file)) as ResultJson;
        assert.equal(part.shard, shard);
        shards.push(part);
      }
      const [one, two] = shards.map((s) => s.submissions.map((x) => x.id));
      assert.equal(one!.filter((id) => two!.includes(id)).length, 0, "shards overlap");
      const merged = await sockgrade([
        "merge",
        out("shard-1.json"),
        out("shard-2.json"),
        "--json",
        "-",
      ]);
      assert.equal(merged.code, 0, describe(merged));
      const result = JSON.parse(merged.stdout) as ResultJson;
      assert.equal(result.schema, "sockgrade/result@1");
      assert.equal(result.shard, undefined);
      assert.deepEqual(
        result.submissions.map((s) => s.id).sort(),
        full.submissions.map((s) => s.id).sort(),
      );
    },
  );

  await t.step("the submission folders are exactly as before", async () => {
    assert.deepEqual(await hashTree(classDir), before);
  });
});

Deno.test("grade . means the folder it is run from, with deno run and with deno task", async (t) => {
  await using tmp = await tempDir();
  const student = join(tmp.path, "erin");
  await copyFixture("c-sizeof-client", student);
  const before = await hashTree(student);

  await t.step("deno run -A <sockgrade>/main.ts grade .", async () => {
    const ran = await sockgrade(["grade", ".", "--json", "-"], { cwd: student });
    assert.equal(ran.code, 0, describe(ran));
    const result = JSON.parse(ran.stdout) as ResultJson;
    assert.deepEqual(result.submissions.map((s) => s.id), ["erin"]);
  });

  await t.step(
    "deno task --config <sockgrade>/deno.json grade . (relative output path too)",
    async () => {
      // A unique name, so that a wrong resolution (against sockgrade's folder) can be cleaned up.
      const name = `${basename(tmp.path)}-erin.json`;
      const misplaced = join(dirname(ROOT.replace(/\/$/, "")), name);
      try {
        const ran = await deno(
          [
            "task",
            "--quiet",
            "--config",
            join(ROOT, "deno.json"),
            "grade",
            ".",
            "--quiet",
            "--json",
            `../${name}`,
          ],
          { cwd: student },
        );
        assert.equal(ran.code, 0, describe(ran));
        const file = join(tmp.path, name);
        assert.ok(await exists(file), `the JSON went elsewhere (${misplaced}?)`);
        const result = JSON.parse(await Deno.readTextFile(file)) as ResultJson;
        assert.deepEqual(result.submissions.map((s) => s.id), ["erin"]);
        assert.ok(result.submissions[0]!.score < 100, "graded the student, not sockgrade itself");
      } finally {
        await Deno.remove(misplaced).catch(() => {});
      }
    },
  );

  assert.deepEqual(await hashTree(student), before);
});
