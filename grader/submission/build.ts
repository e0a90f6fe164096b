/**
 * Building a submission's two programs in its temporary copy, and saying how to start each one
 * (a {@linkcode ProgramPlan}). Every command runs through the sandbox's `runProgram` (student
 * Makefiles and manifests are student code) with a minimal environment: `PATH` with the tools'
 * folders, `HOME` in the copy, `LANG=C.UTF-8`, and what one runtime needs.
 *
 * A side written in a language sockgrade knows is built by that language's row of the language
 * table (`languages/mod.ts`: `languages/c.ts`, `java.ts`, … say the commands); besides those:
 *
 * | kind | build | start | line buffering |
 * |---|---|---|---|
 * | make | `make -B -k` once for both sides | the `server` / `client` executables it made | `stdbuf` |
 * | manifest | its `build` commands once, in order | its `server` / `client` commands | by runtime |
 *
 * Sides build in parallel; a shared Makefile or manifest build runs once. With `cache: true`,
 * a build already made from the same files by the same compilers is restored from the build
 * cache instead (see `build_cache.ts`), with identical messages and compiler output and a note.
 *
 * @module
 */

import { basename, dirname, extname, join, relative } from "node:path";
import type { BuildOutcome, SideBuild } from "./build_outcome.ts";
import type { Detection, Side } from "./discover.ts";
import {
  type BuildContext,
  builtMessage,
  failure,
  HOME_DIR,
  missingTool,
  type ProgramPlan,
  runSteps,
  type Steps,
} from "./_steps.ts";
import {
  buildKey,
  defaultCacheDir,
  isCacheable,
  isStorable,
  restoreBuild,
  type Snapshot,
  snapshot,
  storeBuild,
} from "./build_cache.ts";
import { baseEnv, findToolchain, type Toolchain, which } from "./_toolchain.ts";
import { languageById, LANGUAGES, type SourceKind } from "./languages/mod.ts";
import { denoVars } from "./languages/typescript.ts";
import { exposeReadOnly } from "../sandbox/filesystem.ts";

export type { Toolchain } from "./_toolchain.ts";
export { pythonOf } from "./languages/python.ts";

let found: Promise<Toolchain> | undefined;

/**
 * Uses a toolchain found elsewhere: a grading worker gets the one its parent found, so the
 * lookup (which may start a tool once) is paid once per run, not once per submission.
 */
export function useToolchain(tools: Toolchain): void {
  exposeReadOnly(tools.folders);
  found = Promise.resolve(tools);
}

/** Finds every language's tools once per process, on the grader's own PATH. */
export function toolchain(): Promise<Toolchain> {
  found ??= findToolchain(LANGUAGES).then((tools) => {
    exposeReadOnly(tools.folders);
    return tools;
  });
  return found;
}

/** Options for {@linkcode buildSubmission}. */
export interface BuildOptions {
  /** Time limit of one side's build (a shared Makefile or manifest build gets it once). */
  timeoutMs: number;
  /**
   * Extra environment for builds (and `DENO_DIR` also for Deno programs' plans: the module cache
   * Deno builds and `deno run --cached-only` use; default: one of the submission's own in its
   * workspace, never the grader's).
   */
  env?: Record<string, string>;
  /** Use the build cache (default false: library callers opt in; `grade()` turns it on). */
  cache?: boolean;
  /** The build cache's folder (default {@linkcode defaultCacheDir}). */
  cacheDir?: string;
}

/** The note a submission built from the cache gets. */
export const FROM_CACHE_NOTE =
  "built from cache: these files were built before with the same compilers (outputs and compiler messages are from that build; --no-cache rebuilds)";

/** Executable regular files under `folder` (2 levels down, not hidden) and their mtimes. */
async function executables(folder: string): Promise<Map<string, number>> {
  const found = new Map<string, number>();
  const walk = async (dir: string, depth: number) => {
    const entries = await Array.fromAsync(Deno.readDir(dir)).catch(() => []);
    for (const entry of entries) {
      if (entry.name.startsWith(".")) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory && depth < 2) await walk(path, depth + 1);
      if (!entry.isFile) continue;
      const info = await Deno.stat(path).catch(() => undefined);
      if (info?.mode != null && (info.mode & 0o111) !== 0) {
        found.set(path, info.mtime?.getTime() ?? 0);
      }
    }
  };
  await walk(folder, 0);
  return found;
}

/**
 * The executable make made for a side (new or rewritten since `before`): `server` beside the
 * Makefile, else the shallowest whose name contains `server` (no extension, `.out`, `.exe`).
 */
