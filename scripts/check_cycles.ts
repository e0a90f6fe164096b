/**
 * `deno task check`'s import-cycle gate (as std's `lint:circular`): builds the module graph of
 * the project's own TypeScript with `deno info --json` (static, dynamic and type-only imports
 * alike) and fails, naming each cycle, when modules import each other in a loop.
 *
 * Run with folders or files to check (default: the repository):
 * `deno run --allow-read --allow-run=deno scripts/check_cycles.ts [path…]`.
 *
 * @example
 * ```ts
 * import { findCycles } from "./check_cycles.ts";
 * const graph = new Map([["a", ["b"]], ["b", ["a"]], ["c", ["a"]]]);
 * if (findCycles(graph).length !== 1) throw new Error("expected one cycle");
 * ```
 * @module
 */

import { relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/** Folders whose files are data (student programs, test inputs), not the project's modules. */
const SKIPPED =
  /(^|\/)(tests\/fixtures|tests\/hostile|examples\/submissions|_testdata|node_modules|\.cache|\.git)(\/|$)/;

/** A module graph: each module's URL and the local modules it imports. */
export type ModuleGraph = Map<string, string[]>;

/**
 * The import cycles of a graph, each as the modules of one strongly connected component in
 * import order (Tarjan's algorithm), sorted so the output is stable.
 */
export function findCycles(graph: ModuleGraph): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  let next = 0;
  const visit = (node: string): void => {
    index.set(node, next);
    low.set(node, next++);
    stack.push(node);
    onStack.add(node);
    for (const to of graph.get(node) ?? []) {
      if (!index.has(to)) {
        visit(to);
        low.set(node, Math.min(low.get(node)!, low.get(to)!));
      } else if (onStack.has(to)) {
        low.set(node, Math.min(low.get(node)!, index.get(to)!));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    const selfLoop = (graph.get(node) ?? []).includes(node);
    if (component.length > 1 || selfLoop) cycles.push(component.reverse());
  };
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) visit(node);
  return cycles.sort((a, b) => a[0]!.localeCompare(b[0]!));
}

interface InfoModule {
  specifier: string;
  dependencies?: { code?: { specifier?: string }; type?: { specifier?: string } }[];
}

/** The TypeScript files under `paths`, skipping data folders. */
async function sourceFiles(paths: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  const walk = async (path: string): Promise<void> => {
    if (SKIPPED.test(relative(Deno.cwd(), path))) return;
    const info = await Deno.stat(path);
    if (info.isFile) {
      if (/\.tsx?$/.test(path)) found.push(path);
      return;
    }
    for await (const entry of Deno.readDir(path)) {
      if (!entry.name.startsWith(".") || entry.name === ".ci") await walk(`${path}/${entry.name}`);
    }
  };
  for (const path of paths) await walk(path);
  return found.sort();
}

/** The module graph of `files` and every local module they reach, from `deno info --json`. */
export async function moduleGraph(files: readonly string[]): Promise<ModuleGraph> {
  const graph: ModuleGraph = new Map();
  for (const file of files) {
    const url = pathToFileURL(file).href;
    if (graph.has(url)) continue;
    const out = await new Deno.Command("deno", {
      args: ["info", "--json", file],
      stdin: "null",
      stderr: "piped",
    }).output();
    if (!out.success) {
      throw new Error(
        `deno info could not read ${file}: ${new TextDecoder().decode(out.stderr).trim()}`,
      );
    }
    const modules: InfoModule[] = JSON.parse(new TextDecoder().decode(out.stdout)).modules;
    for (const module of modules) {
      if (!module.specifier.startsWith("file:")) continue;
      const deps = (module.dependencies ?? [])
        .flatMap((d) => [d.code?.specifier, d.type?.specifier])
        .filter((s): s is string => s?.startsWith("file:") ?? false);
      graph.set(module.specifier, [...new Set(deps)]);
    }
  }
  return graph;
}

/** Checks `paths` (files or folders) and returns one line per cycle found. */
export async function cycleReport(paths: readonly string[]): Promise<string[]> {
  const graph = await moduleGraph(await sourceFiles(paths));
  const name = (url: string) => relative(Deno.cwd(), fileURLToPath(url));
  return findCycles(graph).map((cycle) =>
    `import cycle: ${[...cycle, cycle[0]!].map(name).join(" → ")}`
  );
}

if (import.meta.main) {
  const lines = await cycleReport(Deno.args.length > 0 ? Deno.args : ["."]);
  for (const line of lines) console.error(line);
  if (lines.length > 0) {
    console.error(
      `${lines.length} import cycle(s): move the shared part into a module both can import.`,
    );
    Deno.exit(1);
  }
}
