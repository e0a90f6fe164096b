/**
 * The bundled sample submissions (`examples/submissions/`), graded by `grade` with no argument.
 * They are copied into a temporary folder first: in the compiled executable they live inside the
 * executable (`deno compile --include`), where only reading works, and the copy is what both
 * ways of running grade, so there is one code path.
 *
 * @module
 */

import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The bundled samples, beside the code (inside the compiled executable: embedded). */
export const SAMPLES_DIR = fileURLToPath(new URL("../examples/submissions", import.meta.url));

/** A temporary copy of the samples. */
export interface SamplesCopy {
  /** The folder holding one folder per sample. */
  path: string;
  /** Removes the copy. */
  cleanup(): Promise<void>;
}

async function copyTree(from: string, to: string): Promise<void> {
  await Deno.mkdir(to, { recursive: true });
  for await (const entry of Deno.readDir(from)) {
    if (entry.isDirectory) await copyTree(join(from, entry.name), join(to, entry.name));
    else if (entry.isFile) {
      await Deno.writeFile(join(to, entry.name), await Deno.readFile(join(from, entry.name)));
    }
  }
}

/** Copies the bundled samples into a fresh temporary folder. */
export async function copySamples(): Promise<SamplesCopy> {
  const path = await Deno.makeTempDir({ prefix: "sockgrade-samples-" });
  try {
    await copyTree(SAMPLES_DIR, join(path, "submissions"));
  } catch (error) {
    await Deno.remove(path, { recursive: true });
    throw error;
  }
  return {
    path: join(path, "submissions"),
    cleanup: () => Deno.remove(path, { recursive: true }),
  };
}
