/**
 * CPU time of a benchmarked server's whole process tree, children that already exited included.
 *
 * `/proc/<pid>/stat` counts in clock ticks (1/100 s) per process and forgets a child its parent
 * does not wait for (a fork-per-connection server that ignores SIGCHLD): summed over 1,000 short
 * children, each rounded down, it reports almost nothing. A cgroup of its own counts every
 * process that ever ran in it, in nanoseconds: cgroup v1's `cpuacct.usage`, or cgroup v2's
 * `usage_usec` in `cpu.stat`. Where no cgroup can be made (not root), the ticks of the live tree
 * are summed instead, and the figure says so.
 *
 * @example
 * ```ts ignore
 * using account = CpuAccount.join(child.pid);
 * const before = account.seconds();
 * // ... load the server ...
 * console.log(`${(account.seconds() - before).toFixed(2)} s (${account.source})`);
 * ```
 * @module
 */

import { processTree } from "../tests/_helpers/process_tree.ts";

/** Where a v1 `cpuacct` or a v2 hierarchy is mounted, with the file that counts. */
const HIERARCHIES = [
  { root: "/sys/fs/cgroup/cpuacct", file: "cpuacct.usage", unit: 1e-9 },
  { root: "/sys/fs/cgroup", file: "cpu.stat", unit: 1e-6 },
  { root: "/sys/fs/cgroup/unified", file: "cpu.stat", unit: 1e-6 },
] as const;

let made = 0;

/** CPU seconds of a process and its waited-for children, from `/proc/<pid>/stat` (ticks). */
function ticksOf(pid: number): number {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    // After the command name (which may hold spaces): utime, stime, cutime, cstime are the
    // 12th to 15th fields, in clock ticks of 1/100 s.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ").map(Number);
    return (fields[11]! + fields[12]! + fields[13]! + fields[14]!) / 100;
  } catch {
    return 0;
  }
}

/** The CPU time of one process tree: from a cgroup of its own where one can be made. */
export class CpuAccount {
  readonly #pid: number;
  readonly #group?: { dir: string; file: string; unit: number; root: string };

  private constructor(
    pid: number,
    group?: { dir: string; file: string; unit: number; root: string },
  ) {
    this.#pid = pid;
    if (group) this.#group = group;
  }

  /**
   * Moves process `pid` (before it starts children) into a new cgroup, where every process it
   * starts is counted too; without a writable hierarchy, counts ticks of its live tree.
   */
  static join(pid: number): CpuAccount {
    for (const { root, file, unit } of HIERARCHIES) {
      const dir = `${root}/sockgrade-bench-${Deno.pid}-${made++}`;
      try {
        Deno.statSync(`${root}/cgroup.procs`);
        Deno.mkdirSync(dir);
      } catch {
        continue;
      }
      try {
        Deno.statSync(`${dir}/${file}`);
        Deno.writeTextFileSync(`${dir}/cgroup.procs`, `${pid}\n`);
        return new CpuAccount(pid, { dir, file, unit, root });
      } catch {
        Deno.removeSync(dir);
      }
    }
    return new CpuAccount(pid);
  }

  /** What counts: `cgroup` (every process, exited ones too) or `ticks` (the live tree). */
  get source(): "cgroup" | "ticks" {
    return this.#group ? "cgroup" : "ticks";
  }

  /** CPU seconds (user + system) used so far. */
  seconds(): number {
    const group = this.#group;
    if (!group) return processTree(this.#pid).reduce((sum, p) => sum + ticksOf(p), 0);
    const text = Deno.readTextFileSync(`${group.dir}/${group.file}`);
    const value = group.file === "cpu.stat"
      ? Number(/^usage_usec (\d+)$/m.exec(text)?.[1] ?? 0)
      : Number(text.trim());
    return value * group.unit;
  }

  /** Removes the cgroup, moving any process still in it back to the hierarchy's root. */
  [Symbol.dispose](): void {
    const group = this.#group;
    if (!group) return;
    let members: string[] = [];
    try {
      members = Deno.readTextFileSync(`${group.dir}/cgroup.procs`).split("\n");
    } catch {
      members = [];
    }
    for (const pid of members.filter((p) => p !== "")) {
      try {
        Deno.writeTextFileSync(`${group.root}/cgroup.procs`, `${pid}\n`);
      } catch {
        // it exited meanwhile
      }
    }
    try {
      Deno.removeSync(group.dir);
    } catch {
      // a member still exiting: the empty group left behind costs nothing and names this bench
    }
  }
}
