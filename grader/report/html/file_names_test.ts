/**
 * Tests for student page file names.
 *
 * @module
 */

import assert from "node:assert/strict";
import { studentFileName, studentFileNames } from "./file_names.ts";

Deno.test("studentFileName() makes safe, readable, distinct names", () => {
  const names = [
    "Zoë, O'Brien",
    "zoe o brien",
    "../../etc/passwd",
    "陳大文",
    "CON",
    ".hidden",
    "a".repeat(300),
  ]
    .map(studentFileName);
  for (const name of names) assert.match(name, /^[a-z0-9][a-z0-9-]{0,48}\.html$/);
  assert.match(names[0]!, /^zoe-o-brien-[0-9a-f]{8}\.html$/);
  assert.notEqual(names[0], names[1]);
  assert.match(names[2]!, /^etc-passwd-/);
  assert.match(names[3]!, /^student-/);
  assert.equal(studentFileName("alice"), studentFileName("alice"));
  assert.notEqual(studentFileName("Alice"), studentFileName("alice"));
});

Deno.test("studentFileNames() gives every id its own name", () => {
  const ids = Array.from({ length: 2000 }, (_, i) => `student ${i}`);
  const names = studentFileNames(ids);
  assert.equal(new Set(names.values()).size, ids.length);
});
