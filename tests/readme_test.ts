/**
 * The README is part of the interface: every check id with its default points, every `grade`
 * option, and every task it tells users to run must match the code, so the docs cannot drift.
 */

import assert from "node:assert/strict";
import { CHECKS, DEFAULT_POINTS } from "../grader/checks_catalogue.ts";
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
