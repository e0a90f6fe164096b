/**
 * The hostile corpus: every folder in tests/hostile is a submission that attacks the grader (fork
 * bomb, SIGTERM ignored, endless output, unbounded memory, snooping and scribbling, symlinks out
 * of the submission, port scanning) with an `expected.json` like the fixture corpus's plus
 * `maxSeconds` (wall time bound for that submission), optional `notesMatch` (a note the copy must
 * make) and `flaky` (why a check may get one of a list of statuses).
 *
 * Graded once with `grade()` in the private namespace (the default isolation; this test fails
 * when namespaces cannot be made). Then: expected statuses, bounded time, the submission folders
 * unchanged (content hash), no process of the run left (every process seen in this test's tree
 * during the run, and any process naming one of the run's workspaces), secret markers the test
 * planted in a sibling temporary folder and in the repository never read (absent from every
 * result) nor written, and nothing written outside the copies.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { grade } from "../grader/run/grade.ts";
import { CHECK_IDS } from "../grader/checks/catalogue.ts";
import { DEFAULT_SPEC } from "../grader/spec.ts";
import type { CheckStatus } from "../grader/result.ts";
import { hashTree } from "./_helpers/tree_hash.ts";
import { TreeWatcher } from "./hostile/_tree_watcher.ts";
import { requireNamespacesAndBubblewrap, requireRootWithUnshare } from "./_helpers/containment.ts";
import { dedicatedUserProcesses, leftoverProcesses } from "./_helpers/leftovers.ts";

const HOSTILE = fileURLToPath(new URL("./hostile", import.meta.url));
const REPO = fileURLToPath(new URL("..", import.meta.url)).replace(/\/$/, "");
/** Where the snooping fixture looks (its C code names these paths). */
const SIBLING_MARKER = "/tmp/sockgrade-hostile-marker/secret.txt";
const REPO_MARKER = join(HOSTILE, ".secret", "marker.txt");
/** Files the scribbling server tries to create outside its copy. */
const MUST_NOT_EXIST = [
  "/tmp/pwned.txt",
  `${REPO}/pwned.txt`,
  "/usr/pwned.txt",
  "/pwned.txt",
  "/tmp/pwned-build.txt",
  "/pwned-build.txt",
  "/usr/pwned-build.txt",
  "/root/pwned-build.txt",
  "/tmp/sockgrade-pwned-by-tiocsti",
  "/tmp/results.json",
];

interface Expected {
  description: string;
  /** The status of each check; a list where the grader is known to vary (see `flaky`). */
  checks: Record<string, CheckStatus | CheckStatus[]>;
  /** Why a check may get one of several statuses (a known grader issue to fix). */
  flaky?: string;
  maxSeconds: number;
  notesMatch?: string;
}

async function loadCorpus(): Promise<{ name: string; path: string; expected: Expected }[]> {
  const corpus = [];
  for await (const entry of Deno.readDir(HOSTILE)) {
    if (!entry.isDirectory || entry.name.startsWith(".")) continue;
    const path = join(HOSTILE, entry.name);
    const expected = JSON.parse(await Deno.readTextFile(join(path, "expected.json"))) as Expected;
    corpus.push({ name: entry.name, path, expected });
  }
  return corpus.sort((a, b) => a.name.localeCompare(b.name));
}

