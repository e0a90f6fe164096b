/**
 * Tests of input expansion: single submissions, class folders, Moodle and Canvas downloads,
 * students' own zips, bad arguments, id clashes and cleanup.
 *
 * @module
 */

import assert from "node:assert/strict";
import { basename, dirname, join } from "node:path";
import { zipSync } from "fflate";
import { UsageError } from "../errors/usage_error.ts";
import { rawZip } from "./_testing.ts";
import { scanPrograms } from "./detect.ts";
import { type ExpandedInputs, expandInputs } from "./expand.ts";

const text = (s: string) => new TextEncoder().encode(s);

/** A fresh folder holding `files` (path → content; a path ending in `/` is an empty folder). */
async function tree(files: Record<string, string | Uint8Array>): Promise<string> {
  const root = await Deno.makeTempDir({ prefix: "sockgrade-expand-test-" });
  for (const [path, content] of Object.entries(files)) {
    const full = join(root, path);
    if (path.endsWith("/")) {
      await Deno.mkdir(full, { recursive: true });
      continue;
    }
    await Deno.mkdir(dirname(full), { recursive: true });
    if (typeof content === "string") await Deno.writeTextFile(full, content);
    else await Deno.writeFile(full, content);
  }
  return root;
}

/** Runs expandInputs with a private temp root; returns ids, the result, and cleans up after `fn`. */
async function expand(
  root: string,
  args: string[],
  fn: (r: ExpandedInputs, ids: string[]) => Promise<void> | void,
): Promise<void> {
  const tempRoot = join(root, ".tmp");
  await Deno.mkdir(tempRoot, { recursive: true });
  try {
    const r = await expandInputs(args.map((a) => join(root, a)), { tempRoot });
    try {
      await fn(r, r.submissions.map((s) => s.id));
    } finally {
      await r.cleanup();
    }
    assert.deepEqual([...Deno.readDirSync(tempRoot)], [], "cleanup() must remove the temp folder");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

async function files(dir: string): Promise<string[]> {
  const found: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    if (e.isDirectory) found.push(...(await files(join(dir, e.name))).map((f) => `${e.name}/${f}`));
    else found.push(e.name);
  }
  return found.sort();
}

Deno.test("expandInputs() takes a folder with programs as one submission named after it", async () => {
  const root = await tree({ "alice/server.c": "", "alice/client.c": "", "alice/README.md": "" });
  await expand(root, ["alice"], (r, ids) => {
    assert.deepEqual(ids, ["alice"]);
    assert.equal(r.submissions[0]!.path, join(root, "alice"));
    assert.equal(r.submissions[0]!.source, join(root, "alice"));
    assert.deepEqual(r.notes, []);
  });
});

Deno.test("expandInputs() keeps one submission whose programs sit in subfolders", async (t) => {
  const layouts: Record<string, Record<string, string>> = {
    "one subfolder": { "alice/src/tcp_server.py": "", "alice/src/tcp_client.py": "" },
    "server/ and client/": {
      "alice/server/main_server.c": "",
      "alice/client/main_client.c": "",
      "alice/docs/report.txt": "",
    },
    "a wrapper folder": { "alice/hw3/Makefile": "", "alice/hw3/a.c": "" },
  };
  for (const [label, layout] of Object.entries(layouts)) {
    await t.step(label, async () => {
      await expand(await tree(layout), ["alice"], (_r, ids) => assert.deepEqual(ids, ["alice"]));
    });
  }
});

Deno.test("expandInputs() names `.` after the real current folder", async () => {
  const root = await tree({ "alice/server.py": "", "alice/client.py": "" });
  try {
    const script = `import { expandInputs } from ${
      JSON.stringify(import.meta.resolve("./expand.ts"))
    };
      const r = await expandInputs(["."]);
      console.log(JSON.stringify(r.submissions));`;
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["eval", "--config", join(import.meta.dirname!, "../../deno.json"), script],
      cwd: join(root, "alice"),
      stdin: "null",
    }).output();
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    const submissions = JSON.parse(new TextDecoder().decode(out.stdout));
    assert.deepEqual(submissions, [{ id: "alice", path: ".", source: "." }]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("expandInputs() finds the students of a class folder and lists those without programs", async () => {
  const root = await tree({
    "class/alice/server.c": "",
    "class/alice/client.c": "",
    "class/bob/hw/server.py": "",
    "class/bob/hw/client.py": "",
    "class/carol/notes.txt": "",
    "class/dave/": "",
    "class/.git/HEAD": "",
    "class/__MACOSX/alice/._server.c": "",
    "class/grades.csv": "",
  });
  await expand(root, ["class"], (r, ids) => {
    assert.deepEqual(ids, ["alice", "bob", "carol", "dave"]);
    assert.equal(r.submissions[1]!.path, join(root, "class", "bob"));
    assert.deepEqual(r.notes, [
      "carol: found no server or client program (none of its 1 files is one); it is listed and will fail its checks.",
      "dave: found no server or client program (it is empty); it is listed and will fail its checks.",
    ]);
  });
});

Deno.test("expandInputs() keeps an empty or unrecognisable explicit folder as a submission, with a note", async () => {
  const root = await tree({ "empty/": "", "odd/main.c": "" });
  await expand(root, ["empty", "odd"], (r, ids) => {
    assert.deepEqual(ids, ["empty", "odd"]);
    assert.equal(r.notes.length, 2);
    assert.match(r.notes[0]!, /^empty: found no server or client program \(it is empty\)/);
  });
});

Deno.test("expandInputs() rejects bad arguments with a usage error", async (t) => {
  const root = await tree({ "server.c": "", "fake.zip": "not a zip", "alice/server.c": "" });
  try {
    const cases: [string[], RegExp][] = [
      [[], /^No submissions given/],
      [[join(root, "missing")], /missing: no such file or folder\. Check the path/],
      [
        [join(root, "server.c")],
        /server\.c: not a folder or a \.zip archive\. Pass a submission folder/,
      ],
      [[join(root, "fake.zip")], /fake\.zip: the file is named \.zip but is not a zip archive/],
      [[join(root, "alice"), join(root, "missing")], /missing: no such file or folder/],
    ];
    for (const [args, message] of cases) {
      await t.step(args.map((a) => basename(a)).join(" ") || "(none)", async () => {
        await assert.rejects(expandInputs(args, { tempRoot: root }), (e: unknown) => {
          assert.ok(e instanceof UsageError);
          assert.match(e.message, message);
          return true;
        });
      });
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("expandInputs() makes clashing ids unique, deterministically", async () => {
  const root = await tree({
    "a/alice/server.c": "",
    "b/alice/server.c": "",
    "c/alice-2/server.c": "",
  });
  await expand(root, ["b/alice", "c/alice-2", "a/alice"], (r, ids) => {
    assert.deepEqual(ids, ["alice", "alice-2", "alice-3"]);
    assert.equal(r.submissions[0]!.source, join(root, "a/alice"));
    assert.equal(r.submissions[1]!.source, join(root, "c/alice-2"));
    assert.equal(r.submissions[2]!.source, join(root, "b/alice"));
    assert.deepEqual(r.notes, [
      `${join(root, "b/alice")}: another submission is also named alice; it is alice-3.`,
    ]);
  });
});

Deno.test("expandInputs() regroups a Moodle download and unpacks a student's own zip", async () => {
  const hw = zipSync({ "hw3/server.c": text("s"), "hw3/client.c": text("c") });
  const zip = zipSync({
    "Jane Doe_12345_assignsubmission_file_/server.c": text("s"),
    "Jane Doe_12345_assignsubmission_file_/client.c": text("c"),
    "Jane Doe_12345_assignsubmission_onlinetext_/onlinetext.html": text("<p>hi</p>"),
    "John Roe_23456_assignsubmission_file_/hw3.zip": hw,
    "Ann Poe_34567_assignsubmission_file_/tcp_server.py": text(""),
    "Bad Zip_45678_assignsubmission_file_/work.zip": rawZip([{ name: "../evil", data: text("x") }]),
    "index.html": text(""),
  });
  const root = await tree({ "class.zip": zip });
  await expand(root, ["class.zip"], async (r, ids) => {
    assert.deepEqual(ids, ["Ann Poe_34567", "Bad Zip_45678", "Jane Doe_12345", "John Roe_23456"]);
    const [ann, bad, jane, john] = r.submissions;
    assert.equal(jane!.source, `${join(root, "class.zip")}!/Jane Doe_12345_assignsubmission_file_`);
    assert.deepEqual(await files(jane!.path), ["client.c", "server.c"]);
    assert.deepEqual(await files(john!.path), ["hw3/hw3/client.c", "hw3/hw3/server.c"]);
    assert.deepEqual(await files(ann!.path), ["tcp_server.py"]);
    assert.deepEqual(await files(bad!.path), ["work.zip"]);
    const zipPath = join(root, "class.zip");
    assert.deepEqual(r.notes, [
      `${zipPath}: ignored 1 item that belong to no student: index.html.`,
      `${zipPath}!/Bad Zip_45678_assignsubmission_file_/work.zip: entry ../evil escapes the folder; refusing to unpack this archive; Bad Zip_45678 is graded without it.`,
      "Bad Zip_45678: found no server or client program (none of its 1 files is one); it is listed and will fail its checks.",
      "John Roe_23456: unpacked hw3.zip, the student's zipped work.",
    ]);
  });
});

Deno.test("expandInputs() regroups a Canvas download per student, dropping re-upload suffixes", async () => {
  const zip = zipSync({
    "doejane_12345_67890_server.c": text("old"),
    "doejane_12345_67999_server-1.c": text("new"),
    "doejane_12345_67891_client.c": text("c"),
    "roejohn_LATE_23456_77777_client.py": text(""),
    "roejohn_LATE_23456_77778_server.py": text(""),
  });
  const root = await tree({ "submissions.zip": zip });
  await expand(root, ["submissions.zip"], async (r, ids) => {
    assert.deepEqual(ids, ["doejane_12345", "roejohn_23456"]);
    const [jane, john] = r.submissions;
    assert.deepEqual(await files(jane!.path), ["client.c", "server.c"]);
    assert.equal(await Deno.readTextFile(join(jane!.path, "server.c")), "new");
    assert.deepEqual(await files(john!.path), ["client.py", "server.py"]);
    assert.equal(jane!.source, `${join(root, "submissions.zip")}!/doejane_12345_*`);
    assert.deepEqual(r.notes, [
      "doejane_12345: uploaded the same file name more than once; kept the latest.",
      "roejohn_23456: Canvas marked the submission late.",
    ]);
  });
});

Deno.test("expandInputs() also regroups an LMS download that was already unpacked", async () => {
  const root = await tree({
    "dl/doejane_12345_67890_server.c": "",
    "dl/doejane_12345_67891_client.c": "",
    "dl/smithann_34567_67892_client.c": "",
  });
  await expand(root, ["dl"], async (r, ids) => {
    assert.deepEqual(ids, ["doejane_12345", "smithann_34567"]);
    assert.deepEqual(await files(r.submissions[0]!.path), ["client.c", "server.c"]);
    assert.deepEqual(await files(join(root, "dl")), [
      "doejane_12345_67890_server.c",
      "doejane_12345_67891_client.c",
      "smithann_34567_67892_client.c",
    ]);
  });
});

Deno.test("expandInputs() names a one-student zip after the zip, and looks through wrapper folders", async () => {
  const root = await tree({
    "alice.zip": zipSync({ "server.c": text(""), "client.c": text("") }),
    "class.zip": zipSync({
      "Section A/alice/server.c": text(""),
      "Section A/bob/client.py": text(""),
    }),
  });
  await expand(root, ["alice.zip", "class.zip"], async (r, ids) => {
    assert.deepEqual(ids, ["alice", "alice-2", "bob"]);
    assert.equal(r.submissions[0]!.source, join(root, "alice.zip"));
    assert.equal(r.submissions[1]!.source, `${join(root, "class.zip")}!/Section A/alice`);
    assert.deepEqual(await files(r.submissions[2]!.path), ["client.py"]);
  });
});

Deno.test("expandInputs() refuses a hostile zip given on the command line", async () => {
  const root = await tree({ "class.zip": rawZip([{ name: "../../etc/passwd", data: text("x") }]) });
  try {
    const tempRoot = join(root, "tmp");
    await Deno.mkdir(tempRoot);
    await assert.rejects(
      expandInputs([join(root, "class.zip")], { tempRoot }),
      (e: unknown) => {
        assert.ok(e instanceof UsageError);
        assert.equal(
          e.message,
          `${
            join(root, "class.zip")
          }: entry ../../etc/passwd escapes the folder; refusing to unpack this archive`,
        );
        return true;
      },
    );
    assert.deepEqual([...Deno.readDirSync(tempRoot)], [], "a refused zip leaves no temp folder");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("expandInputs() lists a link to / as a submission that will fail, and expands the rest", async () => {
  const root = await tree({ "alice/server.c": "int main(void) { return 0; }\n" });
  try {
    await Deno.symlink("/", join(root, "evil"));
    const expanded = await expandInputs([join(root, "alice"), join(root, "evil")]);
    try {
      assert.deepEqual(expanded.submissions.map((s) => s.id), ["alice", "evil"]);
      const evil = expanded.submissions[1]!;
      assert.deepEqual([...Deno.readDirSync(evil.path)], [], "graded as an empty folder");
      assert.ok(
        expanded.notes.some((n) => /it is \/, a system folder/.test(n)),
        expanded.notes.join("\n"),
      );
    } finally {
      await expanded.cleanup();
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("expandInputs() keeps a student with an unreadable subfolder, with a note", async () => {
  const root = await tree({
    "class/alice/server.c": "int main(void) { return 0; }\n",
    "class/bob/client.c": "int main(void) { return 0; }\n",
    "class/bob/private/server.c": "int main(void) { return 0; }\n",
  });
  try {
    await Deno.chmod(join(root, "class/bob/private"), 0o000);
    if (Deno.uid() !== 0) {
      const expanded = await expandInputs([join(root, "class")]);
      await expanded.cleanup();
      assert.deepEqual(expanded.submissions.map((s) => s.id), ["alice", "bob"]);
      assert.ok(expanded.notes.some((n) => /bob: 1 folder cannot be read/.test(n)));
      return;
    }
    // Root reads every folder: scan it as nobody (a runner that needs no packages).
    await Deno.chmod(root, 0o755);
    for (const dir of ["class", "class/alice", "class/bob"]) {
      await Deno.chmod(join(root, dir), 0o755);
    }
    const denoDir = await Deno.makeTempDir({ prefix: "sockgrade-expand-test-deno-" });
    await Deno.chmod(denoDir, 0o777);
    try {
      const detect = new URL("./detect.ts", import.meta.url).href;
      const code = `import { scanPrograms } from ${JSON.stringify(detect)};\n` +
        `console.log(JSON.stringify(await scanPrograms(${
          JSON.stringify(join(root, "class/bob"))
        })));`;
      const out = await new Deno.Command("setpriv", {
        args: ["--reuid=65534", "--regid=65534", "--clear-groups", Deno.execPath(), "eval", code],
        env: { DENO_DIR: denoDir, HOME: denoDir, NO_COLOR: "1" },
        clearEnv: true,
        stdin: "null",
      }).output();
      const text = new TextDecoder().decode(out.stdout);
      assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
      const scan = JSON.parse(text);
      assert.equal(scan.client, true);
      assert.equal(scan.server, false, "the unreadable folder was skipped");
      assert.equal(scan.unreadable, 1);
      assert.match(scan.unreadableWhy, /private: Permission denied/);
    } finally {
      await Deno.remove(denoDir, { recursive: true });
    }
  } finally {
    await Deno.chmod(join(root, "class/bob/private"), 0o700).catch(() => {});
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("scanPrograms() never throws: a folder it cannot read is counted", async () => {
  const scan = await scanPrograms("/nonexistent-sockgrade-folder");
  assert.equal(scan.unreadable, 1);
  assert.equal(scan.server || scan.client, false);
});

Deno.test("expandInputs() escapes names in its notes (control and bidi characters)", async () => {
  const root = await tree({
    "class/alice/server.c": "int main(void) { return 0; }\n",
    "class/bob/client.c": "int main(void) { return 0; }\n",
    "class/eve\x1b[2J\u202egnp/": "",
  });
  try {
    const expanded = await expandInputs([join(root, "class")]);
    await expanded.cleanup();
    const note = expanded.notes.find((n) => n.includes("eve"));
    assert.ok(note, expanded.notes.join("\n"));
    assert.match(note, /eve\\x1b\[2J\\u202egnp: found no server or client program/);
    // deno-lint-ignore no-control-regex
    assert.doesNotMatch(expanded.notes.join(""), /[\x00-\x1f\u202e]/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
