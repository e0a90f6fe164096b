/**
 * Running build commands and turning their results into a {@linkcode SideBuild}: what every
 * language's builder (`languages/*.ts`), the Makefile build and the manifest build share. Every
 * command runs through the sandbox's `runProgram` (student Makefiles and manifests are student
 * code). Private to `grader/submission/`.
 *
 * @module
 */

import { basename, extname, join } from "node:path";
import type { SideBuild } from "./build_outcome.ts";
import { runProgram, type RunResult } from "../sandbox/process.ts";
import { cleanOutput, countWarnings, firstError } from "./_messages.ts";
import type { Toolchain } from "./_toolchain.ts";

/** One of the two programs. */
export type Side = "server" | "client";

/** How a built program is started. */
export type ProgramPlan = NonNullable<SideBuild["plan"]>;

/** Where sockgrade writes inside the workspace (hidden, so detection never sees it). */
export const HOME_DIR = ".sockgrade-home";
export const OUT_DIR = ".sockgrade-out";
/** The largest file a build may write, and the output kept from it. */
const BUILD_FILE_BYTES = 256 * 1024 * 1024;
const CAPTURE_BYTES = 1024 * 1024;

/** What every builder shares. */
export interface BuildContext {
  /** The workspace: the submission's temporary copy. */
  dir: string;
  /** The tools found on the grading machine. */
  tools: Toolchain;
  /** The environment builds get (`PATH`, `HOME` in the workspace, `LANG`, the caller's extras). */
  env: Record<string, string>;
  /** Time limit of one side's build. */
  timeoutMs: number;
  /** Remarks for the result (e.g. a file compiled under another name). */
  notes: string[];
}

/** The result of running a list of commands. */
export interface Steps {
  /** The commands run, in order. */
  commands: string[][];
  /** Their cleaned stdout+stderr. */
  output: string;
  /** Wall time of all of them. */
  durationMs: number;
  /** Whether a command was stopped at the time limit. */
  timedOut: boolean;
  /** The failing step's result, or undefined when all succeeded. */
  failed?: RunResult;
  /** A step that could not be started at all (the grader's fault). */
  crashed?: string;
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const all = new Uint8Array(a.length + b.length);
  all.set(a);
  all.set(b, a.length);
  return all;
}

/** Runs build commands in order through the sandbox; stops at the first failing one. */
export async function runSteps(
  ctx: BuildContext,
  steps: string[][],
  cwd: string,
  label: string,
): Promise<Steps> {
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

/**
 * A failed side from steps that failed; `errorOf` finds the first error in the output (default:
 * the C, Java, Python and Deno formats of `_messages.ts`).
 */
export function failure(
  ctx: BuildContext,
  steps: Steps,
  what: string,
  errorOf: (output: string) => string | undefined = firstError,
): SideBuild {
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
  return { ...base, message: errorOf(steps.output) ?? `${tool} ${how} while building ${what}` };
}

/** Whether steps did not all succeed (the side then fails with {@linkcode failure}). */
export function failed(steps: Steps): boolean {
  return steps.failed !== undefined || steps.crashed !== undefined;
}

/** A side the grader cannot build because a tool is missing on this machine. */
export function missingTool(tool: string, what: string): SideBuild {
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

/** "built server.c" plus a count of warnings (`count` defaults to cc's and javac's format). */
export function builtMessage(
  what: string,
  output: string,
  count: (output: string) => number = countWarnings,
): string {
  const n = count(output);
  return n === 0 ? what : `${what} (${n} warning${n === 1 ? "" : "s"}: see the compiler output)`;
}

/** A name for the executable next to `file` that is not an existing folder. */
export async function outputName(folder: string, file: string): Promise<string> {
  const stem = basename(file, extname(file));
  const info = await Deno.stat(join(folder, stem)).catch(() => undefined);
  return info?.isDirectory ? `${stem}.out` : stem;
}

/** A side that built: its steps' record and the plan that starts it. */
export function built(steps: Steps, message: string, plan: ProgramPlan): SideBuild {
  return {
    ok: true,
    message,
    commands: steps.commands,
    output: steps.output,
    durationMs: steps.durationMs,
    timedOut: false,
    plan,
  };
}