Deno.test("the hostile corpus gets its verdicts in bounded time and leaves no trace", async (t) => {
  await requireNamespacesAndBubblewrap();
  const corpus = await loadCorpus();
  for (const entry of corpus) {
    assert.deepEqual(Object.keys(entry.expected.checks).sort(), [...CHECK_IDS].sort(), entry.name);
  }
  const secret = `hostile-secret-${crypto.randomUUID()}`;
  await Deno.mkdir(join(HOSTILE, ".secret"), { recursive: true, mode: 0o700 });
  await Deno.mkdir("/tmp/sockgrade-hostile-marker", { recursive: true, mode: 0o700 });
  await Deno.writeTextFile(REPO_MARKER, secret);
  await Deno.writeTextFile(SIBLING_MARKER, secret);
  const hashes = new Map<string, Map<string, string>>();
  for (const entry of corpus) hashes.set(entry.name, await hashTree(entry.path));
  const watcher = new TreeWatcher(["/tmp/sockgrade-hostile-marker"]);
  try {
    const started = performance.now();
    const result = await grade(
      corpus.map((entry) => ({ id: entry.name, path: entry.path })),
      structuredClone(DEFAULT_SPEC),
      { isolation: "netns", jobs: 2 },
    );
    const wallMs = performance.now() - started;
    watcher.sample();
    watcher.stop();
    assert.equal(result.isolation, "netns");

    for (const [i, entry] of corpus.entries()) {
      await t.step(entry.name, async () => {
        const submission = result.submissions[i]!;
        const allowed = (id: string) => [entry.expected.checks[id] ?? []].flat();
        const mismatches = CHECK_IDS.filter((id) =>
          !allowed(id).includes(submission.checks.find((c) => c.id === id)!.status)
        ).map((id) => {
          const check = submission.checks.find((c) => c.id === id)!;
          return `${id}: expected ${
            entry.expected.checks[id]
          }, got ${check.status} (${check.message})`;
        });
        assert.deepEqual(mismatches, [], `${entry.name}: ${entry.expected.description}`);
        assert.ok(
          submission.durationMs <= entry.expected.maxSeconds * 1000,
          `${entry.name} took ${submission.durationMs} ms (bound ${entry.expected.maxSeconds} s)`,
        );
        if (entry.expected.notesMatch) {
          assert.ok(
            (submission.notes ?? []).some((n) => n.includes(entry.expected.notesMatch!)),
            `notes: ${JSON.stringify(submission.notes)}`,
          );
        }
        assert.deepEqual(await hashTree(entry.path), hashes.get(entry.name), "the folder changed");
      });
    }

    await t.step("no secret marker was read or written", async () => {
      assert.ok(!JSON.stringify(result).includes(secret), "a secret shows up in the results");
      assert.equal(await Deno.readTextFile(REPO_MARKER), secret);
      assert.equal(await Deno.readTextFile(SIBLING_MARKER), secret);
      for (const path of MUST_NOT_EXIST) {
        assert.equal(await Deno.lstat(path).then(() => true, () => false), false, path);
      }
    });

    await t.step("no process of the run is left", () => {
      assert.ok(watcher.workspaces.size > 0, "the watcher saw the run's workspaces");
      assert.deepEqual(watcher.leftovers(), []);
      return Promise.resolve();
    });
    console.log(
      `hostile corpus: ${corpus.length} submissions in ${Math.round(wallMs)} ms; ${
        result.submissions.map((s) => `${s.id} ${s.durationMs} ms`).join(", ")
      }`,
    );
  } finally {
    watcher.stop();
    await Deno.remove(join(HOSTILE, ".secret"), { recursive: true });
    await Deno.remove("/tmp/sockgrade-hostile-marker", { recursive: true });
  }
});

const MAIN = join(REPO, "main.ts");
const CONTAINER_LIKE = fileURLToPath(new URL("./_helpers/container_like.sh", import.meta.url));
/** Where the stand-in runs write their results (root's own, as a teacher's would be). */
const RESULTS_DIR = "/tmp/sockgrade-hostile-results";

/**
 * Grades the whole corpus with the CLI in a stand-in environment (`prefix` runs the command in
 * it), with secrets planted as root-only files; returns what the run printed and wrote, after
 * asserting what holds in every environment: the submission folders unchanged, no secret in any
 * output, nothing written outside, nothing left running.
 */
