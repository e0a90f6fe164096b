/**
 * The C and C++ build: one compiler call per side, the executable next to the source, started
 * under `stdbuf` (the C library buffers stdout when it is not a terminal). Private to
 * `languages/`.
 *
 * @module
 */

import { basename, dirname, join } from "node:path";
import type { SideBuild } from "../build_outcome.ts";
import {
  type BuildContext,
  built,
  builtMessage,
  failed,
  failure,
  missingTool,
  outputName,
  runSteps,
} from "../_steps.ts";
import { baseEnv } from "../_toolchain.ts";

/** Compiles `path` with the compiler called `name` (`cc`, `c++`) in the toolchain. */
export async function buildNative(
  ctx: BuildContext,
  path: string,
  name: string,
): Promise<SideBuild> {
  const compiler = ctx.tools.bin[name];
  if (!compiler) return missingTool(name, path);
  const cwd = join(ctx.dir, dirname(path));
  const file = basename(path);
  const exe = await outputName(cwd, file);
  const steps = await runSteps(
    ctx,
    [[compiler, "-Wall", "-Wextra", "-O1", "-o", exe, file]],
    cwd,
    `${name} ${file}`,
  );
  if (failed(steps)) return failure(ctx, steps, path);
  return built(steps, builtMessage(`built ${path} with ${name}`, steps.output), {
    argv: [join(cwd, exe)],
    cwd,
    env: baseEnv(ctx.tools, ctx.env.HOME!),
    lineBuffering: "stdbuf",
  });
}
