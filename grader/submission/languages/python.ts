/**
 * Python 3: a syntax check (`compile()`, nothing written), then `python3 server.py` with
 * `PYTHONUNBUFFERED=1`. The interpreter is the real one behind a version manager's shim
 * (pyenv, asdf): shims only work with the user's own HOME, which student programs do not get.
 *
 * @module
 */

import { basename, dirname, isAbsolute, join } from "node:path";
import { built, failed, failure, missingTool, runSteps } from "../_steps.ts";
import { baseEnv, isExecutable, type Toolchain } from "../_toolchain.ts";
import { language } from "./language.ts";

/** The check Python gets: compile the file to find syntax errors, writing nothing. */
const PY_SYNTAX_CHECK = "import sys; compile(open(sys.argv[1], 'rb').read(), sys.argv[1], 'exec')";

/** Environment that makes Python's stdout line buffered. */
export const PYTHON_UNBUFFERED: Readonly<Record<string, string>> = { PYTHONUNBUFFERED: "1" };

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
 * Finds the real `python3` behind a shim: a pyenv shim is resolved from pyenv's version files
 * (instant); anything else is asked for `sys.executable` (running a shim takes about a second).
 * Trusted code, run directly (not student code).
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

let pythonLookup: Promise<string | undefined> | undefined;

/** The real Python 3 interpreter, asked for once per process and kept in `tools.resolved`. */
export async function pythonOf(tools: Toolchain): Promise<string | undefined> {
  if (tools.resolved.python3) return tools.resolved.python3;
  const shim = tools.bin.python3;
  if (!shim) return undefined;
  pythonLookup ??= realPython(shim);
  const python = await pythonLookup;
  if (python) tools.resolved.python3 = python;
  return python;
}

/** Python's keywords, kept as written by copy detection. */
const PYTHON_KEYWORDS: readonly string[] = [
  "False",
  "None",
  "True",
  "and",
  "as",
  "assert",
  "async",
  "await",
  "break",
  "class",
  "continue",
  "def",
  "del",
  "elif",
  "else",
  "except",
  "finally",
  "for",
  "from",
  "global",
  "if",
  "import",
  "in",
  "is",
  "lambda",
  "nonlocal",
  "not",
  "or",
  "pass",
  "raise",
  "return",
  "try",
  "while",
  "with",
  "yield",
];

/** The Python row. */
export const PYTHON = language({
  id: "python",
  name: "Python",
  extensions: [".py"],
  tools: ["python3"],
  // A version manager's shim folder holds shims of everything it manages: not on PATH.
  onPath: false,
  cacheable: true,
  recipe: import.meta.url,
  lexicon: {
    keywords: PYTHON_KEYWORDS,
    hashComment: true,
    slashComments: false,
    quotes: `"'`,
    triple: `"'`,
    stringPrefix: /[rRbBuUfF]{1,2}(?=["'])/y,
  },
  manifest: {
    runtime: /^python/,
    buffering: { lineBuffering: "env", lineBufferingEnv: { ...PYTHON_UNBUFFERED } },
  },
  async build(ctx, path) {
    const python = await pythonOf(ctx.tools);
    if (!python) return missingTool("python3", path);
    const cwd = join(ctx.dir, dirname(path));
    const file = basename(path);
    const steps = await runSteps(
      ctx,
      [[python, "-c", PY_SYNTAX_CHECK, file]],
      cwd,
      `python ${file}`,
    );
    if (failed(steps)) return failure(ctx, steps, path);
    return built(steps, `${path} has no syntax errors`, {
      argv: [python, file],
      cwd,
      env: { ...baseEnv(ctx.tools, ctx.env.HOME!), ...PYTHON_UNBUFFERED },
      lineBuffering: "env",
      lineBufferingEnv: { ...PYTHON_UNBUFFERED },
    });
  },
});
