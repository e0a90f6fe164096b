/**
 * Starting untrusted programs: the only way the grader runs student code (and the compilers).
 *
 * Each program runs with a cleared environment, stdin from /dev/null, resource limits, and its
 * stdout/stderr read incrementally (lines with arrival times, raw bytes capped to head and tail).
 * However much a program prints, every stdout line is counted and compared with `watchLine` (the
 * response), and `syncStdout()` works: output volume never hides a response (see `_capture.ts`).
 * Its whole process tree is owned: `kill()` ends every descendant, including double-forked
 * daemons and programs that ignore SIGTERM.
 *
 * Containment, detected once per grader process:
 * - `pid-namespace` (preferred): `unshare --pid --fork --kill-child=SIGKILL --mount-proc` (with
 *   `--user --map-root-user` when needed). A tiny `/bin/sh` is PID 1 of the namespace and the
 *   program is its child, so the program keeps ordinary signal semantics (PID 1 would ignore
 *   default-action signals such as SIGTERM and SIGPIPE). When PID 1 ends, the kernel ends every
 *   process in the namespace, so nothing can outlive the program.
 * - `process-group` (fallback): the program leads a new session; the tree is the process group,
 *   the descendants found in /proc and, when available, the members of its pids cgroup.
 *
 * Filesystem (see `filesystem.ts`): with the PID namespace, bubblewrap (`bwrap`) replaces
 * `unshare` and gives each program a private view: system folders and tools read-only, its
 * workspace read-write, a private /tmp, no capabilities; nothing of the teacher's or of other
 * submissions, and never the paths given to `hideFromPrograms()` (the build cache). Without
 * bubblewrap programs see the whole filesystem and {@linkcode ContainmentInfo} says why.
 *
 * Privileges (EXERCISE.md §4a): in every containment a program holds no capabilities, runs with
 * `no_new_privs` and in a session of its own, so it has no controlling terminal (bubblewrap's
 * `--new-session`, else `setsid` and `setpriv`). As root without namespaces (E3, a container)
 * every program runs as a dedicated unprivileged user of its workspace (`users.ts`), and when it
 * ends every process of that user outside its siblings' sessions is killed; with `holdTree` (a
 * server that forks into the background) that user's processes are held, as the namespace is. Where none of this
 * can contain a program (no bubblewrap, or neither namespaces nor root), `startProgram` refuses
 * it with a {@linkcode SandboxError} naming the fix, unless the code is trusted
 * (`environment.ts`'s `trustPrograms()`).
 *
 * The `processes` limit is applied with a per-program pids cgroup when a writable cgroup v1
 * `pids` hierarchy exists (it also lists every member for `treePids()` and `kill()`), and with
 * RLIMIT_NPROC, which Linux does not enforce for root. `memoryBytes` caps the whole tree's memory
 * with a per-program memory cgroup (the OOM killer ends the tree; `ExitInfo.memoryExceeded`).
 *
 * Grader faults are kept apart from the program's: the sandbox's shell writes a start marker on
 * stdout (removed from the capture) just before it runs the program; a program that ends without
 * it never ran, and its exit has `sandboxFailure` (`runProgram` throws a {@linkcode SandboxError}).
 * `startProgram` throws a `SandboxError` when a wrapper cannot be spawned or a cgroup made.
 *
 * Known limits: in a PID namespace an exit status of 129-159 is read as death by signal N-128
 * (the shell PID 1 cannot tell them apart); descriptors above 9 that the grader itself inherited
 * without close-on-exec are passed on (Deno's own descriptors are close-on-exec).
 *
 * @example
 * ```ts
 * import { runProgram } from "./process.ts";
 * const result = await runProgram({ argv: ["echo", "hi"], cwd: "/", timeoutMs: 5000 });
 * if (result.stdoutLines[0]?.text !== "hi" || result.code !== 0) throw new Error("echo failed");
 * ```
 * @module
 */

import { StreamCapture, type StreamCounts } from "./_capture.ts";
import { cgroupSupport, ProgramCgroups } from "./_cgroup.ts";
import { descendants, innermostPid, running, signalAll } from "./_proc.ts";
import { SandboxError } from "./errors.ts";
import { filesystemIsolation, isSockgradeCopy, viewArgs, workspaceOf } from "./filesystem.ts";
import {
  canUseDedicatedUsers,
  isRoot,
  untrustedCodeProblem,
  usesDedicatedUsers,
} from "./_policy.ts";
import {
  dropPrivileges,
  processesOfProgram,
  programEnded,
  programStarted,
  userFor,
} from "./users.ts";

export { SandboxError } from "./errors.ts";

/** Resource limits (per process, like setrlimit; `processes` per program). */
export interface Limits {
  /** CPU seconds per process (RLIMIT_CPU). Default 10. */
  cpuSeconds?: number;
  /** Largest file a process may write, in bytes (RLIMIT_FSIZE). Default 64 MiB. */
  fileSizeBytes?: number;
  /** Processes and threads of the program (pids cgroup and RLIMIT_NPROC). Default 256. */
  processes?: number;
  /**
   * Memory of the whole program tree, page cache and tmpfs included (memory cgroup; the OOM
   * killer ends it). Default 512 MiB: javac peaks near 40 MiB, `deno run`, python and the JVM of
   * a small server at 10-20 MiB of their own (measured). Without a memory cgroup, each process's
   * data segment is capped instead (RLIMIT_DATA) at twice this, at least 1 GiB (V8 reserves
   * about 1 GiB of it).
   */
  memoryBytes?: number;
  /**
   * Address space per process (RLIMIT_AS). Default: none, because the JVM and V8 reserve far more
   * virtual memory than they use and fail to start under a small RLIMIT_AS.
   */
  addressSpaceBytes?: number;
  /** Open file descriptors per process (RLIMIT_NOFILE). Default 1024. */
  openFiles?: number;
}

