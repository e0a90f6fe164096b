/**
 * Dedicated users for environment E3 (root in a container, without namespaces): every program
 * of a workspace (a submission's temporary copy) runs as an unprivileged uid of its own, taken
 * from a pool ({@linkcode UID_BASE}…, one per workspace at a time, so parallel lanes never
 * share one), with no capabilities and `no_new_privs` (`setpriv`). The workspace is handed to
 * that uid (`chown -R`, its root stays mode 0700), so a program can write its own copy and
 * nothing else the grader made: the grader's temporary folders, outputs, caches and HOME are
 * root's, mode 0700.
 *
 * Nothing survives a program without a PID namespace: a program's processes are those of its uid
 * in its session, plus those in no live program's session (a daemon that left with `setsid`)
 * when it holds its tree (`holdTree`, a server) or no live program of the uid does
 * ({@linkcode processesOfProgram}: `process.ts` keeps a held program running while they run).
 * When a program ends, its processes are killed, and when no other program of the uid runs,
 * `kill -9 -1` runs as that uid (the kernel signals every process the uid owns at once, as
 * DOMjudge's runguard does) and the files the uid left in the shared writable folders (`/tmp`,
 * `/var/tmp`, `/dev/shm`) are removed.
 *
 * A uid is claimed with a lock file holding the grader's pid (in `/run/sockgrade-users`, else the
 * temporary folder's `.sockgrade-users`, root's own, mode 0700), so two grader processes (two
 * runs, parallel tests) never hand out the same uid; a lock whose process is gone is taken over.
 *
 * Only this folder imports it.
 *
 * @module
 */

import { join } from "node:path";
import { allPids } from "./_proc.ts";
import { SYSTEM_PATH, which } from "./_which.ts";

/** The first uid (and gid) of the pool: high, below 65536 so that containers map it. */
export const UID_BASE = 61000;
/** How many uids the pool holds: the most workspaces in use at once. */
const POOL = 200;
/** World-writable folders a program can leave files in; its uid's files there are removed. */
const SHARED_WRITABLE = ["/tmp", "/var/tmp", "/dev/shm"];

/** Whether programs can run as dedicated users here, and why not when they cannot. */
export interface DedicatedUsers {
  /** Whether they can. */
  ok: boolean;
  /** Why not (empty when they can). */
  reason: string;
}

let support: DedicatedUsers | undefined;
let locks: string | undefined;
const byWorkspace = new Map<string, number>();
/**
 * Live programs per uid: per session id (= the wrapper's pid), whether that program holds its
 * tree (`holdTree`: it also owns the uid's processes outside every live program's session).
 */
const live = new Map<number, Map<number, boolean>>();

/** The `setpriv` options that drop to `uid` (when given), then every capability, then `no_new_privs`. */
export function dropPrivileges(uid: number | undefined, root: boolean): string[] {
  const setpriv = which("setpriv") ?? "setpriv";
  if (!root) return [setpriv, "--no-new-privs", "--"];
  return [
    setpriv,
    ...(uid === undefined ? [] : [`--reuid=${uid}`, `--regid=${uid}`, "--clear-groups"]),
    "--no-new-privs",
    "--inh-caps=-all",
    "--ambient-caps=-all",
    "--bounding-set=-all",
    "--",
  ];
}

/**
 * Whether this process can start programs as dedicated users (root, `setpriv` installed and able
 * to switch to {@linkcode UID_BASE} and drop every capability), detected once.
 */
export function dedicatedUsers(): DedicatedUsers {
  if (support) return support;
  if (Deno.uid() !== 0) {
    support = { ok: false, reason: "sockgrade does not run as root" };
    return support;
  }
  if (!which("setpriv")) {
    support = { ok: false, reason: "setpriv is not installed (util-linux)" };
    return support;
  }
  try {
    const out = new Deno.Command(dropPrivileges(UID_BASE, true)[0]!, {
      args: [...dropPrivileges(UID_BASE, true).slice(1), "/bin/true"],
      stdin: "null",
      stdout: "null",
      stderr: "piped",
      clearEnv: true,
      env: { PATH: SYSTEM_PATH },
    }).outputSync();
    support = out.success ? { ok: true, reason: "" } : {
      ok: false,
      reason: `setpriv cannot switch to uid ${UID_BASE}: ${
        new TextDecoder().decode(out.stderr).trim() || `exit ${out.code}`
      }`,
    };
  } catch (error) {
    support = { ok: false, reason: `setpriv could not be run (${(error as Error).message})` };
  }
  return support;
}

