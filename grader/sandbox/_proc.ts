/**
 * Reading /proc for the sandbox: the parent of every process, the descendants of a set of
 * processes, and sending a signal to many processes while ignoring the ones already gone.
 *
 * Only this folder imports it.
 *
 * @module
 */

/** Parent pid of `pid` (from /proc/<pid>/stat), or undefined when it is gone. */
export function parentPid(pid: number): number | undefined {
  let stat: string;
  try {
    stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may itself contain spaces and parentheses.
  const close = stat.lastIndexOf(")");
  const fields = stat.slice(close + 2).split(" ");
  const ppid = Number(fields[1]);
  return Number.isInteger(ppid) ? ppid : undefined;
}

/** Every numeric entry of /proc: the pids visible to us right now. */
export function allPids(): number[] {
  const pids: number[] = [];
  for (const entry of Deno.readDirSync("/proc")) {
    const pid = Number(entry.name);
    if (entry.isDirectory && Number.isInteger(pid) && pid > 0) pids.push(pid);
  }
  return pids;
}

/** The given pids that still exist plus all their descendants, parents before children. */
export function descendants(roots: readonly number[]): number[] {
  const children = new Map<number, number[]>();
  for (const pid of allPids()) {
    const ppid = parentPid(pid);
    if (ppid === undefined) continue;
    const list = children.get(ppid);
    if (list) list.push(pid);
    else children.set(ppid, [pid]);
  }
  const out: number[] = [];
  const seen = new Set<number>();
  const queue = roots.filter((pid) => exists(pid));
  while (queue.length > 0) {
    const pid = queue.shift()!;
    if (seen.has(pid)) continue;
    seen.add(pid);
    out.push(pid);
    for (const child of children.get(pid) ?? []) queue.push(child);
  }
  return out;
}

/** Whether `pid` exists and has not exited (a zombie, state `Z`, has exited). */
export function running(pid: number): boolean {
  let stat: string;
  try {
    stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  } catch {
    return false;
  }
  const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
  return state !== "Z" && state !== "X";
}

/** The pid of `pid` in its innermost PID namespace (the last `NSpid` field), if it exists. */
export function innermostPid(pid: number): number | undefined {
  try {
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    const line = status.split("\n").find((l) => l.startsWith("NSpid:"));
    const last = Number(line?.trim().split(/\s+/).at(-1));
    return Number.isInteger(last) ? last : undefined;
  } catch {
    return undefined;
  }
}

/** Whether /proc/<pid> exists (a zombie still counts). */
export function exists(pid: number): boolean {
  try {
    Deno.statSync(`/proc/${pid}`);
    return true;
  } catch {
    return false;
  }
}

/**
 * Sends `signal` to each pid (negative = process group), ignoring pids that are already gone
 * (ESRCH) or not ours to signal (EPERM): a pid read a moment ago may have exited since.
 */
export function signalAll(pids: Iterable<number>, signal: Deno.Signal): void {
  for (const pid of pids) {
    try {
      Deno.kill(pid, signal);
    } catch (error) {
      if (!isGoneOrForeign(error)) throw error;
    }
  }
}

function isGoneOrForeign(error: unknown): boolean {
  return error instanceof Deno.errors.NotFound ||
    error instanceof Deno.errors.PermissionDenied ||
    (error instanceof Error && /ESRCH|EPERM|No such process|not permitted/i.test(error.message));
}