/** How to start a program. */
export interface StartOptions {
  /** The command and its arguments; argv[0] is looked up in the child's PATH unless it has a `/`. */
  argv: string[];
  /** Working directory. */
  cwd: string;
  /**
   * The only variables the child sees besides a minimal PATH, HOME (= cwd) and LANG=C.UTF-8,
   * which these override.
   */
  env?: Record<string, string>;
  /** Resource limits; unset fields take the defaults documented on {@linkcode Limits}. */
  limits?: Limits;
  /** Run under `stdbuf -oL -eL` so C stdio flushes each line. */
  lineBuffered?: boolean;
  /** Cap per stream for the raw bytes, keeping head and tail (default 1 MiB). */
  captureBytes?: number;
  /**
   * A stdout line recognised in every line the program prints, stored or not (e.g. the spec's
   * response): counted exactly and timed (see {@linkcode RunningProgram.stdoutWatched}).
   */
  watchLine?: string;
  /** A name for error messages, e.g. "server". */
  label?: string;
  /** Forces a containment (tests); default: the best one available (see {@linkcode containment}). */
  containment?: Containment;
  /**
   * The folder the program may write, shown at its own path (default: the `sockgrade-*` copy
   * that holds `cwd`, else `cwd`; see `filesystem.ts`).
   */
  workspace?: string;
  /** `shared` turns the private filesystem view off (tests); default: the view when available. */
  filesystem?: "private" | "shared";
  /**
   * Keep the program's tree after the program itself has exited, while any process of it runs
   * (a server that puts itself in the background keeps serving; `exited` then resolves when the
   * last process ends, with the program's own status): in a PID namespace, the namespace; as a
   * dedicated user (E3), the user's processes outside its other programs' sessions (see
   * `users.ts`). Default false: the tree ends with the program. See
   * {@linkcode RunningProgram.programRunning}.
   */
  holdTree?: boolean;
}

/** One line of output. */
export interface OutputLine {
  /** Milliseconds since the program started. */
  atMs: number;
  /** The line without `\n` and without a `\r` before it. */
  text: string;
}

/** Counters of a program's whole stdout (`RunningProgram.stdoutCounts`). */
export type StdoutCounts = StreamCounts;

/** How a program ended. */
export interface ExitInfo {
  /** Exit status, or null when a signal ended it. */
  code: number | null;
  /** The signal that ended it (e.g. "SIGSEGV"), or null. */
  signal: string | null;
  /** Milliseconds from start to exit. */
  durationMs: number;
  /** Whether the grader killed it (kill(), dispose or a timeout) before it exited by itself. */
  killed: boolean;
  /**
   * Set when the program never ran because the sandbox failed (a namespace, mount or cgroup
   * could not be made; the wrapper is missing): what the sandbox said. A grader fault: report
   * `error`, never charge the student (see {@linkcode SandboxError}).
   */
  sandboxFailure?: string;
  /** True when the memory cgroup's OOM killer ended a process of the tree (`memoryBytes`). */
  memoryExceeded?: boolean;
  /** Peak memory of the tree in bytes (memory cgroup), when known. */
  peakMemoryBytes?: number;
}

/** A started program. Dispose of it (`await using`) or `kill()` it to end its whole tree. */
export interface RunningProgram extends AsyncDisposable {
  /** The pid of the program's outermost process (the containment wrapper, if any). */
  readonly pid: number;
  /** `performance.now()` at spawn. */
  readonly startedAt: number;
  /** Resolves when the program has exited and its output has been read (never rejects). */
  readonly exited: Promise<ExitInfo>;
  /**
   * The stdout lines so far, in order (a live array). Lines are stored up to a total of four
   * times `captureBytes`; from the first line that does not fit on, none is stored (this is
   * always the start of the output) and {@linkcode stdoutLinesDropped} counts them instead.
   */
  readonly stdoutLines: readonly OutputLine[];
  /**
   * How many complete stdout lines were not stored in {@linkcode stdoutLines} because its total
   * cap was reached (exact: counted as they are read; a last line without `\n` counts once the
   * program has exited). 0 while every line is stored.
   */
  readonly stdoutLinesDropped: number;
  /**
   * The stdout lines equal to `watchLine` so far, stored or not, with the times they arrived (a
   * live array of at most 10,000; {@linkcode stdoutCounts} counts all of them).
   */
  readonly stdoutWatched: readonly OutputLine[];
  /** Counters of the whole stdout so far, every line counted (see {@linkcode StdoutCounts}). */
  stdoutCounts(): StdoutCounts;
  /**
   * Resolves true as soon as `condition()` holds, checked now and whenever stdout lines arrive;
   * false on timeout or exit. Event-driven: it never sleeps blindly.
   */
  waitForStdout(condition: () => boolean, timeoutMs: number): Promise<boolean>;
  /**
   * The stdout barrier: writes a marker into the program's own stdout pipe (through
   * `/proc/<pid>/fd/1`) and waits until the capture has read it, so every line the program wrote
   * before has been read too. The marker is removed from every line and from the raw bytes (a
   * line of the program it cut is joined back). False when it cannot be done (the program
   * ended, /proc is not usable) or `timeoutMs` passed.
   */
  syncStdout(timeoutMs: number): Promise<boolean>;
  /** The stderr lines so far, in order (a live array; capped as stdout's). */
  readonly stderrLines: readonly OutputLine[];
  /**
   * Resolves with the first stdout line at index >= fromIndex matching pred, or undefined on
   * timeout or exit. Event-driven: it never sleeps blindly.
   */
  waitForStdoutLine(
    pred: (line: string) => boolean,
    timeoutMs: number,
    fromIndex?: number,
  ): Promise<OutputLine | undefined>;
  /** Raw captured stdout (head and tail, with a marker where bytes were left out). */
  stdout(): Uint8Array;
  /** Raw captured stderr (head and tail, with a marker where bytes were left out). */
  stderr(): Uint8Array;
  /** Pids of the whole process tree right now (for finding its listening sockets). */
  treePids(): number[];
  /**
   * Whether the program's own process still runs: false as soon as it has exited, even while a
   * process it left behind (a daemon) lives on for the moment until the sandbox ends it.
   */
  programRunning(): boolean;
  /**
   * Kills the whole tree: SIGTERM, up to `graceMs` (default 200) for it to exit, then SIGKILL.
   * Idempotent; resolves with the exit once the tree is gone.
   */
  kill(graceMs?: number): Promise<ExitInfo>;
}

