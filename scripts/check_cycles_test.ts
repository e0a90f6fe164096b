/**
 * The cycle gate finds a planted cycle (through a type-only import and a dynamic import too)
 * and passes a tree without one, on real files through `deno info`.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { cycleReport } from "./check_cycles.ts";

Deno.test("cycleReport() names a planted import cycle and passes a tree without one", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sockgrade-cycles-" });
  try {
    await Deno.writeTextFile(
      join(dir, "a.ts"),
      'import { b } from "./b.ts";\nexport const a = b;\n',
    );
    await Deno.writeTextFile(join(dir, "b.ts"), "export const b = 1;\n");
    await Deno.writeTextFile(join(dir, "c.ts"), 'export type { D } from "./d.ts";\n');
    await Deno.writeTextFile(
      join(dir, "d.ts"),
      'export type D = 1;\nexport const load = () => import("./e.ts");\n',
    );
    await Deno.writeTextFile(join(dir, "e.ts"), "export const e = 2;\n");
    assert.deepEqual(await cycleReport([dir]), []);

    await Deno.writeTextFile(
      join(dir, "b.ts"),
      'import type { a } from "./a.ts";\nexport const b = 1;\n',
    );
    await Deno.writeTextFile(
      join(dir, "e.ts"),
      'import type { D } from "./c.ts";\nexport const e = 2;\n',
    );
    const lines = await cycleReport([dir]);
    assert.equal(lines.length, 2, lines.join("\n"));
    assert.match(lines[0]!, /a\.ts → .*b\.ts → .*a\.ts/);
    assert.match(lines[1]!, /c\.ts → .*d\.ts → .*e\.ts → .*c\.ts/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
