/**
 * A process and its live descendants, through `/proc/<pid>/task/<tid>/children`: for tests and
 * benchmarks that sum what a program's tree uses (its memory, its CPU).
 *
 * @module
 */

/** The pid and all its live descendants, parents before children. */
export function processTree(pid: number): number[] {
  const out = [pid];
  for (let i = 0; i < out.length; i++) {
    const p = out[i]!;
    let tasks: string[] = [];
    try {
      tasks = [...Deno.readDirSync(`/proc/${p}/task`)].map((e) => e.name);
    } catch {
      continue;
    }
    for (const task of tasks) {
      try {
        const children = Deno.readTextFileSync(`/proc/${p}/task/${task}/children`).trim();
        if (children) out.push(...children.split(/\s+/).map(Number));
      } catch {
        continue;
      }
    }
  }
  return out;
}
