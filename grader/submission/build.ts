/**
 * Building a submission's two programs in its temporary copy, and saying how to start each one
 * (a {@linkcode ProgramPlan}). Every command runs through the sandbox's `runProgram` (student
 * Makefiles and manifests are student code) with a minimal environment: `PATH` with the tools'
 * folders, `HOME` in the copy, `LANG=C.UTF-8`, and what one runtime needs.
 *
 * | kind | build | start | line buffering |
 * |---|---|---|---|
 * | c / cpp | `cc` / `c++ -Wall -Wextra -O1 -o server server.c` | `./server` | `stdbuf` |
 * | python | a syntax check (`compile()`, nothing written) | `python3 server.py` | `env` (PYTHONUNBUFFERED) |
 * | java | `javac -d <classes> -sourcepath <root> Server.java` | `java <fast-start flags> -cp <classes> [pkg.]Server` | `none` |
 * | typescript | `deno install --entrypoint` (syntax and imports; no type check) | `deno run -A --cached-only server.ts` (`--no-config` unless the submission has a deno.json) | `none` |
 * | make | `make -B -k` once for both sides | the `server` / `client` executables it made | `stdbuf` |
 * | manifest | its `build` commands once, in order | its `server` / `client` commands | by runtime |
 *
 * Sides build in parallel; a shared Makefile or manifest build runs once. With `cache: true`,
 * a build already made from the same files by the same compilers is restored from the build
 * cache instead (see `build_cache.ts`), with identical messages and compiler output and a note.
 *
 * @module
 */

import { basename, dirname, extname, join, posix, relative } from "node:path";
import type { ProgramPlan } from "../checks/types.ts";
import { runProgram, type RunResult } from "../sandbox/process.ts";
import type { Detection, Side, SideProgram, SourceKind } from "./discover.ts";
import { readJavaSource } from "./_java.ts";
import { cleanOutput, countWarnings, firstError } from "./_messages.ts";
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
import {
  baseEnv,
  denoEnv,
  JAVA_FAST_START,
  pythonOf,
  type Toolchain,
  toolchain,
  which,
} from "./_toolchain.ts";

export { pythonOf, type Toolchain, toolchain, useToolchain } from "./_toolchain.ts";

/** How one side was built. */
export interface SideBuild {
  /** Whether it built: its plan is then set. */
  ok: boolean;
  /** True when there was nothing to build for this side (no program submitted). */
  skipped?: boolean;
  /**
   * True when the grader could not build it for a reason that is not the student's (a missing
   * compiler, the sandbox failing): report as `error`, not `fail`.
   */
  graderError?: boolean;
  /** One line a student understands: the first compiler error, or what was built. */
  message: string;
  /** The commands run, in order. */
  commands: string[][];
  /** Compiler stdout+stderr (escaped, workspace path removed, cut to head and tail). */
  output: string;
  /** Wall time of this side's build (a shared build counts for both sides). */
  durationMs: number;
  /** Whether a command was stopped at the time limit. */
  timedOut: boolean;
  /** How to start the program, when it built. */
  plan?: ProgramPlan;
}

/** How the whole submission was built. */
export interface BuildOutcome {
  /** The server's build. */
  server: SideBuild;
  /** The client's build. */
  client: SideBuild;
  /** The language label (see `Detection.language`). */
  language: string;
  /** Remarks from detection and building (e.g. which candidate was chosen). */
  notes: string[];
  /**
   * What the build cache did: `hit` (restored, nothing was built), `miss` (built, and stored
   * when it could be), `not-cacheable` (TypeScript or a manifest: always built) or `off`.
   */
  cache?: "hit" | "miss" | "not-cacheable" | "off";
}