function findMade(
  makeDir: string,
  side: Side,
  before: Map<string, number>,
  after: Map<string, number>,
): string | undefined {
  const made = [...after].filter(([path, mtime]) => before.get(path) !== mtime)
    .map(([path]) => path)
    .filter((path) => {
      const name = basename(path).toLowerCase();
      return name.includes(side) && ["", ".out", ".exe", ".bin"].includes(extname(name));
    });
  const exact = join(makeDir, side);
  if (made.includes(exact)) return exact;
  return made.sort((a, b) => a.split("/").length - b.split("/").length || (a < b ? -1 : 1))[0];
}

/** Runs make once; both sides then look for their executable. */
async function buildWithMake(
  ctx: BuildContext,
  makefile: string,
  sides: Side[],
): Promise<Record<Side, SideBuild>> {
  const results = {} as Record<Side, SideBuild>;
  const make = ctx.tools.bin.make;
  if (!make) {
    for (const side of sides) results[side] = missingTool("make", makefile);
    return results;
  }
  const cwd = join(ctx.dir, dirname(makefile));
  const before = await executables(cwd);
  const steps = await runSteps(
    ctx,
    [[make, "-B", "-k", "-f", basename(makefile)]],
    cwd,
    "make",
  );
  const after = await executables(cwd);
  for (const side of sides) {
    if (steps.crashed !== undefined || steps.timedOut) {
      results[side] = failure(ctx, steps, makefile);
      continue;
    }
    const made = findMade(cwd, side, before, after);
    if (!made) {
      const stale = await Deno.stat(join(cwd, side)).then((i) => i.isFile, () => false)
        ? ` (the submitted ${side} file was not rebuilt, so it is not used)`
        : " (check the target names)";
      results[side] = steps.failed ? failure(ctx, steps, makefile) : {
        ok: false,
        message: `make finished but made no executable named ${side} next to ${makefile}${stale}`,
        commands: steps.commands,
        output: steps.output,
        durationMs: steps.durationMs,
        timedOut: false,
      };
      continue;
    }
    const name = relative(ctx.dir, made);
    results[side] = {
      ok: true,
      message: builtMessage(
        steps.failed
          ? `make built ${name} (but reported errors for other targets)`
          : `make built ${name}`,
        steps.output,
      ),
      commands: steps.commands,
      output: steps.output,
      durationMs: steps.durationMs,
      timedOut: false,
      plan: { argv: [made], cwd, env: baseEnv(ctx.tools, ctx.env.HOME!), lineBuffering: "stdbuf" },
    };
  }
  return results;
}

/** How a manifest command's runtime buffers its output: its language's way, else `stdbuf`. */
function bufferingOf(command: string): Pick<ProgramPlan, "lineBuffering" | "lineBufferingEnv"> {
  const name = basename(command);
  const language = LANGUAGES.find((l) => l.manifest?.runtime.test(name));
  return language?.manifest?.buffering ?? { lineBuffering: "stdbuf" };
}

/** Runs the manifest's build once, then resolves each side's command. */
async function buildWithManifest(
  ctx: BuildContext,
  detection: Detection,
  sides: Side[],
): Promise<Record<Side, SideBuild>> {
  const manifest = detection.manifest!;
  const cwd = join(ctx.dir, dirname(manifest.path));
  const results = {} as Record<Side, SideBuild>;
  const steps: string[][] = [];
  let unresolved: string | undefined;
  for (const argv of manifest.build) {
    const command = await which(argv[0]!, ctx.env.PATH!, cwd);
    if (!command) {
      unresolved = `${manifest.path}: the build command "${
        argv[0]
      }" was not found (give a path relative to ${manifest.path} or a program on PATH)`;
      break;
    }
    steps.push([command, ...argv.slice(1)]);
  }
  const ran: Steps = unresolved !== undefined
    ? { commands: manifest.build, output: "", durationMs: 0, timedOut: false }
    : await runSteps({ ...ctx, env: { ...ctx.env, ...denoVars(ctx) } }, steps, cwd, "build");
  for (const side of sides) {
    const base = {
      commands: ran.commands,
      output: ran.output,
      durationMs: ran.durationMs,
      timedOut: ran.timedOut,
    };
    if (unresolved !== undefined) {
      results[side] = { ...base, ok: false, message: unresolved };
      continue;
    }
    if (ran.failed || ran.crashed !== undefined) {
      results[side] = failure(ctx, ran, manifest.path);
      continue;
    }
    const argv = manifest[side]!;
    const command = await which(argv[0]!, ctx.env.PATH!, cwd);
    if (!command) {
      results[side] = {
        ...base,
        ok: false,
        message: `${manifest.path}: the ${side} command "${argv[0]}" was not found${
          argv[0]!.includes("/") ? " after the build" : " on PATH"
        }`,
      };
      continue;
    }
    const buffering = bufferingOf(command);
    results[side] = {
      ...base,
      ok: true,
      message: manifest.build.length > 0
        ? `built with the commands in ${manifest.path}`
        : `started as ${manifest.path} says`,
      plan: {
        argv: [command, ...argv.slice(1)],
        cwd,
        env: {
          ...baseEnv(ctx.tools, ctx.env.HOME!),
          ...(basename(command) === "deno" ? denoVars(ctx) : {}),
          ...(buffering.lineBufferingEnv ?? {}),
        },
        ...buffering,
      },
    };
  }
  return results;
}