/** What a run to completion produced. */
export interface RunResult extends ExitInfo {
  /** Whether the timeout expired (the tree was then killed). */
  timedOut: boolean;
  /** Raw captured stdout. */
  stdout: Uint8Array;
  /** Raw captured stderr. */
  stderr: Uint8Array;
  /** Stdout lines with arrival times. */
  stdoutLines: OutputLine[];
}

/** How a program's process tree is held together (see the module doc). */
export type Containment = "pid-namespace" | "process-group";

/** The containment in use and, for the fallback, why namespaces could not be used. */
export interface ContainmentInfo {
  /** The containment. */
  kind: Containment;
  /** Whether the PID namespace needs its own user namespace (not root). */
  userNamespace: boolean;
  /** Why `pid-namespace` is not used, when it is not. */
  reason?: string;
  /** Whether a pids cgroup enforces `processes` (otherwise only RLIMIT_NPROC, not for root). */
  pidsCgroup: boolean;
  /** Whether a memory cgroup enforces `memoryBytes` (otherwise memory is not capped). */
  memoryCgroup: boolean;
  /** `private`: programs see only their view (see `filesystem.ts`); `shared`: everything. */
  filesystem: "private" | "shared";
  /** Why the filesystem is shared, when it is. */
  filesystemReason?: string;
  /** Programs run as dedicated unprivileged users (root without namespaces: E3, `users.ts`). */
  dedicatedUsers: boolean;
}

const DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
const DEFAULT_LIMITS: Required<Omit<Limits, "addressSpaceBytes">> = {
  cpuSeconds: 10,
  fileSizeBytes: 64 * 1024 * 1024,
  processes: 256,
  openFiles: 1024,
  memoryBytes: 512 * 1024 * 1024,
};
const DEFAULT_CAPTURE = 1024 * 1024;
/** How long the output may keep flowing after the exit status is known (fallback only). */
const DRAIN_MS = 200;

/**
 * The shell every program starts under. Arguments: the start marker, the cgroup.procs paths
 * (space-separated, or ""), `ulimit` flag and value pairs, `--`, then argv. It joins the cgroups
 * (a failure is the sandbox's: it exits 126 without the marker), sets the limits with the
 * shell's own `ulimit` (no extra exec), closes descriptors 3-9 the grader may have inherited
 * (dash cannot name higher ones), drops the PWD it would export, and then:
 * - in a PID namespace it is PID 1, writes the marker and runs the program as its child,
 *   exiting with its status (128+N for signal N); its own stderr goes to /dev/null so it cannot
 *   add "Segmentation fault" to the program's;
 * - with bubblewrap it becomes `bwrap`, whose PID 1 is {@linkcode RUN_AS_CHILD} (marker inside
 *   the view, so only a program whose view was made gets it);
 * - otherwise it writes the marker and becomes the program.
 */
const SHIM_PREFIX = 'm=$1; for f in $2; do echo $$ > "$f" || exit 126; done; shift 2; ' +
  'while [ "$1" != -- ]; do ulimit "$1" "$2" || exit 125; shift 2; done; shift; ' +
  "unset PWD OLDPWD; exec 4>&- 5>&- 6>&- 7>&- 8>&- 9>&-; ";
/** PID 1 of a namespace: the marker, then the program as its child. Arguments: marker, argv. */
const RUN_AS_CHILD = 'unset PWD OLDPWD; printf %s "$1"; shift; ' +
  'exec 3>&2 2>/dev/null; (exec 2>&3 3>&-; exec "$@"); exit $?';
/**
 * {@linkcode RUN_AS_CHILD} for `holdTree`: after the program, PID 1 waits (reaping what it
 * inherits) until it is the last process of the namespace, then exits with the program's status.
 */
