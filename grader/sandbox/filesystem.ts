/**
 * What a student's program sees of the filesystem: a private view made by bubblewrap (`bwrap`)
 * for every program start, builds included. The view holds
 *
 * - read-only: `/usr` (and `/bin`, `/sbin`, `/lib*` as on the host: symlinks or binds), a short
 *   list of `/etc` entries programs and compilers need ({@linkcode ETC_ENTRIES}: no shadow, ssh,
 *   npm or pip secrets), the tool folders (see {@linkcode toolFolders}) and the program's
 *   `DENO_DIR`;
 * - read-write: the program's workspace (the submission's temporary copy, at its own path);
 * - private: `/tmp` (a small tmpfs of its own), `/dev` (null, zero, random, urandom, tty, shm),
 *   `/proc` of its own PID namespace; the root itself is read-only.
 *
 * Nothing else exists there: not the teacher's files (`/work`, `/root`, `/home`, the grader's
 * repository), not other submissions or other workers' `sockgrade-*` copies, not `/sys` (so no
 * cgroup can be raised from inside). Programs also lose every capability (`--cap-drop ALL`), so
 * they cannot mount, unmount or reconfigure the namespace's network.
 *
 * Hidden paths ({@linkcode hideFromPrograms}; the build cache, which holds other submissions'
 * compiled programs) never show, wherever the teacher put them, and hiding wins over showing:
 * a folder of the list above that is or lies inside a hidden path is left out of the view, and a
 * hidden path inside a folder the view shows (`/usr`, a tool folder, the Deno cache, the
 * workspace) is covered by an empty read-only tmpfs (a file: by `/dev/null`). A hidden path
 * elsewhere needs nothing, as the view does not have it (under `/tmp`, the view's own tmpfs).
 * Hiding a folder that holds `/usr` or the workspace therefore makes every program fail to start
 * (a sandbox failure): it never shows them.
 *
 * The workspace is `StartOptions.workspace` when given, else the `sockgrade-*` folder of the
 * system's temporary folder that holds the working folder (what `copySubmission` makes), else
 * the working folder itself; `/` is never made writable.
 *
 * When bubblewrap is missing or cannot make the view, programs see the whole filesystem and
 * {@linkcode filesystemIsolation} says why (the grading run's report should show it).
 *
 * @example
 * ```ts
 * import { filesystemIsolation, viewArgs } from "./filesystem.ts";
 * const info = filesystemIsolation();
 * if (info.kind === "private") {
 *   const args = viewArgs({ cwd: "/tmp/sockgrade-abc/src", env: {} });
 *   if (!args.includes("/tmp/sockgrade-abc")) throw new Error("the workspace is not in the view");
 * }
 * ```
 * @module
 */

import { basename, dirname, isAbsolute, join } from "node:path";
import { fileURLToPath } from "node:url";
import { SYSTEM_PATH, which } from "./_which.ts";

/** Whether programs get a private filesystem view, and why not when they do not. */
export interface FilesystemInfo {
  /** `private`: the view described in the module doc; `shared`: the whole filesystem. */
  kind: "private" | "shared";
  /** Why the view is not used, when it is not: a sentence for the report. */
  reason?: string;
  /** The bwrap executable, when the view is used. */
  bwrap?: string;
}

/** Where a program's view comes from. */
export interface ViewOptions {
  /** The working folder. */
  cwd: string;
  /** The folder the program may write (default: see the module doc). */
  workspace?: string;
  /** The program's environment: an absolute `DENO_DIR` in it is shown read-only. */
  env: Record<string, string>;
}

/** Top-level system folders shown read-only (or as the symlinks they are). */
const SYSTEM = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"];
/**
 * `/etc` entries programs, compilers and runtimes read: users and groups, name service and
 * resolver settings, the dynamic linker's cache, the alternatives links (`cc`, `java`), time
 * zone, the JDK's and Python's configuration, public certificates.
 */