/**
 * Builds both sides of a detected submission inside its workspace `dir` (from
 * `copySubmission`), in parallel; a shared Makefile or manifest build runs once. Never throws
 * for a student's mistake: a compile error is `ok: false` with the first error line as the
 * message and the whole output as evidence; a side with no program is `skipped`.
 */
export async function buildSubmission(
  dir: string,
  detection: Detection,
  opts: BuildOptions,
): Promise<BuildOutcome> {
  const tools = await toolchain();
  const home = join(dir, HOME_DIR);
  await Deno.mkdir(home, { recursive: true });
  if (!opts.cache) return { ...await buildFresh(dir, detection, opts, tools, home), cache: "off" };
  if (!isCacheable(detection)) {
    return { ...await buildFresh(dir, detection, opts, tools, home), cache: "not-cacheable" };
  }
  const cacheDir = opts.cacheDir ?? defaultCacheDir();
  // The cache never decides a grade: when it cannot be read or written, the build just runs.
  let key: string | undefined;
  let before: Snapshot | undefined;
  try {
    const started = performance.now();
    before = await snapshot(dir);
    key = await buildKey(before, detection, tools, opts.env ?? {});
    const hit = await restoreBuild(cacheDir, key, dir);
    if (hit) {
      const ms = Math.round(performance.now() - started);
      return {
        ...hit,
        server: { ...hit.server, durationMs: ms },
        client: { ...hit.client, durationMs: ms },
        notes: [...hit.notes, FROM_CACHE_NOTE],
        cache: "hit",
      };
    }
  } catch {
    key = undefined;
  }
  const built = await buildFresh(dir, detection, opts, tools, home);
  if (key && before && isStorable(built)) {
    await storeBuild(cacheDir, key, dir, before, built).catch(() => {});
  }
  return { ...built, cache: "miss" };
}

/** Builds both sides (no cache). */
async function buildFresh(
  dir: string,
  detection: Detection,
  opts: BuildOptions,
  tools: Toolchain,
  home: string,
): Promise<BuildOutcome> {
  const notes = [...detection.notes];
  const ctx: BuildContext = {
    dir,
    tools,
    env: { ...baseEnv(tools, home), ...(opts.env ?? {}) },
    timeoutMs: opts.timeoutMs,
    notes,
  };
  const sides = ["server", "client"] as const;

  if (detection.manifestError !== undefined) {
    const failed = (): SideBuild => ({
      ok: false,
      message: detection.manifestError!,
      commands: [],
      output: "",
      durationMs: 0,
      timedOut: false,
    });
    return { server: failed(), client: failed(), language: detection.language, notes };
  }

  const sharedBy = (kind: "make" | "manifest") => sides.filter((s) => detection[s]?.kind === kind);
  let make: Promise<Record<Side, SideBuild>> | undefined;
  let manifest: Promise<Record<Side, SideBuild>> | undefined;
  const buildSide = (side: Side): Promise<SideBuild> => {
    const program = detection[side];
    if (!program) {
      return Promise.resolve({
        ok: false,
        skipped: true,
        message: detection.missing[side] ?? `no ${side} program found`,
        commands: [],
        output: "",
        durationMs: 0,
        timedOut: false,
      });
    }
    if (program.kind === "make") {
      make ??= buildWithMake(ctx, program.path, sharedBy("make"));
      return make.then((r) => r[side]);
    }
    if (program.kind === "manifest") {
      manifest ??= buildWithManifest(ctx, detection, sharedBy("manifest"));
      return manifest.then((r) => r[side]);
    }
    return languageById(program.kind as SourceKind).build(ctx, program.path, side);
  };
  const [server, client] = await Promise.all([buildSide("server"), buildSide("client")]);
  return { server, client, language: detection.language, notes };
}