const HOLD_AS_CHILD = RUN_AS_CHILD.replace(
  "exit $?",
  "s=$?; while set -- /proc/[0-9]*; [ $# -gt 1 ]; do sleep 0.05; done; exit $s",
);
const NS_SHIM = SHIM_PREFIX + `set -- "$m" "$@"; ${RUN_AS_CHILD}`;
const NS_HOLD_SHIM = SHIM_PREFIX + `set -- "$m" "$@"; ${HOLD_AS_CHILD}`;
const BWRAP_SHIM = SHIM_PREFIX + 'exec 3>&- "$@"';
const GROUP_SHIM = SHIM_PREFIX + 'printf %s "$m"; exec 3>&- "$@"';
/** What the shim writes on stdout right before the program runs (random per grader process). */
const MARKER = `\x1b[sockgrade-started:${crypto.randomUUID()}]`;
const MARKER_BYTES = new TextEncoder().encode(MARKER);
/** Where `stdbuf` finds its preload library on Debian; used directly to spare an exec. */
const LIBSTDBUF = "/usr/libexec/coreutils/libstdbuf.so";

const SIGNALS = [
  "",
  "SIGHUP",
  "SIGINT",
  "SIGQUIT",
  "SIGILL",
  "SIGTRAP",
  "SIGABRT",
  "SIGBUS",
  "SIGFPE",
  "SIGKILL",
  "SIGUSR1",
  "SIGSEGV",
  "SIGUSR2",
  "SIGPIPE",
  "SIGALRM",
  "SIGTERM",
  "SIGSTKFLT",
  "SIGCHLD",
  "SIGCONT",
  "SIGSTOP",
  "SIGTSTP",
  "SIGTTIN",
  "SIGTTOU",
  "SIGURG",
  "SIGXCPU",
  "SIGXFSZ",
  "SIGVTALRM",
  "SIGPROF",
  "SIGWINCH",
  "SIGIO",
  "SIGPWR",
  "SIGSYS",
];

let detected: ContainmentInfo | undefined;
let unsharePath = "/usr/bin/unshare";

/**
 * The containment `startProgram` uses, detected once (a few ms, synchronously) by actually
 * running `unshare --pid --fork --kill-child=SIGKILL --mount-proc /bin/true`.
 */
export function containment(): ContainmentInfo {
  if (detected) return detected;
  const cgroups = cgroupSupport();
  const shared = (filesystemReason: string) => ({
    pidsCgroup: cgroups.pids,
    memoryCgroup: cgroups.memory,
    filesystem: "shared" as const,
    filesystemReason,
    dedicatedUsers: false,
  });
  const unshare = findExecutable("unshare", DEFAULT_PATH, "/");
  if (!unshare) {
    const reason = "unshare is not installed (util-linux).";
    detected = { kind: "process-group", userNamespace: false, reason, ...shared(reason) };
    detected.dedicatedUsers = canUseDedicatedUsers(detected);
    return detected;
  }
  let lastError = "";
  for (const userNamespace of [false, true]) {
    try {
      const out = new Deno.Command(unshare, {
        args: [...namespaceArgs(userNamespace), "/bin/true"],
        stdin: "null",
        stdout: "null",
        stderr: "piped",
        clearEnv: true,
        env: { PATH: DEFAULT_PATH },
      }).outputSync();
      if (out.success) {
        unsharePath = unshare;
        const fs = filesystemIsolation();
        detected = {
          kind: "pid-namespace",
          userNamespace,
          pidsCgroup: cgroups.pids,
          memoryCgroup: cgroups.memory,
          filesystem: fs.kind,
          ...(fs.reason ? { filesystemReason: fs.reason } : {}),
          dedicatedUsers: false,
        };
        return detected;
      }
      lastError = new TextDecoder().decode(out.stderr).trim();
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    }
  }
  const reason = `unshare could not make a PID namespace (${lastError || "no message"}).`;
  detected = {
    kind: "process-group",
    userNamespace: false,
    reason,
    ...shared(`the private filesystem view needs a PID namespace: ${reason}`),
  };
  detected.dedicatedUsers = canUseDedicatedUsers(detected);
  return detected;
}

function namespaceArgs(userNamespace: boolean): string[] {
  return [
    ...(userNamespace ? ["--user", "--map-root-user"] : []),
    "--pid",
    "--fork",
    "--kill-child=SIGKILL",
    "--mount-proc",
    "--",
  ];
}

/** Looks `name` up like execvp would in the child: a path if it has a `/`, else the PATH. */
function findExecutable(name: string, path: string, cwd: string): string | undefined {
  const candidates = name.includes("/")
    ? [name]
    : path.split(":").map((dir) => `${dir === "" ? "." : dir}/${name}`);
  for (const candidate of candidates) {
    const full = candidate.startsWith("/") ? candidate : `${cwd}/${candidate}`;
    try {
      const info = Deno.statSync(full);
      if (info.isFile && ((info.mode ?? 0o111) & 0o111) !== 0) return full;
    } catch {
      // not here: try the next directory
    }
  }
  return undefined;
}

/**
 * The limits as `ulimit` flags of dash (/bin/sh on Debian): -f counts 512-byte blocks.
 * RLIMIT_NPROC counts all processes of the user in the user namespace, so it is left out where
 * that includes processes outside the program (see {@linkcode nprocApplies}).
 */