export const ETC_ENTRIES = [
  "alternatives",
  "debian_version",
  "gai.conf",
  "group",
  "host.conf",
  "hostname",
  "hosts",
  "ld.so.cache",
  "ld.so.conf",
  "ld.so.conf.d",
  "localtime",
  "mime.types",
  "networks",
  "nsswitch.conf",
  "os-release",
  "passwd",
  "protocols",
  "resolv.conf",
  "services",
  "ssl",
  "timezone",
];
/** `/etc` entries by prefix: the JDKs' and Pythons' own folders (`java-17-openjdk`, `python3.11`). */
const ETC_PREFIXES = ["java-", "python3"];
/** Size of the private /tmp (its pages also count against the memory cgroup). */
const TMP_BYTES = 64 * 1024 * 1024;
/** Tools whose folders the view shows, as found on the grader's own PATH. */
const TOOL_NAMES = ["cc", "c++", "gcc", "g++", "make", "javac", "java", "python3", "deno"];

let detected: FilesystemInfo | undefined;
let staticArgs: string[] | undefined;
let staticBound: string[] = [];
let extraFolders: string[] = [];
let hiddenPaths: string[] = [];
let defaultFolders: string[] | undefined;

function realPath(path: string): string | undefined {
  try {
    return Deno.realPathSync(path);
  } catch {
    return undefined;
  }
}

/** Whether `path` is `folder` or inside it. */
function within(path: string, folder: string): boolean {
  return folder === "/" || path === folder || path.startsWith(folder + "/");
}

/** The folders a view must never show: the grader's repository, HOME, its working folder. */
function guarded(): string[] {
  const home = Deno.env.get("HOME");
  return [
    // The compiled executable's own code is inside it: guard the folder it was run from.
    Deno.build.standalone
      ? dirname(realPath(Deno.execPath()) ?? Deno.execPath())
      : fileURLToPath(new URL("../..", import.meta.url)).replace(/\/$/, ""),
    ...(home && isAbsolute(home) ? [realPath(home) ?? home] : []),
    realPath(Deno.cwd()) ?? Deno.cwd(),
  ];
}

/** Whether showing `folder` would show a guarded folder (it is one of them or holds one). */
function exposesGuarded(folder: string): boolean {
  return folder === "/" || guarded().some((g) => within(g, folder));
}

/** The install prefix of a tool: `/opt/jdk` for `/opt/jdk/bin/java`, else the tool's folder. */
function prefixOf(executable: string): string {
  const dir = dirname(executable);
  return ["bin", "sbin", "shims"].includes(basename(dir)) ? dirname(dir) : dir;
}

/** The folder to show for one tool path, or undefined when /usr already shows it. */
function toolFolder(executable: string): string | undefined {
  const real = realPath(executable);
  if (!real) return undefined;
  for (const candidate of [prefixOf(real), dirname(real)]) {
    if (SYSTEM.some((s) => within(candidate, s))) return undefined;
    if (!exposesGuarded(candidate)) return candidate;
  }
  return undefined;
}

/**
 * The tool folders every view shows read-only: the install prefix of each compiler and runtime
 * found on the grader's own PATH (`cc`, `c++`, `make`, `javac`, `java`, `python3`, `deno`;
 * pyenv's root for its shims), of the running Deno, and the grader's Deno cache, plus what
 * {@linkcode exposeReadOnly} added. Folders under `/usr` are shown anyway; a prefix that is or
 * holds the grader's repository, HOME or working folder is narrowed to the tool's own folder.
 */
export function toolFolders(): string[] {
  if (!defaultFolders) {
    const found: string[] = [];
    const hostPath = Deno.env.get("PATH") ?? SYSTEM_PATH;
    for (const name of TOOL_NAMES) {
      for (const dir of hostPath.split(":")) {
        if (!isAbsolute(dir)) continue;
        const path = join(dir, name);
        try {
          if (!Deno.statSync(path).isFile) continue;
        } catch {
          continue;
        }
        for (const candidate of [path, realPath(path) ?? path]) {
          const shim = basename(dirname(candidate)) === "shims" ? prefixOf(candidate) : undefined;
          const folder = shim && !exposesGuarded(shim) ? shim : toolFolder(candidate);
          if (folder) found.push(folder);
        }
        break;
      }
    }
    const deno = toolFolder(Deno.execPath());
    if (deno) found.push(deno);
    const cache = Deno.env.get("DENO_DIR") ??
      join(
        Deno.env.get("XDG_CACHE_HOME") ?? join(Deno.env.get("HOME") ?? "/tmp", ".cache"),
        "deno",
      );
    const cacheReal = realPath(cache);
    if (cacheReal && !exposesGuarded(cacheReal)) found.push(cacheReal);
    defaultFolders = found;
  }
  return normalize([...defaultFolders, ...extraFolders]);
}

