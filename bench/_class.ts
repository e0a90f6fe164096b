/**
 * The class the class benchmarks grade (`class_bench.ts`, `class_run.ts`): N students made by
 * `make_class.ts` in a temp work folder, with the plan and the fixture each student copies. The
 * work folder also holds whatever the script writes beside the class (build caches, reports) and
 * is removed with it (`await using`) unless it is kept.
 *
 * @module
 */

import { join } from "node:path";
import type { SubmissionRef } from "../grader/run/grade.ts";
import { makeClass, type PlannedStudent } from "./make_class.ts";
import { optionalPositional, wholeNumber } from "./_options.ts";

/** A generated class in a temp work folder. */
export interface BenchClass extends AsyncDisposable {
  /** The temp work folder: `class/` and anything the script puts beside it. */
  work: string;
  /** The class folder, one folder per student, as a teacher's would be. */
  dir: string;
  /** Which fixture each student copies, in student order. */
  plan: PlannedStudent[];
  /** Every student as a submission to grade. */
  refs: SubmissionRef[];
  /** The fixture a student copies, by student id. */
  fixtureOf: Map<string, string>;
  /** How long making the class took, in ms. */
  madeMs: number;
}

/** Options of {@linkcode makeBenchClass}. */
export interface BenchClassOptions {
  /** Seed of the class generator. */
  seed: number;
  /** Prefix of the temp work folder's name. */
  prefix: string;
  /** Leave the work folder in place when disposed. */
  keep?: boolean;
}

/**
 * Makes a class of `n` students in a new temp work folder; disposing of it removes the folder
 * unless `keep` is set. If making the class fails, the folder is removed at once.
 */
export async function makeBenchClass(n: number, options: BenchClassOptions): Promise<BenchClass> {
  const work = await Deno.makeTempDir({ prefix: options.prefix });
  const remove = () => Deno.remove(work, { recursive: true });
  try {
    const dir = join(work, "class");
    const started = performance.now();
    const plan = await makeClass(n, dir, { seed: options.seed });
    return {
      work,
      dir,
      plan,
      refs: plan.map((p) => ({ id: p.id, path: join(dir, p.id) })),
      fixtureOf: new Map(plan.map((p) => [p.id, p.fixture])),
      madeMs: performance.now() - started,
      [Symbol.asyncDispose]: options.keep ? () => Promise.resolve() : remove,
    };
  } catch (error) {
    await remove();
    throw error;
  }
}

/**
 * The class size from a script's positional arguments: at most one, `N`, a whole number of at
 * least 1; `fallback` when none is given. Anything else throws a UsageError.
 */
export function classSize(positionals: readonly string[], fallback: number): number {
  const what = "N (the number of students)";
  return wholeNumber(what, optionalPositional(positionals, what), { fallback, min: 1 });
}