async function gradeInStandIn(
  t: Deno.TestContext,
  prefix: string[],
  extra: string[],
): Promise<{ code: number; stdout: string; stderr: string; json?: string }> {
  const corpus = await loadCorpus();
  const secret = `hostile-secret-${crypto.randomUUID()}`;
  await Deno.mkdir(join(HOSTILE, ".secret"), { recursive: true, mode: 0o700 });
  await Deno.mkdir("/tmp/sockgrade-hostile-marker", { recursive: true, mode: 0o700 });
  await Deno.remove(RESULTS_DIR, { recursive: true }).catch(() => {});
  await Deno.mkdir(RESULTS_DIR, { mode: 0o700 });
  await Deno.writeTextFile(REPO_MARKER, secret, { mode: 0o600 });
  await Deno.writeTextFile(SIBLING_MARKER, secret, { mode: 0o600 });
  const hashes = new Map<string, Map<string, string>>();
  for (const entry of corpus) hashes.set(entry.name, await hashTree(entry.path));
  try {
    const out = await new Deno.Command(prefix[0]!, {
      args: [
        ...prefix.slice(1),
        Deno.execPath(),
        "run",
        "-A",
        MAIN,
        "grade",
        "--jobs",
        "2",
        "--no-cache",
        "--quiet",
        "--json",
        join(RESULTS_DIR, "results.json"),
        ...extra,
        ...corpus.map((entry) => entry.path),
      ],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const json = await Deno.readTextFile(join(RESULTS_DIR, "results.json")).catch(() => undefined);
    const run = {
      code: out.code,
      stdout: new TextDecoder().decode(out.stdout),
      stderr: new TextDecoder().decode(out.stderr),
      ...(json === undefined ? {} : { json }),
    };
    await t.step("the submission folders are unchanged", async () => {
      for (const entry of corpus) {
        assert.deepEqual(await hashTree(entry.path), hashes.get(entry.name), entry.name);
      }
    });
    await t.step("no secret in any output, nothing written outside the copies", async () => {
      for (const text of [run.stdout, run.stderr, run.json ?? ""]) {
        assert.ok(!text.includes(secret), "a secret shows up in the output");
      }
      assert.equal(await Deno.readTextFile(REPO_MARKER), secret);
      assert.equal(await Deno.readTextFile(SIBLING_MARKER), secret);
      for (const path of MUST_NOT_EXIST) {
        assert.equal(await Deno.lstat(path).then(() => true, () => false), false, path);
      }
    });
    await t.step("nothing is left running", async () => {
      assert.deepEqual(dedicatedUserProcesses(), []);
      assert.deepEqual(await leftoverProcesses([HOSTILE, MAIN, CONTAINER_LIKE]), []);
    });
    return run;
  } finally {
    await Deno.remove(join(HOSTILE, ".secret"), { recursive: true });
    await Deno.remove("/tmp/sockgrade-hostile-marker", { recursive: true });
    await Deno.remove(RESULTS_DIR, { recursive: true });
  }
}

Deno.test("E2 (bubblewrap hidden): the hostile corpus is refused with one line naming the fix", async (t) => {
  requireRootWithUnshare();
  const bwrap = ["/usr/bin/bwrap", "/usr/local/bin/bwrap", "/bin/bwrap"].find((path) => {
    try {
      return Deno.statSync(path).isFile;
    } catch {
      return false;
    }
  });
  if (!bwrap) {
    throw new Error("this test hides bubblewrap, which is missing: apt-get install bubblewrap");
  }
  // A private mount namespace where bwrap is /dev/null: E2 for this one run only.
  const hide = [
    "unshare",
    "--mount",
    "--propagation",
    "private",
    "--",
    "sh",
    "-c",
    'mount --bind /dev/null "$1" && shift && exec "$@"',
    "hide-bwrap",
    bwrap,
  ];
  const run = await gradeInStandIn(t, hide, []);
  assert.equal(run.code, 1, run.stderr);
  const lines = run.stderr.trim().split("\n");
  assert.equal(lines.length, 1, run.stderr);
  assert.match(
    lines[0]!,
    /^sockgrade: refusing to run untrusted code: E2: .*apt-get install bubblewrap.*--trusted-code/,
  );
  assert.equal(run.json, undefined, "no result is written");
});

Deno.test("E3 (a container stand-in): dedicated users contain the hostile corpus", async (t) => {
  requireRootWithUnshare();
  const run = await gradeInStandIn(t, [CONTAINER_LIKE], []);
  assert.equal(run.code, 0, run.stderr);
  assert.ok(run.json, "the results are written");
  const result = JSON.parse(run.json);
  assert.equal(result.environment.id, "E3", result.environment.description);
  assert.equal(result.environment.unsandboxed, false);
  const corpus = await loadCorpus();
  await t.step("no score is forged: each is its checks' points, within bounds", () => {
    for (const s of result.submissions) {
      const points = s.checks.reduce((sum: number, c: { points: number }) => sum + c.points, 0);
      assert.equal(s.score, points, s.id);
      assert.ok(s.score <= s.maxScore, s.id);
    }
    return Promise.resolve();
  });
  await t.step("the correct pairs that attack get every check they pass in E1", () => {
    const full = [
      "build-escape-makefile",
      "escaping-daemon-client",
      "port-scanner-client",
      "snooping-submission",
      "sigterm-ignoring-server",
      "tty-writer-server",
    ];
    for (const name of full) {
      const s = result.submissions[corpus.findIndex((e) => e.name === name)];
      // `server.output` may warn that line buffering was forced: a timing call, under load.
      const failing = s.checks.filter((c: { id: string; status: string }) =>
        c.status !== "pass" && !(c.id === "server.output" && c.status === "warn")
      )
        .map((c: { id: string; status: string; message: string }) =>
          `${c.id}: ${c.status} (${c.message})`
        );
      assert.deepEqual(failing, [], name);
    }
    return Promise.resolve();
  });
  console.log(
    `E3 hostile corpus: ${
      result.submissions.map((s: { id: string; score: number; maxScore: number }) =>
        `${s.id} ${s.score}/${s.maxScore}`
      ).join(", ")
    }`,
  );
});
