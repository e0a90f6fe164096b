/**
 * The published JSON Schemas in `docs/` (`spec.schema.json`, `result.schema.json`): they are what
 * `deno task schemas` makes from the zod schemas now, they agree with the TypeScript types, real
 * `grade --json` output validates against the result schema, and the README's spec and result
 * examples validate too. Validation uses Ajv (JSON Schema 2020-12), a validator independent of
 * zod, so the files are checked as the JSON Schema they claim to be.
 *
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv2020 } from "ajv/dist/2020.js";
import type { z } from "zod";
import { parse as parseJsonc } from "jsonc-parser";
import { jsonSchemaFiles } from "../grader/report/json_schemas.ts";
import type { GradeResult, gradeResultSchema } from "../grader/result.ts";
import { DEFAULT_SPEC } from "../grader/spec.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const DOCS = join(ROOT, "docs");

/** The published schema named `name`, compiled by Ajv in strict mode. */
async function validator(name: string) {
  const schema = JSON.parse(await Deno.readTextFile(join(DOCS, name)));
  return new Ajv2020({ strict: true, allErrors: true }).compile(schema);
}

/** Ajv's errors as lines, for assertion messages. */
function why(errors: unknown): string {
  return JSON.stringify(errors, null, 1);
}

// Compile-time: the zod schema and the TypeScript types describe the same result (every result
// fits the schema; whatever fits it is a result, but for the spec, which the schema takes as a
// spec file, with every field optional).
function _typesAgree(result: GradeResult): z.input<typeof gradeResultSchema> {
  return result;
}
function _schemaAgrees(
  parsed: Omit<z.output<typeof gradeResultSchema>, "spec">,
): Omit<GradeResult, "spec"> {
  return parsed;
}

Deno.test("docs/*.schema.json are what `deno task schemas` makes now", async () => {
  for (const [name, text] of jsonSchemaFiles()) {
    const published = await Deno.readTextFile(join(DOCS, name)).catch(() => "");
    assert.equal(published, text, `docs/${name} is out of date: run \`deno task schemas\``);
  }
});

Deno.test("the spec schema takes the default spec and refuses what the spec loader refuses", async () => {
  const valid = await validator("spec.schema.json");
  assert.ok(valid({}), why(valid.errors));
  assert.ok(valid(structuredClone(DEFAULT_SPEC)), why(valid.errors));
  for (
    const bad of [
      { port: "6666" },
      { port: 70000 },
      { messages: [] },
      { framing: "length" },
      { points: { "server.bogus": 5 } },
      { visibility: { "server.trigger": "secret" } },
      { timeouts: { buildMs: 0 } },
      { unknownField: true },
    ]
  ) {
    assert.equal(valid(bad), false, JSON.stringify(bad));
  }
});

Deno.test("real `grade --json` output validates against the result schema", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      join(ROOT, "main.ts"),
      "grade",
      join(ROOT, "tests/fixtures/c-correct"),
      join(ROOT, "tests/fixtures/c-substring-match"),
      "--jobs",
      "2",
      "--json",
      "-",
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, stderr);
  const result = JSON.parse(new TextDecoder().decode(out.stdout)) as GradeResult;
  const valid = await validator("result.schema.json");
  assert.ok(valid(result), why(valid.errors));
  // And the schema can fail: a check status that result@1 does not have.
  Object.assign(result.submissions[0]!.checks[0]!, { status: "passed" });
  assert.equal(valid(result), false);
});

/** Drops the README's elisions: keys named "…" stand for "more fields here". */
function withoutElisions(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutElisions);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value).filter(([key]) => key !== "…").map(([k, v]) => [k, withoutElisions(v)]),
  );
}

Deno.test("the README's spec and result examples validate", async () => {
  const readme = await Deno.readTextFile(join(ROOT, "README.md"));
  const blocks = [...readme.matchAll(/```jsonc?\n([\s\S]*?)```/g)].map((m) => m[1]!);
  const spec = await validator("spec.schema.json");
  const result = await validator("result.schema.json");
  let specs = 0;
  let results = 0;
  for (const block of blocks) {
    const value = withoutElisions(parseJsonc(block)) as Record<string, unknown> | undefined;
    if (value?.schema === "sockgrade/result@1") {
      results++;
      assert.ok(result(value), `${why(result.errors)}\n${block}`);
    } else if (/^\/\/ [\w-]+\.jsonc?: /.test(block) || /"\$schema": ".*spec\.schema/.test(block)) {
      specs++;
      assert.ok(spec(value), `${why(spec.errors)}\n${block}`);
    }
  }
  assert.ok(specs >= 1, "the README shows no spec example");
  assert.ok(results >= 1, "the README shows no result example");
});
