/**
 * Finds processes a test or a grading run left behind: any process whose command line mentions a
 * sockgrade temporary folder or an `unshare` wrapper, other than this test process itself.
 *
 * On a shared machine other runs of sockgrade (another checkout's tests) match the same markers:
 * {@linkcode processesBefore} takes what matched before the test graded anything, and
 * {@linkcode leftoverProcesses} then leaves out those processes and their descendants (a run that
 * was already going keeps starting programs). A process this test's run left behind is new, and
 * an escaped one hangs from no such process.
 *
 * @module
 */

import { UID_BASE } from "../../grader/sandbox/users.ts";

/** The uids counted as dedicated users, from {@linkcode UID_BASE}. */
const POOL_SPAN = 1000;

/** One leftover process. */
export interface Leftover {
  /** Its pid. */
  pid: number;
  /** Its command line, spaces for NULs. */
  cmdline: string;
}

const DEFAULT_MARKERS: readonly string[] = ["sockgrade-", "unshare"];

/** Every live process: its command line, its state and its parent. */
async function processTable(): Promise<Map<number, { cmdline: string; ppid: number }>> {
  const table = new Map<number, { cmdline: string; ppid: number }>();
  for await (const entry of Deno.readDir("/proc")) {
    const pid = Number(entry.name);
    if (!Number.isInteger(pid) || pid === Deno.pid) continue;
    try {
      const cmdline = (await Deno.readTextFile(`/proc/${pid}/cmdline`)).replaceAll("\0", " ")
        .trim();
      const stat = (await Deno.readTextFile(`/proc/${pid}/stat`)).split(") ")[1] ?? "";
      const [state, ppid] = stat.split(" ");
      if (state === "Z" || cmdline === "") continue;
      table.set(pid, { cmdline, ppid: Number(ppid) });
    } catch {
      continue; // gone meanwhile
    }
  }
  return table;
}

function matches(cmdline: string, markers: readonly string[]): boolean {
  return markers.some((m) => cmdline.includes(m)) && !cmdline.includes("deno test");
}

/** The pids that match `markers` now: call it before grading, pass it to the check after. */
export async function processesBefore(
  markers: readonly string[] = DEFAULT_MARKERS,
): Promise<ReadonlySet<number>> {
  const table = await processTable();
  return new Set([...table].filter(([, p]) => matches(p.cmdline, markers)).map(([pid]) => pid));
}

/**
 * Lists live processes whose command line contains any of the markers, leaving out `before` (see
 * {@linkcode processesBefore}) and the descendants of its processes.
 */
export async function leftoverProcesses(
  markers: readonly string[] = DEFAULT_MARKERS,
  before: ReadonlySet<number> = new Set(),
): Promise<Leftover[]> {
  const table = await processTable();
  const fromBefore = (pid: number): boolean => {
    for (let p = pid, hops = 0; p > 1 && hops < 64; hops++) {
      if (before.has(p)) return true;
      const parent = table.get(p)?.ppid;
      if (parent === undefined) return false;
      p = parent;
    }
    return false;
  };
  return [...table]
    .filter(([pid, p]) => matches(p.cmdline, markers) && !fromBefore(pid))
    .map(([pid, p]) => ({ pid, cmdline: p.cmdline }));
}

/**
 * The running processes of sockgrade's dedicated users (E3), as `pid (uid N)`: any is a program a
 * run left behind. Zombies are left out: a killed daemon is reparented to PID 1, which reaps it
 * in its own time, and a zombie runs nothing and holds nothing.
 */
export function dedicatedUserProcesses(): string[] {
  const found: string[] = [];
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const status = Deno.readTextFileSync(`/proc/${entry.name}/status`);
      const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]);
      const zombie = /^State:\s+[ZX]/m.test(status);
      if (!zombie && uid >= UID_BASE && uid < UID_BASE + POOL_SPAN) {
        found.push(`${entry.name} (uid ${uid})`);
      }
    } catch {
      // gone meanwhile
    }
  }
  return found;
}
