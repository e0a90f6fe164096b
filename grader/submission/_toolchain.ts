/**
 * Where this machine's compilers and runtimes are, and the minimal environment that student
 * builds and programs get. Nothing from the grader's own environment reaches a student's program
 * except what is built here: `PATH` (only the folders of the tools found), `HOME` (a temporary
 * folder), `LANG=C.UTF-8` and what one runtime needs. Which tools there are is the languages'
 * business (`languages/*.ts`); this module only finds them.
 *
 * Private to `grader/submission/`.
 *
 * @module
 */

import { dirname, isAbsolute, join } from "node:path";

/** Folders always on a student's PATH (after the folders of the tools found). */
const BASE_PATH = ["/usr/local/bin", "/usr/bin", "/bin"];

/**
 * The absolute paths of the tools builds may use, found once per grading run (the parent finds
 * them and hands them to its workers).
 */
export interface Toolchain {
  /**
   * Each tool a language looks up (`cc`, `javac`, `python3`, `go`, …) and `make`, by name: its
   * absolute path, or `undefined` when it is not installed. Part of the build cache's key.
   */
  bin: Record<string, string | undefined>;
  /**
   * Tools a language resolved later, when first needed (Python's real interpreter behind a
   * version manager's shim: asking a shim takes about a second). Not part of the cache key.
   */
  resolved: Record<string, string>;
  /**
   * The grader's own Deno cache (`DENO_DIR`, else `$XDG_CACHE_HOME/deno` or `~/.cache/deno`):
   * modules cached there can be imported offline, and it is warm (an empty cache makes Deno's
   * first start slower).
   */
  denoDir: string;
  /** The PATH given to builds and programs: the tools' folders, then /usr/local/bin:/usr/bin:/bin. */
  path: string;
  /**
   * Folders outside `/usr` that builds and programs must see read-only (a compiler's own root, a
   * sysroot); the sandbox shows them (`exposeReadOnly`).
   */
  folders: string[];
}

/** What a language needs found on the grading machine (a row of `languages/mod.ts`). */
export interface ToolNeeds {
  /** Executables looked up on the grader's PATH by name (`cc`; `javac` and `java`). */
  tools: readonly string[];
  /**
   * Finds the tools another way than {@linkcode which} (a version manager's proxy resolved, the
   * running Deno): their paths by name. Default: each of `tools` on `hostPath`.
   */
  findTools?(hostPath: string): Promise<Record<string, string | undefined>>;
  /** Whether the folders of its tools go on students' PATH (not for a version manager's shims). */
  onPath: boolean;
  /**
   * Folders its tools need besides their own (GOROOT, a sysroot), from the paths found; the
   * sandbox shows them to builds and programs. Default: none.
   */
  shows?(found: Record<string, string | undefined>): string[];
}

/** Is `path` an executable regular file? */
export async function isExecutable(path: string): Promise<boolean> {
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

/**
 * Finds the tools every language of `languages` needs, and `make`, on the grader's own PATH.
 * Trusted code: a language's `findTools` may start the tool it found (never student code).
 */
export async function findToolchain(languages: readonly ToolNeeds[]): Promise<Toolchain> {
  const hostPath = Deno.env.get("PATH") ?? BASE_PATH.join(":");
  const lookUp = async (names: readonly string[]) =>
    Object.fromEntries(
      await Promise.all(names.map(async (n) => [n, await which(n, hostPath)] as const)),
    );
  const [make, ...found] = await Promise.all([
    which("make", hostPath),
    ...languages.map((l) => l.findTools ? l.findTools(hostPath) : lookUp(l.tools)),
  ]);
  const cacheHome = Deno.env.get("XDG_CACHE_HOME") ??
    join(Deno.env.get("HOME") ?? "/tmp", ".cache");
  const denoDir = Deno.env.get("DENO_DIR") ?? join(cacheHome, "deno");
  const folders = languages.flatMap((l, i) => l.onPath ? Object.values(found[i]!) : [])
    .concat(make)
    .filter((p): p is string => p !== undefined)
    .map((p) => dirname(p));
  const path = [...new Set([...folders, ...BASE_PATH])].join(":");
  const shown = languages.flatMap((l, i) => {
    try {
      return l.shows?.(found[i]!) ?? [];
    } catch {
      return []; // a tool that vanished: its builds say it is missing
    }
  });
  return {
    bin: Object.assign({ make }, ...found),
    resolved: {},
    denoDir,
    path,
    folders: [...new Set(shown)].filter((f) => !f.startsWith("/usr/")),
  };
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
