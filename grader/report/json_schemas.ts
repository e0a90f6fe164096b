/**
 * The published JSON Schemas, made from the zod schemas that validate the same data: the
 * assignment spec (`--spec FILE`, {@linkcode specSchema}) and the result `sockgrade/result@1`
 * (`--json`, {@linkcode gradeResultSchema}). `deno task schemas` writes them to `docs/`, and
 * `tests/schemas_test.ts` checks that the files there are what this module makes.
 *
 * @example
 * ```ts
 * import { jsonSchemaFiles } from "./json_schemas.ts";
 * const files = jsonSchemaFiles();
 * const spec = JSON.parse(files.get("spec.schema.json")!);
 * if (spec.properties.port.maximum !== 65535) throw new Error("unexpected");
 * ```
 *
 * @module
 */

import { z } from "zod";
import { specSchema } from "../spec.ts";
import { gradeResultSchema, RESULT_SCHEMA } from "../result.ts";

/** One schema as JSON, with its title and description. */
function schemaJson(schema: z.ZodType, title: string, description: string): string {
  const generated = z.toJSONSchema(schema, { io: "input" }) as Record<string, unknown>;
  const { $schema, ...rest } = generated;
  const document = { $schema, title, description, ...rest };
  return JSON.stringify(document, null, 2) + "\n";
}

/** The schema files by name (`spec.schema.json`, `result.schema.json`), as their text. */
export function jsonSchemaFiles(): Map<string, string> {
  return new Map([
    [
      "spec.schema.json",
      schemaJson(
        specSchema,
        "sockgrade assignment spec",
        "A --spec file (JSON or JSONC): every field is optional and defaults to the article's homework (see the README).",
      ),
    ],
    [
      "result.schema.json",
      schemaJson(
        gradeResultSchema,
        RESULT_SCHEMA,
        "What sockgrade grade --json writes (EXERCISE.md section 5). Objects may carry fields not listed here.",
      ),
    ],
  ]);
}
