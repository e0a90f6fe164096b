/**
 * TypeScript, run by Deno: load the module graph (`deno install --entrypoint`: syntax errors and
 * imports that cannot be resolved offline fail; types are not checked, as `deno run` does not
 * check them either and a type check costs about 2 s of CPU per file), then
 * `deno run -A --cached-only server.ts` (`--no-config` unless the submission has a deno.json).
 * The Deno is the one running the grader (for the compiled executable, the `deno` on PATH);
 * `console.log` writes at once.
 *
 * @module
 */

import { basename, dirname, join } from "node:path";
import { type BuildContext, built, failed, failure, missingTool, runSteps } from "../_steps.ts";
import { baseEnv, denoEnv, which } from "../_toolchain.ts";
import { language } from "./language.ts";

/**
 * The Deno environment for builds and plans: the caller's DENO_DIR, else a cache of the
 * submission's own in its workspace (the grader's holds the source of everything Deno ran, so
 * programs never see it).
 */
export function denoVars(ctx: BuildContext): Record<string, string> {
  return denoEnv(ctx.env.DENO_DIR ?? join(ctx.env.HOME!, "deno-cache"));
}

/**
 * `--config` for the submission's own `deno.json(c)` (in the program's folder or above it,
 * within the submission), else `--no-config`, so no file outside the submission is used.
 */
async function denoConfig(ctx: BuildContext, cwd: string): Promise<string[]> {
  for (let dir = cwd;; dir = dirname(dir)) {
    for (const name of ["deno.json", "deno.jsonc"]) {
      const path = join(dir, name);
      if (await Deno.stat(path).then((i) => i.isFile, () => false)) return ["--config", path];
    }
    if (dir === ctx.dir || dirname(dir) === dir) return ["--no-config"];
  }
}

/** TypeScript's (and JavaScript's) keywords, kept as written by copy detection. */
const TS_KEYWORDS: readonly string[] = [
  "async",
  "await",
  "break",
  "case",
  "catch",
  "class",
  "const",
  "continue",
  "default",
  "do",
  "else",
  "export",
  "false",
  "finally",
  "for",
  "function",
  "if",
  "import",
  "in",
  "let",
  "new",
  "null",
  "of",
  "return",
  "switch",
  "this",
  "throw",
  "true",
  "try",
  "typeof",
  "undefined",
  "var",
  "while",
];

/** The TypeScript row. */
export const TYPESCRIPT = language({
  id: "typescript",
  name: "TypeScript",
  extensions: [".ts", ".mts"],
  tools: ["deno"],
  findTools: async (hostPath) => ({
    deno: Deno.build.standalone ? await which("deno", hostPath) : Deno.execPath(),
  }),
  onPath: true,
  // `deno install` fills Deno's module cache, outside the workspace.
  cacheable: false,
  recipe: import.meta.url,
  lexicon: {
    keywords: TS_KEYWORDS,
    alsoCompared: [".js", ".mjs"],
    hashComment: false,
    slashComments: true,
    quotes: "\"'`",
    triple: "",
  },
  // Node and Bun run JavaScript the same way: their console.log writes at once.
  manifest: { runtime: /^(deno|node|bun)$/, buffering: { lineBuffering: "none" } },
  async build(ctx, path) {
    const deno = ctx.tools.bin.deno;
    if (!deno) return missingTool("deno", path);
    const cwd = join(ctx.dir, dirname(path));
    const file = basename(path);
    const env = { ...ctx.env, ...denoVars(ctx) };
    const config = await denoConfig(ctx, cwd);
    const steps = await runSteps(
      { ...ctx, env },
      [[deno, "install", "--quiet", "--allow-import", ...config, "--entrypoint", file]],
      cwd,
      `deno ${file}`,
    );
    if (failed(steps)) {
      const failedSide = failure(ctx, steps, path);
      if (/Import '[^']+' failed|failed to load|not found in cache/.test(steps.output)) {
        failedSide.message +=
          " (sockgrade runs Deno offline: import only Deno's built-in APIs, relative files or modules already cached on the grading machine)";
      }
      return failedSide;
    }
    return built(steps, `${path} and its imports load (Deno runs it without type checking)`, {
      argv: [deno, "run", "-A", "--cached-only", ...config, file],
      cwd,
      env: { ...baseEnv(ctx.tools, ctx.env.HOME!), ...denoVars(ctx) },
      lineBuffering: "none",
    });
  },
});
