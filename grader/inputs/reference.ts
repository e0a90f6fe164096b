/**
 * The reference solution as a submission: `deno task grade` with no arguments grades it beside
 * the bundled samples, and it must score full marks. Submissions are graded from a temporary
 * copy, so this assembles a self-contained folder: `server.ts`, `client.ts` and every local
 * module they import (found with `deno info --json`, so the list never drifts), plus `deno.json`
 * and `deno.lock` for their npm imports.
 *
 * The grader gives programs only their two arguments (EXERCISE.md §6), so a reference graded
 * under another spec than the article's learns it from its copy: the run's spec is written beside
 * its entry points ({@linkcode REFERENCE_SPEC_FILE}), and the copy's `server.ts` and `client.ts`
 * run the reference's command lines with `--spec` naming it (its transport, trigger, response,
 * messages and port).
 *
 * @module
 */

import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { DEFAULT_SPEC, type Spec } from "../spec.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

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

/** The file the run's spec is written to in a copy graded under another spec. */
export const REFERENCE_SPEC_FILE = "sockgrade-spec.json";

/** An entry point that runs the reference's command line `cli` with `--spec` first. */
function entryUnder(module: string, cli: string): string {
  return `/** The reference ${
    module.replace(/_command\.ts$/, "").replace(/^.*\//, "")
  } under the run's spec: its command line with --spec ${REFERENCE_SPEC_FILE}. */
import { fileURLToPath } from "node:url";
import { ${cli} } from "./cli/${module}";
const spec = fileURLToPath(new URL("./${REFERENCE_SPEC_FILE}", import.meta.url));
Deno.exitCode = await ${cli}(["--spec", spec, ...Deno.args]);
`;
}

/**
 * Copies the reference solution into a fresh temporary folder; under another `spec` than the
 * article's, its entry points pass `--spec` naming the run's spec (see the module doc).
 */
export async function referenceSubmission(
  spec: Readonly<Spec> = DEFAULT_SPEC,
): Promise<ReferenceSubmission> {
  const modules = await Promise.all(["server.ts", "client.ts"].map(localModules));
  const files = [...new Set([...modules.flat(), "deno.json", "deno.lock"])];
  const path = await Deno.makeTempDir({ prefix: "sockgrade-reference-" });
  for (const file of files) {
    await Deno.mkdir(join(path, dirname(file)), { recursive: true });
    await Deno.copyFile(join(ROOT, file), join(path, file));
  }
  if (JSON.stringify(spec) !== JSON.stringify(DEFAULT_SPEC)) {
    await Deno.writeTextFile(join(path, REFERENCE_SPEC_FILE), JSON.stringify(spec, null, 2));
    await Deno.writeTextFile(
      join(path, "server.ts"),
      entryUnder("server_command.ts", "runServerCli"),
    );
    await Deno.writeTextFile(
      join(path, "client.ts"),
      entryUnder("client_command.ts", "runClientCli"),
    );
  }
  return { path, cleanup: () => Deno.remove(path, { recursive: true }) };
}
