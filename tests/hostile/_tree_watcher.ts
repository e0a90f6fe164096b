/**
 * Finds processes a grading run left behind, on a machine where other runs may be going on:
 * while the run goes, it samples this process's tree every 50 ms (pid and start time of every
 * descendant, and every `/tmp/sockgrade-*` workspace named on a command line); afterwards a
 * leftover is a live process that was seen in the tree or that names one of those workspaces
 * (so a process that left the tree, e.g. a daemon that escaped, is still found).
 *
 * Used by tests/hostile_test.ts and bench/soak.ts.
 *
 * @module
 */

/** pid -> parent pid and start time, for every live process that is not a zombie. */
function processTable(): Map<number, { ppid: number; start: string }> {
  const table = new Map<number, { ppid: number; start: string }>();
  for (const entry of Deno.readDirSync("/proc")) {
    const pid = Number(entry.name);
    if (!Number.isInteger(pid)) continue;
    try {
      const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (fields[0] === "Z") continue;
      table.set(pid, { ppid: Number(fields[1]), start: fields[19]! });
    } catch {
      // gone meanwhile
    }
  }
  return table;
}

function cmdline(pid: number): string {
  try {
    return Deno.readTextFileSync(`/proc/${pid}/cmdline`).replaceAll("\0", " ").trim();
  } catch {
    return "";
  }
}

/** Watches this process's tree from construction to {@linkcode stop}. */
export class TreeWatcher {
  /** pid -> start time of every process seen in the tree. */
  readonly seen = new Map<number, string>();
  /** The `/tmp/sockgrade-*` folders named by processes of the tree. */
  readonly workspaces = new Set<string>();
  readonly #ignore: Set<string>;
  #timer: ReturnType<typeof setInterval> | undefined;

  /** @param ignore folders that are not workspaces (e.g. a marker folder the caller made). */
  constructor(ignore: readonly string[] = []) {
    this.#ignore = new Set(ignore);
    this.#timer = setInterval(() => this.sample(), 50);
  }

  /** Takes one sample now. */
  sample(): void {
    const table = processTable();
    const children = new Map<number, number[]>();
    for (const [pid, { ppid }] of table) {
      const list = children.get(ppid);
      if (list) list.push(pid);
      else children.set(ppid, [pid]);
    }
    const queue = [...children.get(Deno.pid) ?? []];
    while (queue.length > 0) {
      const pid = queue.pop()!;
      queue.push(...children.get(pid) ?? []);
      const info = table.get(pid);
      if (!info || this.seen.get(pid) === info.start) continue;
      this.seen.set(pid, info.start);
      for (const match of cmdline(pid).matchAll(/\/tmp\/sockgrade-[A-Za-z0-9_-]+/g)) {
        if (!this.#ignore.has(match[0])) this.workspaces.add(match[0]);
      }
    }
  }

  /** Stops sampling (idempotent). */
  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Live processes of the run, as `pid: command line`, except `keep` (the caller's own). */
  leftovers(keep: readonly number[] = []): string[] {
    const left: string[] = [];
    for (const [pid, { start }] of processTable()) {
      if (pid === Deno.pid || keep.includes(pid)) continue;
      const line = cmdline(pid);
      const named = [...this.workspaces].some((w) => line.includes(w));
      if (this.seen.get(pid) === start || named) left.push(`${pid}: ${line}`);
    }
    return left;
  }
}