function ulimitArgs(limits: Limits | undefined, nproc: boolean, data: boolean): string[] {
  const l = { ...DEFAULT_LIMITS, ...limits };
  const args = [
    ["-t", Math.max(1, Math.ceil(l.cpuSeconds))],
    ["-f", Math.max(0, Math.floor(l.fileSizeBytes / 512))],
    ["-n", Math.max(3, Math.floor(l.openFiles))],
  ];
  if (nproc) args.push(["-p", Math.max(1, Math.floor(l.processes))]);
  if (data) args.push(["-d", Math.floor(dataBytes(l.memoryBytes) / 1024)]);
  if (l.addressSpaceBytes !== undefined) {
    args.push(["-v", Math.max(0, Math.floor(l.addressSpaceBytes / 1024))]);
  }
  return args.flat().map(String);
}

/** The limits as a `prlimit` prefix, for a /bin/sh whose `ulimit` flags differ from dash's. */
function prlimitPrefix(limits: Limits | undefined, nproc: boolean, data: boolean): string[] {
  const l = { ...DEFAULT_LIMITS, ...limits };
  const args = [
    "prlimit",
    `--cpu=${Math.max(1, Math.ceil(l.cpuSeconds))}`,
    `--fsize=${Math.max(0, Math.floor(l.fileSizeBytes))}`,
    `--nofile=${Math.max(3, Math.floor(l.openFiles))}`,
  ];
  if (nproc) args.push(`--nproc=${Math.max(1, Math.floor(l.processes))}`);
  if (data) args.push(`--data=${Math.floor(dataBytes(l.memoryBytes))}`);
  if (l.addressSpaceBytes !== undefined) {
    args.push(`--as=${Math.max(0, Math.floor(l.addressSpaceBytes))}`);
  }
  return [...args, "--"];
}

/** The RLIMIT_DATA that stands in for a memory cgroup: twice the memory cap, at least 1 GiB. */
function dataBytes(memoryBytes: number): number {
  return Math.max(2 * memoryBytes, 1024 * 1024 * 1024);
}

/**
 * Whether RLIMIT_NPROC may be set: in a PID namespace it counts the processes of a user namespace
 * made for the program or the grader's worker; as root it is not enforced and harmless. Only an
 * unprivileged grader without namespaces must not set it: it would count all the user's processes.
 * A dedicated user (E3) has only the program's processes.
 */
function nprocApplies(kind: Containment, dedicatedUser: boolean): boolean {
  if (kind === "pid-namespace" || dedicatedUser) return true;
  try {
    return Deno.uid() === 0;
  } catch {
    return false;
  }
}

let setsidFound: string | null | undefined;

/** The setsid program (util-linux), detected once. */
function setsidPath(): string | undefined {
  setsidFound ??= findExecutable("setsid", DEFAULT_PATH, "/") ?? null;
  return setsidFound ?? undefined;
}

let shellIsDash: boolean | undefined;
let libstdbuf: boolean | undefined;

/** Whether /bin/sh is dash (detected once): then its `ulimit` sets the limits. */
function dashShell(): boolean {
  if (shellIsDash === undefined) {
    try {
      shellIsDash = /(^|\/)dash$/.test(Deno.realPathSync("/bin/sh"));
    } catch {
      shellIsDash = false;
    }
  }
  return shellIsDash;
}

/** Whether stdbuf's preload library is where Debian puts it (detected once). */
function haveLibstdbuf(): boolean {
  if (libstdbuf === undefined) {
    try {
      libstdbuf = Deno.statSync(LIBSTDBUF).isFile;
    } catch {
      libstdbuf = false;
    }
  }
  return libstdbuf;
}

function describe(opts: StartOptions): string {
  return opts.label ? `the ${opts.label} (${opts.argv[0]})` : `${opts.argv[0]}`;
}

/**
 * Starts a program (see the module doc for how it is contained).
 *
 * @throws {Error} when the working directory or argv[0] does not exist or is not executable, or
 * the process cannot be spawned.
 */
