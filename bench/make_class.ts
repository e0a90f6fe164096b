/**
 * Makes a synthetic class for scale tests: N student folders (`student-001`, `student-002`, …),
 * each a copy of one fixture from `tests/fixtures/`, chosen by a seeded generator so the same
 * N and seed always give the same class. The mixture is weighted like a real class: most
 * submissions are correct or nearly so, a few hang, crash or do not build.
 *
 * Fixtures marked `netns-only` in their `expected.json` (they hard-code the article's addresses)
 * are left out unless `--netns-only` is given, so the class can also be graded with
 * `--isolation none`. The class folder holds only student folders, as a teacher's would (the
 * fixtures' `expected.json` are not copied); the mix is printed, and `--manifest FILE` writes
 * which fixture each student copies as JSON.
 *
 * Run: `deno run -A bench/make_class.ts N DIR [--seed S] [--netns-only] [--manifest FILE]`
 * (`--help` lists the options).
 *
 * @example
 * ```ts
 * import { planClass } from "./make_class.ts";
 * const plan = planClass(3, ["c-correct", "python-correct"], { seed: 1 });
 * if (plan.length !== 3 || plan[0]!.id !== "student-001") throw new Error("unexpected");
 * ```
 * @module
 */

import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { UsageError } from "../grader/errors/usage_error.ts";
import { exitOnUsageError, parseCommandLine, type Script, wholeNumber } from "./_options.ts";

/** The fixture corpus the class is drawn from. */
export const FIXTURES_DIR = fileURLToPath(new URL("../tests/fixtures", import.meta.url));

/**
 * Relative weights of fixtures in a class (a fixture not listed weighs 1). Correct submissions
 * dominate, as in a real class.
 */
export const WEIGHTS: Readonly<Record<string, number>> = {
  "c-correct": 8,
  "python-correct": 5,
  "cpp-correct": 2,
  "java-correct": 2,
  "ts-correct": 1,
  "c-conn-per-message": 2,
  "c-no-address-filter": 3,
  "c-substring-match": 3,
  "c-sizeof-client": 3,
  "c-iterative-blocking": 3,
  "c-no-flush": 2,
  "c-noisy-stdout": 2,
  "python-typo-fixed": 2,
};

/** One planned student folder. */
export interface PlannedStudent {
  /** `student-001`, … (zero-padded to at least 3 digits). */
  id: string;
  /** The fixture it copies. */
  fixture: string;
}

/** Options of {@linkcode planClass}. */
export interface PlanOptions {
  /** Seed of the generator (default 1). */
  seed?: number;
}

/** A small deterministic PRNG (mulberry32): the same seed gives the same sequence everywhere. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Plans a class of `n` students drawn from `fixtures` by weight. Every fixture appears at least
 * once when `n >= fixtures.length` (the first `fixtures.length` students take one each, in a
 * shuffled order), so a class exercises the whole corpus.
 */
export function planClass(
  n: number,
  fixtures: readonly string[],
  options: PlanOptions = {},
): PlannedStudent[] {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`A class needs 1 or more students.`);
  if (fixtures.length === 0) throw new RangeError("There are no fixtures to draw from.");
  const random = mulberry32(options.seed ?? 1);
  const sorted = [...fixtures].sort();
  const weights = sorted.map((f) => WEIGHTS[f] ?? 1);
  const total = weights.reduce((a, b) => a + b, 0);
  const draw = (): string => {
    let r = random() * total;
    for (let i = 0; i < sorted.length; i++) {
      r -= weights[i]!;
      if (r < 0) return sorted[i]!;
    }
    return sorted[sorted.length - 1]!;
  };
  const firsts = [...sorted];
  for (let i = firsts.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [firsts[i], firsts[j]] = [firsts[j]!, firsts[i]!];
  }
  const width = Math.max(3, String(n).length);
  return Array.from({ length: n }, (_, i) => ({
    id: `student-${String(i + 1).padStart(width, "0")}`,
    fixture: i < firsts.length ? firsts[i]! : draw(),
  }));
}

/** The fixture names in `dir`, without the `netns-only` ones unless asked for. */
export async function listFixtures(
  dir = FIXTURES_DIR,
  options: { netnsOnly?: boolean } = {},
): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (!entry.isDirectory) continue;
    let isolation = "any";
    try {
      const expected = JSON.parse(await Deno.readTextFile(join(dir, entry.name, "expected.json")));
      isolation = expected.isolation ?? "any";
    } catch {
      // A folder without expected.json still counts as a submission.
    }
    if (isolation === "netns-only" && !options.netnsOnly) continue;
    names.push(entry.name);
  }
  return names.sort();
}

