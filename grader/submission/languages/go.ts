/**
 * Go: `go build -o server server.go` (one file; inside a module when a `go.mod` is beside or
 * above it), offline (`GOPROXY=off`, `GOTOOLCHAIN=local`), with Go's build cache and module
 * folder in the workspace's HOME; started as `./server`. Go's `os.Stdout` is not buffered
 * (`fmt.Println` writes at once), so no line buffering is forced.
 *
 * @module
 */

import { basename, dirname, join } from "node:path";
import { built, failed, failure, missingTool, outputName, runSteps } from "../_steps.ts";
import { baseEnv } from "../_toolchain.ts";
import { language } from "./language.ts";

/** `./server.go:12:2: undefined: foo` (the `./` dropped). */
const GO_ERROR = /^(?:\.\/)?(\S+\.go):(\d+):(\d+): (.*)$/m;

/** The first error in `go build`'s output, as `file:line:column: message`. */
export function goFirstError(output: string): string | undefined {
  const m = GO_ERROR.exec(output);
  if (m) return `${m[1]}:${m[2]}:${m[3]}: ${m[4]}`.slice(0, 300);
  const line = output.split("\n").find((l) => l.trim() !== "" && !l.startsWith("#"));
  return line?.trim().slice(0, 300);
}

/** Go's keywords, kept as written by copy detection. */
const GO_KEYWORDS: readonly string[] = [
  "break",
  "case",
  "chan",
  "const",
  "continue",
  "default",
  "defer",
  "else",
  "fallthrough",
  "for",
  "func",
  "go",
  "goto",
  "if",
  "import",
  "interface",
  "map",
  "package",
  "range",
  "return",
  "select",
  "struct",
  "switch",
  "type",
  "var",
  "nil",
  "true",
  "false",
];

/** The Go row. */
export const GO = language({
  id: "go",
  name: "Go",
  extensions: [".go"],
  tools: ["go"],
  // GOROOT: the folder above the real `bin/go` (`/usr/lib/go-1.19` for Debian's golang-go).
  shows: (found) => found.go ? [dirname(dirname(Deno.realPathSync(found.go)))] : [],
  onPath: true,
  cacheable: true,
  recipe: import.meta.url,
  lexicon: {
    keywords: GO_KEYWORDS,
    hashComment: false,
    slashComments: true,
    quotes: "\"'`",
    triple: "",
  },
  async build(ctx, path) {
    const go = ctx.tools.bin.go;
    if (!go) return missingTool("go", path);
    const cwd = join(ctx.dir, dirname(path));
    const file = basename(path);
    const exe = await outputName(cwd, file);
    const home = ctx.env.HOME!;
    const env = {
      ...ctx.env,
      GOCACHE: join(home, "go-cache"),
      GOPATH: join(home, "go"),
      GOPROXY: "off",
      GOTOOLCHAIN: "local",
      GO111MODULE: "auto",
      GOTELEMETRY: "off",
    };
    const steps = await runSteps(
      { ...ctx, env },
      [[go, "build", "-o", exe, file]],
      cwd,
      `go ${file}`,
    );
    if (failed(steps)) {
      const failedSide = failure(ctx, steps, path, goFirstError);
      if (/GOPROXY=off|cannot find module|no required module/.test(steps.output)) {
        failedSide.message += " (sockgrade builds Go offline: use only the standard library)";
      }
      return failedSide;
    }
    return built(steps, `built ${path} with go build`, {
      argv: [join(cwd, exe)],
      cwd,
      env: baseEnv(ctx.tools, home),
      lineBuffering: "none",
    });
  },
});