export function startProgram(opts: StartOptions): RunningProgram {
  if (opts.argv.length === 0 || !opts.argv[0]) {
    throw new TypeError("startProgram() needs a command: argv is empty.");
  }
  const env: Record<string, string> = {
    PATH: DEFAULT_PATH,
    HOME: opts.cwd,
    LANG: "C.UTF-8",
    ...opts.env,
  };
  try {
    if (!Deno.statSync(opts.cwd).isDirectory) throw new Error("not a directory");
  } catch {
    throw new Error(
      `Cannot start ${describe(opts)}: its working directory ${opts.cwd} does not exist.`,
    );
  }
  if (!findExecutable(opts.argv[0], env.PATH ?? DEFAULT_PATH, opts.cwd)) {
    throw new Error(
      opts.argv[0].includes("/")
        ? `Cannot start ${describe(opts)}: ${opts.argv[0]} does not exist or is not executable.`
        : `Cannot start ${describe(opts)}: ${opts.argv[0]} was not found in PATH (${env.PATH}).`,
    );
  }
  const info = containment();
  const kind = opts.containment ?? info.kind;
  const privateView = kind === "pid-namespace" && info.filesystem === "private" &&
    opts.filesystem !== "shared";
  const found = privateView ? info : { ...info, kind, filesystem: "shared" };
  const problem = untrustedCodeProblem(found);
  if (problem) throw new SandboxError(`Cannot start ${describe(opts)}: ${problem}.`);
  // E3: a dedicated user per workspace, which owns its sockgrade copy.
  const dedicated = usesDedicatedUsers(found);
  let uid: number | undefined;
  if (dedicated) {
    const workspace = workspaceOf(opts.cwd, opts.workspace);
    uid = userFor(workspace, isSockgradeCopy(workspace));
  }
  const drop = privateView ? [] : dropPrivileges(uid, isRoot());
  const limits = { ...DEFAULT_LIMITS, ...opts.limits };
  const cgroups = ProgramCgroups.create(
    Math.max(1, Math.floor(limits.processes)),
    Math.max(1024 * 1024, Math.floor(limits.memoryBytes)),
    describe(opts),
  );
  // `stdbuf -oL -eL` only sets these variables; setting them here spares an exec.
  if (opts.lineBuffered && haveLibstdbuf()) {
    env.LD_PRELOAD = env.LD_PRELOAD ? `${env.LD_PRELOAD}:${LIBSTDBUF}` : LIBSTDBUF;
    env._STDBUF_O = "L";
    env._STDBUF_E = "L";
  }
  const dash = dashShell();
  const data = !cgroups.capsMemory;
  const program = [
    ...(dash ? [] : prlimitPrefix(opts.limits, nprocApplies(kind, dedicated), data)),
    ...drop,
    ...(opts.lineBuffered && !haveLibstdbuf() ? ["stdbuf", "-oL", "-eL"] : []),
    ...opts.argv,
  ];
  const shimArgs = (shim: string, argv: string[]) => [
    "/bin/sh",
    "-c",
    shim,
    "sh",
    MARKER,
    cgroups.procsFiles,
    ...(dash ? ulimitArgs(opts.limits, nprocApplies(kind, dedicated), data) : []),
    "--",
    ...argv,
  ];
  // A new session via the setsid program: Deno's `detached` would fork the whole Deno process
  // (a pre-exec hook rules out its faster spawn), which costs far more than one small exec.
  // Outside bubblewrap (which makes its own) it also leaves the grader's controlling terminal.
  const setsid = privateView ? undefined : setsidPath();
  let command: string[];
  if (privateView) {
    const view = viewArgs({ cwd: opts.cwd, workspace: opts.workspace, env });
    const pid1 = opts.holdTree ? HOLD_AS_CHILD : RUN_AS_CHILD;
    const inner = ["/bin/sh", "-c", pid1, "sh", MARKER, ...program];
    const bwrap = filesystemIsolation().bwrap ?? "bwrap";
    command = shimArgs(BWRAP_SHIM, [bwrap, ...view, "--", ...inner]);
  } else if (kind === "pid-namespace") {
    command = [
      ...(setsid ? [setsid] : []),
      unsharePath,
      ...namespaceArgs(info.userNamespace),
      ...shimArgs(opts.holdTree ? NS_HOLD_SHIM : NS_SHIM, program),
    ];
  } else {
    command = [...(setsid ? [setsid] : []), ...shimArgs(GROUP_SHIM, program)];
  }
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(command[0]!, {
      args: command.slice(1),
      cwd: opts.cwd,
      clearEnv: true,
      env,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      detached: !privateView && !setsid,
    }).spawn();
  } catch (error) {
    cgroups.removeNow();
    throw new SandboxError(
      `Cannot start ${describe(opts)}: ${error instanceof Error ? error.message : error}`,
      { cause: error },
    );
  }
  const holds = opts.holdTree === true && kind === "process-group" && uid !== undefined;
  if (uid !== undefined) programStarted(uid, child.pid, holds);
  return new Program(
    child,
    kind,
    cgroups,
    opts.captureBytes ?? DEFAULT_CAPTURE,
    opts.watchLine,
    uid,
    holds,
  );
}

/** How long reading a program's output may hold the event loop before it lets others run. */
const PUMP_TURN_MS = 10;
/** How often a held tree without a PID namespace is looked for (as the namespace's PID 1 does). */
const HOLD_POLL_MS = 50;

class Program implements RunningProgram {
  readonly pid: number;
  readonly startedAt: number;
  readonly exited: Promise<ExitInfo>;
  readonly #child: Deno.ChildProcess;
  readonly #kind: Containment;
  readonly #cgroups: ProgramCgroups;
  readonly #out: StreamCapture;
  readonly #err: StreamCapture;
  #killed = false;
  /** Whether the start marker arrived (undefined: not decided yet). */
  #started: boolean | undefined;
  /** The outermost process has been reaped: its pid may belong to someone else now. */
  #reaped = false;
  /** The program's tree has ended (with `holdTree` as a dedicated user, after `#reaped`). */
  #exitSeen = false;
  /** Whether `kill()` has sent SIGKILL. */
  #forced = false;
  #done = false;
  readonly #readers: ReadableStreamDefaultReader<Uint8Array>[] = [];
  #killing: Promise<ExitInfo> | undefined;
  readonly #syncPrefix = `\x1esockgrade-sync-${crypto.randomUUID().slice(0, 8)}-`;
  #syncs = 0;
  #syncBroken = false;
  #statusSeen: () => void = () => {};
  readonly #statusKnown: Promise<void>;
  /** The dedicated user it runs as (E3), if any. */
  readonly #uid: number | undefined;
  /** Whether it holds its tree as a dedicated user (`holdTree` without a PID namespace). */
  readonly #holds: boolean;
  /** The device and inode of its stdout pipe, to find a held process that still writes it. */
  readonly #stdoutPipe: string | undefined;