/** Sorted, without duplicates and without folders inside another one of the list. */
function normalize(folders: string[]): string[] {
  const sorted = [...new Set(folders)].sort((a, b) => a.length - b.length || (a < b ? -1 : 1));
  const out: string[] = [];
  for (const folder of sorted) {
    if (out.some((f) => within(folder, f))) continue;
    out.push(folder);
  }
  return out;
}

/**
 * Adds folders every view shows read-only (the grading worker's toolchain: compilers and
 * runtimes outside `/usr`). Trusted callers only: never a path from a submission. Folders that
 * do not exist are ignored.
 */
export function exposeReadOnly(folders: readonly string[]): void {
  const real = folders.map((f) => realPath(f)).filter((f): f is string => f !== undefined);
  extraFolders = [...new Set([...extraFolders, ...real])];
  staticArgs = undefined;
}

/**
 * Hides paths (folders or files) from every program started from now on, however its view would
 * show them (see the module doc); call it before programs start. Trusted callers only. A missing
 * path is made as an empty folder (mode 0700), so that it cannot appear later, unmasked, in the
 * view of a program already running; where it cannot be made, the grader cannot write there
 * either and nothing is hidden.
 */
export function hideFromPrograms(paths: readonly string[]): void {
  const real = paths.map((path) => {
    try {
      Deno.mkdirSync(path, { recursive: true, mode: 0o700 });
    } catch {
      // it is a file, or cannot be made: hide what is there
    }
    return realPath(path);
  }).filter((path): path is string => path !== undefined);
  const added = real.filter((path) => !hiddenPaths.includes(path));
  if (added.length === 0) return;
  hiddenPaths = [...new Set([...hiddenPaths, ...added])];
  staticArgs = undefined;
}

/** Whether `path` is a hidden path or inside one. */
function hidden(path: string): boolean {
  return hiddenPaths.some((h) => within(path, h));
}

/** Adds a bind of `folder` at its own path unless it is hidden; true when added. */
function bind(args: string[], flag: "--bind" | "--ro-bind", folder: string): boolean {
  if (hidden(folder)) return false;
  args.push(flag, folder, folder);
  return true;
}

/**
 * The bwrap options that cover each hidden path one of the `bound` host folders would show, as
 * it is right now: an empty read-only tmpfs over a folder, `/dev/null` over anything else.
 */
function masks(bound: readonly string[]): string[] {
  const args: string[] = [];
  for (const path of hiddenPaths) {
    if (!bound.some((folder) => within(path, folder))) continue;
    let info: Deno.FileInfo;
    try {
      info = Deno.statSync(path);
    } catch {
      continue; // gone: nothing to cover
    }
    if (info.isDirectory) args.push("--tmpfs", path, "--remount-ro", path);
    else args.push("--ro-bind", "/dev/null", path);
  }
  return args;
}

/**
 * The part of the bwrap command line that is the same for every program, and the host folders
 * it binds.
 */
function staticView(): { args: string[]; bound: string[] } {
  if (staticArgs) return { args: staticArgs, bound: staticBound };
  const bound: string[] = [];
  const args = [
    "--die-with-parent",
    "--unshare-pid",
    "--as-pid-1",
    "--unshare-ipc",
    "--cap-drop",
    "ALL",
  ];
  for (const path of SYSTEM) {
    let info: Deno.FileInfo;
    try {
      info = Deno.lstatSync(path);
    } catch {
      continue;
    }
    if (info.isSymlink) args.push("--symlink", Deno.readLinkSync(path), path);
    else if (info.isDirectory && bind(args, "--ro-bind", path)) bound.push(path);
  }
  let etc: string[] = [];
  try {
    etc = [...Deno.readDirSync("/etc")].map((e) => e.name);
  } catch {
    // no /etc: nothing to show
  }
  for (const name of etc.sort()) {
    const path = `/etc/${name}`;
    if (ETC_ENTRIES.includes(name) || ETC_PREFIXES.some((p) => name.startsWith(p))) {
      if (bind(args, "--ro-bind", path)) bound.push(path);
    }
  }
  args.push("--dev", "/dev", "--proc", "/proc", "--size", String(TMP_BYTES), "--tmpfs", "/tmp");
  for (const folder of toolFolders()) {
    if (bind(args, "--ro-bind", folder)) bound.push(folder);
  }
  staticArgs = args;
  staticBound = bound;
  return { args, bound };
}