/** Copies a submission folder, skipping `expected.json` (graders never see the answers). */
async function copySubmission(from: string, to: string): Promise<void> {
  await Deno.mkdir(to, { recursive: true });
  for await (const entry of Deno.readDir(from)) {
    if (entry.name === "expected.json") continue;
    const src = join(from, entry.name);
    const dst = join(to, entry.name);
    if (entry.isDirectory) await copySubmission(src, dst);
    else if (entry.isFile) await Deno.copyFile(src, dst);
  }
}

/** Options of {@linkcode makeClass}. */
export interface MakeClassOptions extends PlanOptions {
  /** Include fixtures that only work inside the private namespace. */
  netnsOnly?: boolean;
  /** Draw from these fixtures instead of the whole corpus. */
  fixtures?: readonly string[];
  /** The fixture corpus (default: `tests/fixtures/`). */
  fixturesDir?: string;
}

/**
 * Writes a class of `n` student folders into `dir` (created; it must be empty or missing) and
 * returns the plan.
 */
export async function makeClass(
  n: number,
  dir: string,
  options: MakeClassOptions = {},
): Promise<PlannedStudent[]> {
  const fixturesDir = options.fixturesDir ?? FIXTURES_DIR;
  const fixtures = options.fixtures ??
    await listFixtures(fixturesDir, { netnsOnly: options.netnsOnly });
  const plan = planClass(n, fixtures, options);
  await Deno.mkdir(dir, { recursive: true });
  for await (const _ of Deno.readDir(dir)) {
    throw new Error(`${dir} is not empty: give a new or empty folder for the class.`);
  }
  for (const student of plan) {
    await copySubmission(join(fixturesDir, student.fixture), join(dir, student.id));
  }
  return plan;
}

const SCRIPT: Script = {
  name: "make_class",
  command: "deno run -A bench/make_class.ts",
  usage: `usage: deno run -A bench/make_class.ts N DIR [--seed S] [--netns-only] [--manifest FILE]

Makes a synthetic class of N student folders in DIR (new or empty), each a copy of one fixture
from tests/fixtures/ drawn by a seeded generator, and prints the mix.

  N                 students in the class (1 or more)
  DIR               the class folder to make
  --seed S          seed of the generator (default 1)
  --netns-only      also draw the fixtures that only work inside the private namespace
  --manifest FILE   write which fixture each student copies as JSON
  -h, --help        print this help`,
};

/** What the command line asks for. */
interface Options {
  n: number;
  dir: string;
  seed: number;
  netnsOnly: boolean;
  manifest?: string;
}

/** Reads the command line (see {@linkcode SCRIPT}); a mistake throws a UsageError. */
function readOptions(args: string[]): Options {
  const { values, positionals } = parseCommandLine(SCRIPT, args, {
    seed: { type: "string" },
    "netns-only": { type: "boolean" },
    manifest: { type: "string" },
  }, true);
  const [count, dir] = positionals;
  if (positionals.length !== 2 || count === undefined || dir === undefined) {
    const got = positionals.length === 0 ? "none" : positionals.join(" ");
    throw new UsageError(
      `give two arguments, N (the number of students) and DIR (a new or empty folder), not: ${got}.`,
    );
  }
  if (values.manifest === "") {
    throw new UsageError("--manifest takes a file name, e.g. --manifest plan.json.");
  }
  return {
    n: wholeNumber("N (the number of students)", count, { min: 1 }),
    dir,
    seed: wholeNumber("--seed", values.seed, { fallback: 1 }),
    netnsOnly: values["netns-only"] ?? false,
    manifest: values.manifest,
  };
}

if (import.meta.main) {
  const { n, dir, seed, netnsOnly, manifest } = exitOnUsageError(
    SCRIPT,
    () => readOptions(Deno.args),
  );
  try {
    const plan = await makeClass(n, dir, { seed, netnsOnly });
    const counts = new Map<string, number>();
    for (const s of plan) counts.set(s.fixture, (counts.get(s.fixture) ?? 0) + 1);
    console.log(`made ${plan.length} student folders in ${dir} (seed ${seed})`);
    for (const [fixture, k] of [...counts].sort((a, b) => b[1] - a[1])) {
      console.log(`${String(k).padStart(5)}  ${fixture}`);
    }
    if (manifest) await Deno.writeTextFile(manifest, JSON.stringify(plan, null, 2) + "\n");
  } catch (error) {
    console.error(`make_class: ${(error as Error).message}`);
    Deno.exit(1);
  }
}