  constructor(
    child: Deno.ChildProcess,
    kind: Containment,
    cgroups: ProgramCgroups,
    captureBytes: number,
    watchLine: string | undefined,
    uid: number | undefined,
    holds: boolean,
  ) {
    this.#uid = uid;
    this.#holds = holds;
    this.#stdoutPipe = holds ? pipeId(`/proc/${child.pid}/fd/1`) : undefined;
    this.startedAt = performance.now();
    this.pid = child.pid;
    this.#child = child;
    this.#kind = kind;
    this.#cgroups = cgroups;
    this.#out = new StreamCapture({
      captureBytes,
      watchedLine: watchLine,
      syncPrefix: this.#syncPrefix,
    });
    this.#err = new StreamCapture(captureBytes);
    this.#statusKnown = new Promise((resolve) => this.#statusSeen = resolve);
    this.exited = this.#watch();
  }

  get stdoutLines(): readonly OutputLine[] {
    return this.#out.lines;
  }

  get stdoutLinesDropped(): number {
    return this.#out.linesDropped;
  }

  get stderrLines(): readonly OutputLine[] {
    return this.#err.lines;
  }

  get stdoutWatched(): readonly OutputLine[] {
    return this.#out.watched;
  }

  stdoutCounts(): StdoutCounts {
    return this.#out.counts();
  }

  waitForStdout(condition: () => boolean, timeoutMs: number): Promise<boolean> {
    return this.#out.waitFor(condition, timeoutMs);
  }

  async syncStdout(timeoutMs: number): Promise<boolean> {
    if (this.#syncBroken || this.#exitSeen) return false;
    const writer = this.#reaped ? this.#heldStdoutWriter() : this.pid;
    if (writer === undefined) return false;
    const n = ++this.#syncs;
    try {
      using pipe = await Deno.open(`/proc/${writer}/fd/1`, { write: true });
      await pipe.write(new TextEncoder().encode(`${this.#syncPrefix}${n}\x1e\n`));
    } catch {
      this.#syncBroken = true;
      return false;
    }
    return await this.#out.waitFor(() => this.#out.syncSeen >= n, timeoutMs);
  }

  waitForStdoutLine(
    pred: (line: string) => boolean,
    timeoutMs: number,
    fromIndex = 0,
  ): Promise<OutputLine | undefined> {
    return this.#out.waitForLine(pred, timeoutMs, fromIndex);
  }

  stdout(): Uint8Array {
    return this.#out.bytes();
  }

  stderr(): Uint8Array {
    return this.#err.bytes();
  }

  treePids(): number[] {
    if (this.#done) return [];
    // The cgroup knows every member, daemons included, in one read; else walk /proc (slower).
    const members = this.#cgroups.pids();
    if (members.length > 0) return [...new Set([this.pid, ...members])];
    const tree = this.#reaped ? [] : descendants([this.pid]);
    if (this.#uid === undefined) return tree;
    return [...new Set([...tree, ...processesOfProgram(this.#uid, this.pid)])];
  }

  programRunning(): boolean {
    if (this.#done) return false;
    if (this.#kind === "process-group") return !this.#reaped && running(this.pid);
    // In its PID namespace the program is PID 2: the child of the namespace's first process.
    return this.treePids().some((pid) => innermostPid(pid) === 2 && running(pid));
  }

  kill(graceMs = 200): Promise<ExitInfo> {
    this.#killing ??= this.#kill(graceMs);
    return this.#killing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.kill();
  }

  async #kill(graceMs: number): Promise<ExitInfo> {
    if (!this.#exitSeen) {
      this.#killed = true;
      this.#signalTree("SIGTERM");
      if (graceMs > 0) {
        let timer: ReturnType<typeof setTimeout> | undefined;
        await Promise.race([
          this.#statusKnown,
          new Promise<void>((resolve) => timer = setTimeout(resolve, graceMs)),
        ]);
        clearTimeout(timer);
      }
      if (!this.#exitSeen) {
        this.#forced = true;
        this.#signalTree("SIGKILL");
      }
    }
    return await this.exited;
  }

  /**
   * Signals every process of the tree; SIGKILL also goes to the wrapper. Once the wrapper has
   * been reaped its pid may belong to someone else: then only the process group (which keeps its
   * id while it has members) and the cgroup members are signalled.
   */
  #signalTree(signal: Deno.Signal): void {
    if (this.#reaped) {
      if (this.#kind === "process-group") signalAll([-this.pid], signal);
      signalAll(this.#cgroups.pids(), signal);
      if (this.#uid !== undefined) signalAll(processesOfProgram(this.#uid, this.pid), signal);
      return;
    }
    // SIGTERM to the unshare wrapper is pointless (it blocks it) and SIGKILL to it would leave
    // the namespace to PDEATHSIG alone: signal its descendants first, the wrapper last.
    signalAll(this.treePids().filter((pid) => pid !== this.pid), signal);
    if (this.#kind === "process-group") signalAll([-this.pid], signal);
    if (signal === "SIGKILL" || this.#kind === "process-group") signalAll([this.pid], signal);
  }

  async #watch(): Promise<ExitInfo> {
    const reading = Promise.all([
      this.#pump(this.#child.stdout, this.#out, true),
      this.#pump(this.#child.stderr, this.#err, false),
    ]);
    const status = await this.#child.status;
    this.#reaped = true;
    if (this.#holds) await this.#hold();
    const durationMs = performance.now() - this.startedAt;
    this.#exitSeen = true;
    this.#statusSeen();
    if (this.#kind === "process-group") {
      // Whatever the program left behind dies with it, as it does in a PID namespace.
      this.#signalTree("SIGKILL");
      if (this.#uid !== undefined) programEnded(this.#uid, this.pid);
    }
    await this.#drain(reading);
    const memoryExceeded = this.#cgroups.memoryExceeded();
    const peakMemoryBytes = this.#cgroups.peakMemoryBytes();
    await this.#cgroups.remove();
    this.#done = true;
    const info = this.#decode(status);
    const exit: ExitInfo = { ...info, durationMs, killed: this.#killed };
    if (memoryExceeded) exit.memoryExceeded = true;
    if (peakMemoryBytes !== undefined) exit.peakMemoryBytes = peakMemoryBytes;
    if (!this.#started && !this.#killed) {
      const said = new TextDecoder().decode(this.#err.bytes()).trim().split("\n").slice(-3)
        .join(" | ");
      exit.sandboxFailure = said || `the sandbox's shell exited with status ${status.code}` +
          (status.signal ? ` (${status.signal})` : "");
    }
    return exit;
  }

  /**
   * Holds the tree of a program that has exited, as a dedicated user: waits until none of its
   * processes runs (see `users.ts`'s `processesOfProgram`) or `kill()` has sent SIGKILL.
   */
  async #hold(): Promise<void> {
    while (!this.#forced && processesOfProgram(this.#uid!, this.pid).length > 0) {
      await new Promise((resolve) => setTimeout(resolve, HOLD_POLL_MS));
    }
  }

  /** A process of the held tree whose stdout is still the program's pipe, if any. */
  #heldStdoutWriter(): number | undefined {
    if (this.#stdoutPipe === undefined || this.#uid === undefined) return undefined;
    return processesOfProgram(this.#uid, this.pid)
      .find((pid) => pipeId(`/proc/${pid}/fd/1`) === this.#stdoutPipe);
  }

  /** Waits for both streams to end; in the fallback, gives up after a while (escaped daemons). */
  async #drain(reading: Promise<unknown>): Promise<void> {
    if (this.#kind === "pid-namespace") {
      await reading;
      return;
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = await Promise.race([
      reading.then(() => false),
      new Promise<boolean>((resolve) => timer = setTimeout(() => resolve(true), DRAIN_MS)),
    ]);
    clearTimeout(timer);
    if (late) {
      await Promise.all(this.#readers.map((reader) => reader.cancel().catch(() => {})));
      await reading;
    }
  }

  async #pump(
    stream: ReadableStream<Uint8Array>,
    capture: StreamCapture,
    marked: boolean,
  ): Promise<void> {
    const reader = stream.getReader();
    this.#readers.push(reader);
    // stdout starts with the shim's marker: held back until it is complete, then dropped.
    let head: Uint8Array | undefined = marked ? new Uint8Array(0) : undefined;
    let lastTurn = performance.now();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        let chunk = value;
        if (head) {
          const joined = new Uint8Array(head.length + chunk.length);
          joined.set(head);
          joined.set(chunk, head.length);
          const n = Math.min(joined.length, MARKER_BYTES.length);
          const matches = joined.subarray(0, n).every((b, i) => b === MARKER_BYTES[i]);
          if (matches && joined.length < MARKER_BYTES.length) {
            head = joined;
            continue;
          }
          this.#started = matches;
          chunk = matches ? joined.subarray(MARKER_BYTES.length) : joined;
          head = undefined;
          if (chunk.length === 0) continue;
        }
        capture.push(chunk, performance.now() - this.startedAt);
        if (performance.now() - lastTurn > PUMP_TURN_MS) {
          // A program that floods must not starve the grader's own timers and sockets: give
          // the event loop a full turn (timers, then I/O) before reading on.
          await new Promise((resolve) => setTimeout(resolve, 0));
          lastTurn = performance.now();
        }
      }
    } catch {
      // the stream was cancelled: what was read is kept
    } finally {
      if (head?.length) capture.push(head, performance.now() - this.startedAt);
      if (marked) this.#started ??= false;
      capture.end(performance.now() - this.startedAt);
      reader.releaseLock();
    }
  }

  #decode(status: Deno.CommandStatus): Pick<ExitInfo, "code" | "signal"> {
    if (status.signal !== null) return { code: null, signal: status.signal };
    const code = status.code;
    if (this.#kind === "pid-namespace" && code > 128 && code - 128 < SIGNALS.length) {
      return { code: null, signal: SIGNALS[code - 128]! };
    }
    return { code, signal: null };
  }
}

/** The device and inode `path` leads to (e.g. a process's stdout pipe), or undefined. */
function pipeId(path: string): string | undefined {
  try {
    const info = Deno.statSync(path);
    return `${info.dev}:${info.ino}`;
  } catch {
    return undefined;
  }
}

/** Starts a program, waits for it to exit or for `timeoutMs`, then kills whatever is left. */
export async function runProgram(opts: StartOptions & { timeoutMs: number }): Promise<RunResult> {
  const program = startProgram(opts);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = await Promise.race([
    program.exited.then(() => false),
    new Promise<boolean>((resolve) => timer = setTimeout(() => resolve(true), opts.timeoutMs)),
  ]);
  clearTimeout(timer);
  const info = await program.kill();
  if (info.sandboxFailure !== undefined) {
    throw new SandboxError(
      `The sandbox could not start ${describe(opts)}: ${info.sandboxFailure}`,
    );
  }
  return {
    ...info,
    killed: timedOut || info.killed,
    timedOut,
    stdout: program.stdout(),
    stderr: program.stderr(),
    stdoutLines: [...program.stdoutLines],
  };
}