/** The system's temporary folder, as `Deno.makeTempDir` uses it. */
function tempRoot(): string {
  const tmp = Deno.env.get("TMPDIR") || "/tmp";
  return realPath(tmp) ?? tmp;
}

/**
 * The folder a program may write: `workspace`, else the `sockgrade-*` folder of the temporary
 * folder that holds `cwd`, else `cwd` (all resolved to real paths).
 */
export function workspaceOf(cwd: string, workspace?: string): string {
  if (workspace) return realPath(workspace) ?? workspace;
  const real = realPath(cwd) ?? cwd;
  const tmp = tempRoot();
  if (within(real, tmp) && real !== tmp) {
    const top = real.slice(tmp.length + 1).split("/")[0]!;
    if (top.startsWith("sockgrade-")) return join(tmp, top);
  }
  return real;
}

/**
 * The bwrap options (everything before `--` and the command) that give one program its view.
 * Call only when {@linkcode filesystemIsolation} is `private`.
 */
export function viewArgs(opts: ViewOptions): string[] {
  const view = staticView();
  const args = [...view.args];
  const bound = [...view.bound];
  const shown = ["/tmp", ...SYSTEM, ...toolFolders()];
  const denoDir = opts.env.DENO_DIR;
  const cacheReal = denoDir && isAbsolute(denoDir) ? realPath(denoDir) : undefined;
  if (cacheReal && !shown.some((f) => within(cacheReal, f)) && !exposesGuarded(cacheReal)) {
    if (bind(args, "--ro-bind", cacheReal)) bound.push(cacheReal);
  }
  const writable = workspaceOf(opts.cwd, opts.workspace);
  // `/`, `/tmp` itself and folders already shown stay as they are (the private /tmp is writable).
  const alreadyShown = writable === "/" || writable === "/tmp" ||
    shown.some((f) => f !== "/tmp" && within(writable, f));
  if (!alreadyShown && bind(args, "--bind", writable)) bound.push(writable);
  args.push(...masks(bound), "--remount-ro", "/", "--chdir", realPath(opts.cwd) ?? opts.cwd);
  return args;
}

/**
 * Whether programs get the private view, detected once by making one (a few ms): bwrap must be
 * installed and able to make mount and PID namespaces here (as root, or root of a user
 * namespace such as the grading worker's).
 */
export function filesystemIsolation(): FilesystemInfo {
  if (detected) return detected;
  const bwrap = which("bwrap");
  if (!bwrap) {
    detected = {
      kind: "shared",
      reason:
        "bubblewrap (bwrap) is not installed, so student programs can read any file the grader can; install the Debian package bubblewrap",
    };
    return detected;
  }
  let message = "";
  try {
    const out = new Deno.Command(bwrap, {
      args: [...viewArgs({ cwd: "/", env: {} }), "--", "/bin/true"],
      stdin: "null",
      stdout: "null",
      stderr: "piped",
      clearEnv: true,
      env: { PATH: SYSTEM_PATH },
    }).outputSync();
    if (out.success) {
      detected = { kind: "private", bwrap };
      return detected;
    }
    message = new TextDecoder().decode(out.stderr).trim();
  } catch (error) {
    message = error instanceof Error ? error.message : String(error);
  }
  detected = {
    kind: "shared",
    reason: `bubblewrap could not make a private filesystem view (${
      message || "no message"
    }), so student programs can read any file the grader can`,
  };
  return detected;
}
