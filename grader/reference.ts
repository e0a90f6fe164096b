/**
 * The reference solution as a submission: `deno task grade` with no arguments grades it beside
 * the bundled samples, and it must score full marks. Submissions are graded from a temporary
 * copy, so this assembles a self-contained folder: `server.ts`, `client.ts` and every local
 * module they import (found with `deno info --json`, so the list never drifts), plus `deno.json`
 * and `deno.lock` for their npm imports.
 *
 * @module
 */

import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** A temporary folder holding the reference submission. */
export interface ReferenceSubmission {
  /** The folder to grade. */
  path: string;
  /** Removes the folder. */
  cleanup(): Promise<void>;
}

/** The local files an entry point loads, relative to the repository root. */
async function localModules(entry: string): Promise<string[]> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", join(ROOT, entry)],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (code !== 0) {
    throw new Error(
      `deno info could not list the reference solution's modules: ${
        new TextDecoder().decode(stderr).trim()
      }`,
    );
  }
  const graph = JSON.parse(new TextDecoder().decode(stdout)) as {
    modules: { specifier: string }[];
  };
  return graph.modules
    .map((m) => m.specifier)
    .filter((s) => s.startsWith("file:"))
    .map((s) => relative(ROOT, fileURLToPath(s)));
}

/** Copies the reference solution into a fresh temporary folder. */
export async function referenceSubmission(): Promise<ReferenceSubmission> {
  const modules = await Promise.all(["server.ts", "client.ts"].map(localModules));
  const files = [...new Set([...modules.flat(), "deno.json", "deno.lock"])];
  const path = await Deno.makeTempDir({ prefix: "sockgrade-reference-" });
  for (const file of files) {
    await Deno.mkdir(join(path, dirname(file)), { recursive: true });
    await Deno.copyFile(join(ROOT, file), join(path, file));
  }
  return { path, cleanup: () => Deno.remove(path, { recursive: true }) };
}
