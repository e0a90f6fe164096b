/**
 * The README is part of the interface: every check id with its default points, every `grade`
 * option, and every task it tells users to run must match the code, so the docs cannot drift.
 */

import assert from "node:assert/strict";
import { CHECKS, DEFAULT_POINTS } from "../grader/checks/catalogue.ts";
import { gradeCommand } from "../cli/grade_command.ts";

const readme = await Deno.readTextFile(new URL("../README.md", import.meta.url));
const config = JSON.parse(await Deno.readTextFile(new URL("../deno.json", import.meta.url)));

Deno.test("the README's checks table lists every check id with its default points", () => {
  for (const check of CHECKS) {
    const row = readme.split("\n").find((line) => line.startsWith(`| \`${check.id}\``));
    assert.ok(row, `no README row for ${check.id}`);
    const points = Number(row.split("|")[2]!.trim());
    assert.equal(points, DEFAULT_POINTS[check.id], `points of ${check.id}`);
  }
});

Deno.test("the README documents every option of `grade`", () => {
  for (const option of gradeCommand().options) {
    if (option.long === "--help") continue;
    const documented = new RegExp(`\`[^\`\n]*${option.long}\\b`).test(readme);
    assert.ok(documented, `README does not document ${option.long}`);
  }
});

Deno.test("every `deno task` the README mentions exists in deno.json", () => {
  const named = [...readme.matchAll(/deno task (?:--config \S+ )?(\w[\w:-]*)/g)].map((m) => m[1]!);
  assert.ok(named.includes("grade") && named.includes("test"), "the two set-up commands");
  for (const task of new Set(named)) {
    assert.ok(task in config.tasks, `README names "deno task ${task}", which deno.json lacks`);
  }
});

Deno.test("the README's Debian line names every package .ci/run installs, test-only ones aside", async () => {
  const ci = await Deno.readTextFile(new URL("../.ci/run", import.meta.url));
  const installed = [...ci.matchAll(/need\+=\(([\w.+-]+)\)/g)].map((m) => m[1]!);
  // coreutils (stdbuf) is part of every Debian system; the others only the tests use.
  const base = ["coreutils"];
  const testOnly = ["tmux", "libxml2-utils", "chromium", "bsdutils"];
  const line = readme.split("\n").find((l) => l.startsWith("sudo apt-get install "));
  assert.ok(line, "no `sudo apt-get install` line in the README");
  const listed = line.split(/\s+/).slice(3);
  const forGrading = installed.filter((p) => !testOnly.includes(p) && !base.includes(p));
  assert.deepEqual(listed.sort(), forGrading.sort());
  for (const p of testOnly) assert.ok(readme.includes(`\`${p}\``), `README does not name ${p}`);
  const lines = readme.split("\n").filter((l) => l.startsWith("sudo apt-get install "));
  assert.deepEqual(lines[1]?.split(/\s+/).slice(3).sort(), [...testOnly].sort(), "the tests' line");
});

Deno.test("the README's permissions table says what each task grants", () => {
  for (const task of ["server", "client", "merge", "grade"]) {
    const row = readme.split("\n").find((line) => line.startsWith(`| \`${task}\``));
    assert.ok(row, `no permissions row for ${task}`);
    const cell = row.split("|")[2]!.trim();
    const flags = cell === "the same"
      ? readme.split("\n").find((l) => l.startsWith("| `server`"))!.split("|")[2]!.trim()
      : cell;
    for (const flag of flags.replaceAll("`", "").split(/\s+/)) {
      assert.ok(config.tasks[task].split(/\s+/).includes(flag), `${task} lacks ${flag}`);
    }
  }
});
