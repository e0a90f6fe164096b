/**
 * `deno task schemas`: writes the published JSON Schemas (`grader/report/json_schemas.ts`) into
 * `docs/`. Run it after changing the spec's or the result's zod schema; the tests fail until the
 * files are up to date.
 *
 * @module
 */

import { jsonSchemaFiles } from "../grader/report/json_schemas.ts";

const docs = new URL("../docs/", import.meta.url);
for (const [name, text] of jsonSchemaFiles()) {
  await Deno.writeTextFile(new URL(name, docs), text);
  console.log(`wrote docs/${name}`);
}