/** Options for {@linkcode buildSubmission}. */
export interface BuildOptions {
  /** Time limit of one side's build (a shared Makefile or manifest build gets it once). */
  timeoutMs: number;
  /**
   * Extra environment for builds (and `DENO_DIR` also for Deno programs' plans: the module cache
   * Deno builds and `deno run --cached-only` use; default: the grader's own Deno cache).
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

/** Where sockgrade writes inside the workspace (hidden, so detection never sees it). */
const HOME_DIR = ".sockgrade-home";
const OUT_DIR = ".sockgrade-out";
/** The largest file a build may write, and the output kept from it. */
const BUILD_FILE_BYTES = 256 * 1024 * 1024;
const CAPTURE_BYTES = 1024 * 1024;

/** What every builder shares. */
interface Context {
  dir: string;
  tools: Toolchain;
  env: Record<string, string>;
  timeoutMs: number;
  notes: string[];
}

/** The result of running a list of commands. */
interface Steps {
  commands: string[][];
  output: string;
  durationMs: number;
  timedOut: boolean;
  /** The failing step's result, or undefined when all succeeded. */
  failed?: RunResult;
  /** A step that could not be started at all (the grader's fault). */
  crashed?: string;
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

/** Runs build commands in order through the sandbox; stops at the first failing one. */
async function runSteps(ctx: Context, steps: string[][], cwd: string, label: string): Promise<
  Steps
> {
  const started = performance.now();
  const out: Steps = { commands: [], output: "", durationMs: 0, timedOut: false };
  const parts: string[] = [];
  for (const argv of steps) {
    const left = ctx.timeoutMs - (performance.now() - started);
    out.commands.push(argv);
    let result: RunResult;
    try {
      result = await runProgram({
        argv,
        cwd,
        env: ctx.env,
        limits: {
          cpuSeconds: Math.ceil(ctx.timeoutMs / 1000) + 1,
          fileSizeBytes: BUILD_FILE_BYTES,
        },
        captureBytes: CAPTURE_BYTES,
        label,
        timeoutMs: Math.max(1, left),
      });
    } catch (error) {
      out.crashed = error instanceof Error ? error.message : String(error);
      break;
    }
    const text = cleanOutput(concat(result.stdout, result.stderr), ctx.dir);
    parts.push(steps.length > 1 ? `$ ${argv.join(" ")}\n${text}` : text);
    if (result.timedOut || result.code !== 0) {
      out.timedOut = result.timedOut;
      out.failed = result;
      break;
    }
  }
  out.output = parts.join("\n").trim();
  out.durationMs = Math.round(performance.now() - started);
  return out;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const all = new Uint8Array(a.length + b.length);
  all.set(a);
  all.set(b, a.length);
  return all;
}

/** A failed side from steps that failed. */
function failure(ctx: Context, steps: Steps, what: string): SideBuild {
  const base = {
    ok: false,
    commands: steps.commands,
    output: steps.output,
    durationMs: steps.durationMs,
    timedOut: steps.timedOut,
  };
  if (steps.crashed !== undefined) {
    return {
      ...base,
      graderError: true,
      message:
        `sockgrade could not run the build of ${what} (${steps.crashed}); this is not your fault.`,
    };
  }
  if (steps.timedOut) {
    return {
      ...base,
      message: `the build of ${what} took longer than ${
        seconds(ctx.timeoutMs)
      } and was stopped (an endless loop in a Makefile or a build that waits for input?)`,
    };
  }
  const result = steps.failed!;
  const how = result.signal
    ? `was killed by ${result.signal}`
    : `exited with status ${result.code}`;
  const tool = basename(steps.commands.at(-1)?.[0] ?? "the build");
  return { ...base, message: firstError(steps.output) ?? `${tool} ${how} while building ${what}` };
}

/** A side the grader cannot build because a tool is missing on this machine. */
function missingTool(tool: string, what: string): SideBuild {
  return {
    ok: false,
    graderError: true,
    message:
      `sockgrade cannot build ${what}: ${tool} is not installed on the grading machine (not your fault; tell your teacher)`,
    commands: [],
    output: "",
    durationMs: 0,
    timedOut: false,
  };
}

/** "built server.c" plus a count of warnings. */
function builtMessage(what: string, output: string): string {
  const n = countWarnings(output);
  return n === 0 ? what : `${what} (${n} warning${n === 1 ? "" : "s"}: see the compiler output)`;
}

/** A name for the executable next to `file` that is not an existing folder. */
async function outputName(folder: string, file: string): Promise<string> {
  const stem = basename(file, extname(file));
  const info = await Deno.stat(join(folder, stem)).catch(() => undefined);
  return info?.isDirectory ? `${stem}.out` : stem;
}

/** C and C++: one compiler call per side, the executable next to the source. */
async function buildNative(ctx: Context, program: SideProgram): Promise<SideBuild> {
  const compiler = program.kind === "c" ? ctx.tools.cc : ctx.tools.cxx;
  const name = program.kind === "c" ? "cc" : "c++";
  if (!compiler) return missingTool(name, program.path);
  const cwd = join(ctx.dir, dirname(program.path));
  const file = basename(program.path);
  const exe = await outputName(cwd, file);
  const steps = await runSteps(
    ctx,
    [[compiler, "-Wall", "-Wextra", "-O1", "-o", exe, file]],
    cwd,
    `${name} ${file}`,
  );
  if (steps.failed || steps.crashed !== undefined) return failure(ctx, steps, program.path);
  return {
    ok: true,
    message: builtMessage(`built ${program.path} with ${name}`, steps.output),
    commands: steps.commands,
    output: steps.output,
    durationMs: steps.durationMs,
    timedOut: false,
    plan: {
      argv: [join(cwd, exe)],
      cwd,
      env: baseEnv(ctx.tools, ctx.env.HOME!),
      lineBuffering: "stdbuf",
    },
  };
}

/** The check Python gets: compile the file to find syntax errors, writing nothing. */
const PY_SYNTAX_CHECK = "import sys; compile(open(sys.argv[1], 'rb').read(), sys.argv[1], 'exec')";

/** Environment that makes Python's stdout line buffered. */
const PYTHON_UNBUFFERED = { PYTHONUNBUFFERED: "1" };

/** Python: a syntax check, then `python3 file.py`. */
async function buildPython(ctx: Context, program: SideProgram): Promise<SideBuild> {
  const python = await pythonOf(ctx.tools);
  if (!python) return missingTool("python3", program.path);
  const cwd = join(ctx.dir, dirname(program.path));
  const file = basename(program.path);
  const steps = await runSteps(ctx, [[python, "-c", PY_SYNTAX_CHECK, file]], cwd, `python ${file}`);
  if (steps.failed || steps.crashed !== undefined) return failure(ctx, steps, program.path);
  return {
    ok: true,
    message: `${program.path} has no syntax errors`,
    commands: steps.commands,
    output: steps.output,
    durationMs: steps.durationMs,
    timedOut: false,
    plan: {
      argv: [python, file],
      cwd,
      env: { ...baseEnv(ctx.tools, ctx.env.HOME!), ...PYTHON_UNBUFFERED },
      lineBuffering: "env",
      lineBufferingEnv: { ...PYTHON_UNBUFFERED },
    },
  };
}

/** Java: `javac` into a class folder of its own per side, then `java -cp … [pkg.]Main`. */
async function buildJava(ctx: Context, program: SideProgram, side: Side): Promise<SideBuild> {
  const { javac, java } = ctx.tools;
  if (!javac || !java) return missingTool(javac ? "java" : "javac", program.path);
  const cwd = join(ctx.dir, dirname(program.path));
  let file = basename(program.path);
  const stem = basename(file, ".java");
  let text: string;
  try {
    text = await Deno.readTextFile(join(cwd, file));
  } catch {
    text = "";
  }
  const source = readJavaSource(text, stem);
  if (source.publicType && source.publicType !== stem) {
    const wanted = `${source.publicType}.java`;
    const exists = await Deno.stat(join(cwd, wanted)).then(() => true, () => false);
    if (!exists) {
      await Deno.writeTextFile(join(cwd, wanted), text);
      ctx.notes.push(
        `${program.path} declares public class ${source.publicType}: compiled it as ${wanted} (javac wants the file named after the class)`,
      );
      file = wanted;
    }
  }
  const packagePath = source.packageName?.replaceAll(".", "/");
  const sourceRoot = packagePath && posix.dirname(program.path).endsWith(packagePath)
    ? join(ctx.dir, posix.dirname(program.path).slice(0, -packagePath.length))
    : cwd;
  const classes = join(ctx.dir, OUT_DIR, `java-${side}`);
  await Deno.mkdir(classes, { recursive: true });
  const steps = await runSteps(
    ctx,
    [[
      javac,
      ...JAVA_FAST_START.map((o) => `-J${o}`),
      "-encoding",
      "UTF-8",
      "-d",
      relative(cwd, classes),
      "-sourcepath",
      relative(cwd, sourceRoot) || ".",
      file,
    ]],
    cwd,
    `javac ${file}`,
  );
  if (steps.failed || steps.crashed !== undefined) return failure(ctx, steps, program.path);
  const main = source.mainClass ?? stem;
  const qualified = source.packageName ? `${source.packageName}.${main}` : main;
  return {
    ok: true,
    message: builtMessage(`compiled ${program.path} (main class ${qualified})`, steps.output),
    commands: steps.commands,
    output: steps.output,
    durationMs: steps.durationMs,
    timedOut: false,
    plan: {
      argv: [java, ...JAVA_FAST_START, "-cp", classes, qualified],
      cwd,
      env: baseEnv(ctx.tools, ctx.env.HOME!),
      lineBuffering: "none",
    },
  };
}

/** The Deno environment for builds and plans: the caller's DENO_DIR or the grader's own. */
function denoVars(ctx: Context): Record<string, string> {
  return denoEnv(ctx.env.DENO_DIR ?? ctx.tools.denoDir);
}

/**
 * `--config` for the submission's own `deno.json(c)` (in the program's folder or above it,
 * within the submission), else `--no-config`, so no file outside the submission is used.
 */
async function denoConfig(ctx: Context, cwd: string): Promise<string[]> {
  for (let dir = cwd;; dir = dirname(dir)) {
    for (const name of ["deno.json", "deno.jsonc"]) {
      const path = join(dir, name);
      if (await Deno.stat(path).then((i) => i.isFile, () => false)) return ["--config", path];
    }
    if (dir === ctx.dir || dirname(dir) === dir) return ["--no-config"];
  }
}

/**
 * TypeScript: load the module graph (`deno install --entrypoint`: syntax errors and imports
 * that cannot be resolved offline fail; types are not checked, as `deno run` does not check
 * them either and a type check costs about 2 s of CPU per file), then `deno run -A`.
 */
async function buildTypeScript(ctx: Context, program: SideProgram): Promise<SideBuild> {
  const deno = ctx.tools.deno;
  if (!deno) return missingTool("deno", program.path);
  const cwd = join(ctx.dir, dirname(program.path));
  const file = basename(program.path);
  const env = { ...ctx.env, ...denoVars(ctx) };
  const config = await denoConfig(ctx, cwd);
  const steps = await runSteps(
    { ...ctx, env },
    [[deno, "install", "--quiet", "--allow-import", ...config, "--entrypoint", file]],
    cwd,
    `deno ${file}`,
  );
  if (steps.failed || steps.crashed !== undefined) {
    const failed = failure(ctx, steps, program.path);
    if (/Import '[^']+' failed|failed to load|not found in cache/.test(steps.output)) {
      failed.message +=
        " (sockgrade runs Deno offline: import only Deno's built-in APIs, relative files or modules already cached on the grading machine)";
    }
    return failed;
  }
  return {
    ok: true,
    message: `${program.path} and its imports load (Deno runs it without type checking)`,
    commands: steps.commands,
    output: steps.output,
    durationMs: steps.durationMs,
    timedOut: false,
    plan: {
      argv: [deno, "run", "-A", "--cached-only", ...config, file],
      cwd,
      env: { ...baseEnv(ctx.tools, ctx.env.HOME!), ...denoVars(ctx) },
      lineBuffering: "none",
    },
  };
}

/** Builds a side from one source file. */
function buildSource(ctx: Context, program: SideProgram, side: Side): Promise<SideBuild> {
  switch (program.kind as SourceKind) {
    case "c":
    case "cpp":
      return buildNative(ctx, program);
    case "python":
      return buildPython(ctx, program);
    case "java":
      return buildJava(ctx, program, side);
    case "typescript":
      return buildTypeScript(ctx, program);
  }
}

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
  ctx: Context,
  makefile: string,
  sides: Side[],
): Promise<Record<Side, SideBuild>> {
  const results = {} as Record<Side, SideBuild>;
  if (!ctx.tools.make) {
    for (const side of sides) results[side] = missingTool("make", makefile);
    return results;
  }
  const cwd = join(ctx.dir, dirname(makefile));
  const before = await executables(cwd);
  const steps = await runSteps(
    ctx,
    [[ctx.tools.make, "-B", "-k", "-f", basename(makefile)]],
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

/** How a manifest command's runtime buffers its output, guessed from the command's name. */
function bufferingOf(command: string): Pick<ProgramPlan, "lineBuffering" | "lineBufferingEnv"> {
  const name = basename(command);
  if (/^python/.test(name)) {
    return { lineBuffering: "env", lineBufferingEnv: { ...PYTHON_UNBUFFERED } };
  }
  if (/^(java|deno|node|bun)$/.test(name)) return { lineBuffering: "none" };
  return { lineBuffering: "stdbuf" };
}

/** Runs the manifest's build once, then resolves each side's command. */
async function buildWithManifest(
  ctx: Context,
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
  const ctx: Context = {
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
    return buildSource(ctx, program, side);
  };
  const [server, client] = await Promise.all([buildSide("server"), buildSide("client")]);
  return { server, client, language: detection.language, notes };
}
