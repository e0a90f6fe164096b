/**
 * Helpers for tests that grade a small class in separate `sockgrade` processes (shards, a
 * regrade, pods): a temp class made of fixtures, running `main.ts`, and the grades of a result
 * with its timings and run metadata left out, so two runs can be compared.
 *
 * @module
 */

import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { GradeResult } from "../../grader/result.ts";

/** The repository's root. */
export const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** A finished process: its exit status and output. */
export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `cmd` to its end (no stdin, output piped, `NO_COLOR`, without an outer `INIT_CWD`). */
export async function run(cmd: string, args: string[], cwd = ROOT): Promise<Ran> {
  const env = Deno.env.toObject();
  delete env.INIT_CWD;
  const out = await new Deno.Command(cmd, {
    args,
    cwd,
    clearEnv: true,
    env: { ...env, NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  return { code: out.code, stdout: text.decode(out.stdout), stderr: text.decode(out.stderr) };
}

/** Runs `deno run -A main.ts <args>`. */
export function sockgrade(args: string[]): Promise<Ran> {
  return run(Deno.execPath(), ["run", "-A", join(ROOT, "main.ts"), ...args]);
}

/** A process's status and output, for assertion messages. */
export function describe(ran: Ran): string {
  return `exit ${ran.code}\n--- stdout\n${ran.stdout}\n--- stderr\n${ran.stderr}`;
}

/** A temp folder removed when the test ends (`await using`). */
export async function tempDir(): Promise<{ path: string } & AsyncDisposable> {
  const path = await Deno.makeTempDir({ prefix: "sockgrade-classes-" });
  return { path, [Symbol.asyncDispose]: () => Deno.remove(path, { recursive: true }) };
}

/** Makes `dir/<id>/` from `tests/fixtures/<fixture>/` (not its expected.json) for each student. */
export async function makeClass(dir: string, students: Record<string, string>): Promise<void> {
  for (const [id, fixture] of Object.entries(students)) {
    const from = join(ROOT, "tests/fixtures", fixture);
    await Deno.mkdir(join(dir, id), { recursive: true });
    for await (const entry of Deno.readDir(from)) {
      if (entry.isFile && entry.name !== "expected.json") {
        await Deno.copyFile(join(from, entry.name), join(dir, id, entry.name));
      }
    }
  }
}

/** Reads a `--json` result. */
export async function readResult(path: string): Promise<GradeResult> {
  return JSON.parse(await Deno.readTextFile(path)) as GradeResult;
}

/**
 * What a result grades, by student id: score, maximum and each check's status and points;
 * timings, messages, evidence and run metadata left out.
 */
export function gradesOf(result: GradeResult): Record<string, unknown> {
  return Object.fromEntries(
    [...result.submissions].sort((a, b) => a.id < b.id ? -1 : 1).map((s) => [s.id, {
      score: s.score,
      maxScore: s.maxScore,
      checks: s.checks.map((c) => `${c.id} ${c.status} ${c.points}/${c.maxPoints}`),
    }]),
  );
}