function exists(path: string): boolean {
  try {
    Deno.lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** The folder of the uid locks: made root's own (0700), refused when anyone else could write it. */
function lockFolder(): string {
  if (locks) return locks;
  const candidates = [
    "/run/sockgrade-users",
    join(Deno.env.get("TMPDIR") || "/tmp", ".sockgrade-users"),
  ];
  let last = "";
  for (const dir of candidates) {
    try {
      Deno.mkdirSync(dir, { mode: 0o700 });
    } catch (error) {
      if (!(error instanceof Deno.errors.AlreadyExists)) {
        last = (error as Error).message;
        continue;
      }
    }
    const info = Deno.lstatSync(dir);
    if (info.isDirectory && info.uid === 0 && ((info.mode ?? 0) & 0o077) === 0) {
      locks = dir;
      return dir;
    }
    last = `${dir} is not root's own folder (mode 0700)`;
  }
  throw new Error(`Cannot keep the dedicated users' locks: ${last}.`);
}

/** Claims `uid` for this process; false when another live grader process holds it. */
function claim(uid: number): boolean {
  const path = join(lockFolder(), String(uid));
  try {
    Deno.writeTextFileSync(path, String(Deno.pid), { createNew: true, mode: 0o600 });
    return true;
  } catch (error) {
    if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
  }
  let holder = NaN;
  try {
    holder = Number(Deno.readTextFileSync(path).trim());
  } catch {
    // unreadable: taken over below
  }
  if (holder !== Deno.pid && Number.isInteger(holder) && exists(`/proc/${holder}`)) return false;
  Deno.writeTextFileSync(path, String(Deno.pid), { mode: 0o600 });
  return true;
}

/** Gives `uid` back (its lock file), when this process holds it. */
function unclaim(uid: number): void {
  const path = join(lockFolder(), String(uid));
  try {
    if (Number(Deno.readTextFileSync(path).trim()) === Deno.pid) Deno.removeSync(path);
  } catch {
    // already gone
  }
}

/**
 * The session of `pid` when it runs as `uid` and has not exited (one stat for the others; a
 * zombie has exited), else undefined.
 */
function sessionOf(pid: number, uid: number): number | undefined {
  try {
    if (Deno.statSync(`/proc/${pid}`).uid !== uid) return undefined;
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (fields[0] === "Z" || fields[0] === "X") return undefined;
    const session = Number(fields[3]);
    return Number.isInteger(session) ? session : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The command that runs `kill -9 -1` as `uid` (util-linux's kill): the kernel signals every process whose real or
 * saved uid is `uid` in one pass (one that was forking cannot slip past: a fork with a fatal
 * signal pending fails), and a program cannot leave its uid (no capabilities, `no_new_privs`).
 */
function killAllCommand(uid: number): Deno.Command {
  const [setpriv, ...args] = dropPrivileges(uid, true);
  return new Deno.Command(setpriv!, {
    args: [...args, "/bin/kill", "-9", "-1"],
    stdin: "null",
    stdout: "null",
    stderr: "null",
    clearEnv: true,
    env: { PATH: SYSTEM_PATH },
  });
}

/**
 * A scan of /proc, again when it found nothing: one scan misses a process that forks and exits
 * while it reads (a daemon's double fork: the child is not listed yet, its parent is gone when
 * its entry is read); the next one lists the child.
 */
function scanTwiceIfEmpty<T>(scan: () => T[]): T[] {
  const found = scan();
  return found.length > 0 ? found : scan();
}

/** Whether any process runs as `uid` now (a stat of each /proc entry: cheaper than a spawn). */
function anyProcessOf(uid: number): boolean {
  return scanTwiceIfEmpty(() =>
    allPids().filter((pid) => {
      try {
        return Deno.statSync(`/proc/${pid}`).uid === uid;
      } catch {
        return false; // gone meanwhile
      }
    })
  ).length > 0;
}

/** How long killing a uid's processes waits at most for them to be gone. */
const GONE_WAIT_MS = 2000;

/** Blocks the thread for `ms` (the uid's processes are waited for synchronously). */
function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Every process of `uid`, killed (see {@linkcode killAllCommand}); waits for it, and then until
 * none of them runs any more (at most {@linkcode GONE_WAIT_MS}): SIGKILL is delivered at once,
 * but a process closes its sockets only when it gets to run its exit, which on a loaded machine
 * can come after the next program of the uid has started (a daemon of the server checks would
 * still hold the port the pair check's server binds). Nothing to do when none runs: only the
 * uid's own processes could start one, and the grader's own starts are synchronous with this.
 */
function killAllOf(uid: number): void {
  if (!anyProcessOf(uid)) return;
  killAllCommand(uid).outputSync();
  waitGone(uid, allPids());
}

/** Removes what `uid` left at the top of the shared writable folders (not the workspaces). */
function removeFilesOf(uid: number): void {
  for (const dir of SHARED_WRITABLE) {
    let entries: Deno.DirEntry[];
    try {
      entries = [...Deno.readDirSync(dir)];
    } catch {
      continue;
    }
    for (const entry of entries) {
      const path = join(dir, entry.name);
      try {
        if (byWorkspace.has(path) || Deno.lstatSync(path).uid !== uid) continue;
        Deno.removeSync(path, { recursive: true });
      } catch {
        // gone meanwhile, or not removable: left as it is
      }
    }
  }
}

/**
 * The uid the programs of `workspace` run as. A uid whose workspace is gone goes back to the
 * pool (its processes are killed first); a uid is handed out with nothing of it left running.
 * When `owned`, the workspace (a sockgrade copy) is handed to the uid the first time.
 *
 * @throws {Error} when every uid of the pool is in use.
 */
export function userFor(workspace: string, owned: boolean): number {
  const known = byWorkspace.get(workspace);
  if (known !== undefined) return known;
  for (const [dir, uid] of byWorkspace) {
    if (!exists(dir) && (live.get(uid)?.size ?? 0) === 0) {
      byWorkspace.delete(dir);
      killAllOf(uid);
      removeFilesOf(uid);
      unclaim(uid);
    }
  }
  const taken = new Set(byWorkspace.values());
  let uid: number | undefined;
  for (let i = 0; i < POOL && uid === undefined; i++) {
    if (!taken.has(UID_BASE + i) && claim(UID_BASE + i)) uid = UID_BASE + i;
  }
  if (uid === undefined) {
    throw new Error(`All ${POOL} dedicated users are in use: grade fewer submissions at once.`);
  }
  killAllOf(uid);
  if (owned) {
    const out = new Deno.Command(which("chown") ?? "chown", {
      args: ["-R", "-h", `${uid}:${uid}`, "--", workspace],
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).outputSync();
    if (!out.success) {
      throw new Error(
        `Cannot hand ${workspace} to its dedicated user ${uid}: ${
          new TextDecoder().decode(out.stderr).trim()
        }`,
      );
    }
    Deno.chmodSync(workspace, 0o700);
  }
  byWorkspace.set(workspace, uid);
  return uid;
}

/**
 * Records that a program of `uid` runs in the session `session` (its wrapper's pid); when it
 * `holds` its tree, the uid's processes outside every live program's session are its own.
 */
export function programStarted(uid: number, session: number, holds = false): void {
  const sessions = live.get(uid) ?? new Map<number, boolean>();
  sessions.set(session, holds);
  live.set(uid, sessions);
}

/**
 * The running processes of the program of `uid` in `session`, without a PID namespace: those in
 * its session, and those in no live program's session (a daemon that left with `setsid`) when it
 * holds its tree or no live program of the uid does. Another program's session (a client run
 * beside the server) is never included. A stat of each /proc entry, a read for the uid's own;
 * none found is checked by a second scan.
 */
export function processesOfProgram(uid: number, session: number): number[] {
  const sessions = live.get(uid) ?? new Map<number, boolean>();
  const ownsStrays = sessions.get(session) === true || ![...sessions.values()].includes(true);
  return scanTwiceIfEmpty(() =>
    allPids().filter((pid) => {
      const of = sessionOf(pid, uid);
      return of !== undefined && (of === session || (ownsStrays && !sessions.has(of)));
    })
  );
}

/**
 * A program of `uid` (session `session`) has ended: kills its processes (see
 * {@linkcode processesOfProgram}); with no other program of the uid running, all of the uid's
 * processes and its files in the shared writable folders.
 */
export function programEnded(uid: number, session: number): void {
  const sessions = live.get(uid);
  if (!sessions || [...sessions.keys()].every((other) => other === session)) {
    live.delete(uid);
    // Synchronous: no other program of the uid may start before its processes are gone.
    killAllOf(uid);
    removeFilesOf(uid);
    return;
  }
  const own = processesOfProgram(uid, session);
  sessions.delete(session);
  for (const pid of own) {
    try {
      Deno.kill(pid, "SIGKILL");
    } catch {
      // gone meanwhile
    }
  }
  waitGone(uid, own);
}

/** Waits (at most {@linkcode GONE_WAIT_MS}) until none of `pids` runs as `uid` any more. */
function waitGone(uid: number, pids: readonly number[]): void {
  const deadline = performance.now() + GONE_WAIT_MS;
  while (pids.some((pid) => sessionOf(pid, uid) !== undefined)) {
    if (performance.now() >= deadline) return;
    pause(5);
  }
}
