/**
 * Where this machine's compilers and runtimes are, and the minimal environment that student
 * builds and programs get. Nothing from the grader's own environment reaches a student's program
 * except what is built here: `PATH` (only the folders of the tools found), `HOME` (a temporary
 * folder), `LANG=C.UTF-8` and what one runtime needs.
 *
 * Private to `grader/submission/`.
 *
 * @module
 */

import { dirname, isAbsolute, join } from "node:path";

/** Folders always on a student's PATH (after the folders of the tools found). */
const BASE_PATH = ["/usr/local/bin", "/usr/bin", "/bin"];

/** Options for the JVM that make a small program start fast (measured in build_test.ts). */
export const JAVA_FAST_START = ["-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto"];

/** The absolute paths of the tools a build may use; `undefined` when one is not installed. */
export interface Toolchain {
  /** The C compiler (`cc`). */
  cc?: string;
  /** The C++ compiler (`c++`). */
  cxx?: string;
  /** GNU make. */
  make?: string;
  /** The Java compiler. */
  javac?: string;
  /** The Java launcher. */
  java?: string;
  /**
   * The real Python 3 interpreter (version-manager shims resolved), once {@linkcode pythonOf}
   * has found it: asking a pyenv shim takes about a second, so it is only asked when needed.
   */
  python?: string;
  /** `python3` as found on PATH (possibly a version manager's shim). */
  pythonShim?: string;
  /**
   * Deno for TypeScript submissions: the Deno running the grader, or for the compiled
   * executable the `deno` on PATH (`undefined` when there is none).
   */
  deno?: string;
  /**
   * The grader's own Deno cache (`DENO_DIR`, else `$XDG_CACHE_HOME/deno` or `~/.cache/deno`):
   * modules cached there can be imported offline, and it is warm (an empty cache makes Deno's
   * first start slower).
   */
  denoDir: string;
  /** The PATH given to builds and programs: the tools' folders, then /usr/local/bin:/usr/bin:/bin. */
  path: string;
}

/** Is `path` an executable regular file? */
async function isExecutable(path: string): Promise<boolean> {
  try {
    const info = await Deno.stat(path);
    return info.isFile && info.mode !== null && (info.mode & 0o111) !== 0;
  } catch {
    return false;
  }
}

/**
 * Finds `name` on `searchPath` (a colon-separated list) like a shell would; a name with a slash
 * is resolved against `cwd`. Returns the absolute path, or `undefined`.
 */
export async function which(
  name: string,
  searchPath: string,
  cwd = "/",
): Promise<string | undefined> {
  if (name.includes("/")) {
    const path = isAbsolute(name) ? name : join(cwd, name);
    return await isExecutable(path) ? path : undefined;
  }
  for (const folder of searchPath.split(":")) {
    if (folder === "" || !isAbsolute(folder)) continue;
    const path = join(folder, name);
    if (await isExecutable(path)) return path;
  }
  return undefined;
}

/** The first version a pyenv version file or variable names, if any. */
async function pyenvVersion(root: string): Promise<string | undefined> {
  const fromEnv = Deno.env.get("PYENV_VERSION")?.split(":")[0]?.trim();
  if (fromEnv) return fromEnv;
  for (let dir = Deno.cwd();; dir = dirname(dir)) {
    const local = await Deno.readTextFile(join(dir, ".python-version")).catch(() => undefined);
    if (local?.trim()) return local.trim().split(/\s+/)[0];
    if (dirname(dir) === dir) break;
  }
  const global = await Deno.readTextFile(join(root, "version")).catch(() => undefined);
  return global?.trim().split(/\s+/)[0];
}

/**
 * Finds the real `python3` behind PATH: version managers (pyenv, asdf) put shims first on PATH
 * that only work with the user's own HOME, which student programs do not get. A pyenv shim is
 * resolved from pyenv's version files (instant); anything else is asked for `sys.executable`
 * (running a shim takes about a second). Trusted code, run directly (not student code).
 */
async function realPython(shim: string): Promise<string | undefined> {
  const root = Deno.env.get("PYENV_ROOT") ?? join(Deno.env.get("HOME") ?? "/", ".pyenv");
  if (shim === join(root, "shims", "python3")) {
    const version = await pyenvVersion(root);
    const path = version && join(root, "versions", version, "bin", "python3");
    if (path && await isExecutable(path)) return path;
  }
  try {
    const { success, stdout } = await new Deno.Command(shim, {
      args: ["-c", "import sys; print(sys.executable)"],
      stdin: "null",
      stdout: "piped",
      stderr: "null",
    }).output();
    const path = new TextDecoder().decode(stdout).trim();
    return success && isAbsolute(path) && await isExecutable(path) ? path : undefined;
  } catch {
    return undefined;
  }
}

let cached: Promise<Toolchain> | undefined;

/**
 * Uses a toolchain found elsewhere: a grading worker gets the one its parent found, so the
 * lookup (which starts `python3` once) is paid once per run, not once per submission.
 */
export function useToolchain(tools: Toolchain): void {
  cached = Promise.resolve(tools);
}

/** Finds the tools once per process, on the grader's own PATH. */
export function toolchain(): Promise<Toolchain> {
  cached ??= (async () => {
    const hostPath = Deno.env.get("PATH") ?? BASE_PATH.join(":");
    const [cc, cxx, make, javac, java, pythonShim] = await Promise.all(
      ["cc", "c++", "make", "javac", "java", "python3"].map((n) => which(n, hostPath)),
    );
    const deno = Deno.build.standalone ? await which("deno", hostPath) : Deno.execPath();
    const cacheHome = Deno.env.get("XDG_CACHE_HOME") ??
      join(Deno.env.get("HOME") ?? "/tmp", ".cache");
    const denoDir = Deno.env.get("DENO_DIR") ?? join(cacheHome, "deno");
    const folders = [deno, cc, cxx, make, javac, java]
      .filter((p): p is string => p !== undefined)
      .map((p) => dirname(p));
    const path = [...new Set([...folders, ...BASE_PATH])].join(":");
    return { cc, cxx, make, javac, java, pythonShim, deno, denoDir, path };
  })();
  return cached;
}

let pythonLookup: Promise<string | undefined> | undefined;

/** The real Python 3 interpreter, asked for once per process and kept in `tools.python`. */
export async function pythonOf(tools: Toolchain): Promise<string | undefined> {
  if (tools.python) return tools.python;
  if (!tools.pythonShim) return undefined;
  pythonLookup ??= realPython(tools.pythonShim);
  tools.python = await pythonLookup;
  return tools.python;
}

/** The environment every build and program starts from. */
export function baseEnv(tools: Toolchain, home: string): Record<string, string> {
  return { PATH: tools.path, HOME: home, LANG: "C.UTF-8" };
}

/** What Deno needs to run offline without prompting, update checks or colours. */
export function denoEnv(denoDir: string): Record<string, string> {
  return {
    DENO_DIR: denoDir,
    DENO_NO_UPDATE_CHECK: "1",
    DENO_NO_PROMPT: "1",
    NO_COLOR: "1",
  };
}
