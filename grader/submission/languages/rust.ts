/**
 * Rust: `rustc --edition 2021 -o server server.rs` for a single file, or
 * `cargo build --offline --bin server` when a `Cargo.toml` is beside or above it (the binary
 * named by the file, or by the `[[bin]]` entry whose `path` it is), started as the executable
 * made. Rust's stdout is line buffered whether or not it is a terminal, so `println!` is written
 * at once and no line buffering is forced. A rustup proxy (`~/.cargo/bin/rustc`) only works with
 * the user's own HOME: the toolchain it selects is found once (`rustc --print sysroot`) and used
 * directly.
 *
 * @module
 */

import { basename, dirname, join, posix } from "node:path";
import {
  built,
  builtMessage,
  failed,
  failure,
  missingTool,
  outputName,
  runSteps,
} from "../_steps.ts";
import { baseEnv, which } from "../_toolchain.ts";
import { language } from "./language.ts";

/** `error[E0425]: cannot find value` … ` --> server.rs:3:5`. */
const RUST_ERROR = /^error(\[E\d+\])?: (.*)$/;
const RUST_AT = /^\s*--> (\S+?):(\d+):(\d+)\s*$/;

/** The first error in rustc's or cargo's output, as `file:line:column: error[E…]: message`. */
export function rustFirstError(output: string): string | undefined {
  const lines = output.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const m = RUST_ERROR.exec(lines[i]!);
    if (!m || /^aborting due to|^could not compile/.test(m[2]!)) continue;
    const at = lines.slice(i + 1, i + 4).map((l) => RUST_AT.exec(l)).find((a) => a);
    const what = `error${m[1] ?? ""}: ${m[2]}`;
    return (at ? `${at[1]}:${at[2]}:${at[3]}: ${what}` : what).slice(0, 300);
  }
  return undefined;
}

/** How many warnings rustc reported (not its `N warnings emitted` summaries). */
export function rustWarnings(output: string): number {
  return output.split("\n").filter((l) =>
    /^warning: /.test(l) && !/^warning: .*\d+ warnings? (emitted|generated)/.test(l)
  ).length;
}

/** A rustup proxy resolved to the toolchain it selects (trusted code, the grader's own HOME). */
async function realRust(rustc: string): Promise<Record<string, string | undefined>> {
  const real = await Deno.realPath(rustc).catch(() => rustc);
  if (basename(real) !== "rustup") return {};
  try {
    const { success, stdout } = await new Deno.Command(rustc, {
      args: ["--print", "sysroot"],
      stdin: "null",
      stdout: "piped",
      stderr: "null",
    }).output();
    const sysroot = new TextDecoder().decode(stdout).trim();
    if (!success || !sysroot.startsWith("/")) return {};
    const bin = join(sysroot, "bin");
    return { rustc: await which("rustc", bin), cargo: await which("cargo", bin) };
  } catch {
    return {};
  }
}

/** The folder holding a `Cargo.toml` for `path`, within the workspace, if any. */
async function cargoProject(root: string, path: string): Promise<string | undefined> {
  for (let dir = posix.dirname(path);; dir = posix.dirname(dir)) {
    const toml = join(root, dir, "Cargo.toml");
    if (await Deno.stat(toml).then((i) => i.isFile, () => false)) return dir;
    if (dir === "." || dir === "/" || dir === "") return undefined;
  }
}

/** The binary a Cargo project builds from `file` (relative to the project): a `[[bin]]`'s name, else the file's stem. */
function binName(manifest: string, file: string): string {
  for (const section of manifest.split(/^\s*\[\[bin\]\]\s*$/m).slice(1)) {
    const body = section.split(/^\s*\[/m)[0]!;
    const binPath = /^\s*path\s*=\s*"([^"]+)"/m.exec(body)?.[1]?.replace(/^\.\//, "");
    const name = /^\s*name\s*=\s*"([^"]+)"/m.exec(body)?.[1];
    if (binPath === file && name) return name;
  }
  return posix.basename(file, ".rs");
}

/** Rust's keywords, kept as written by copy detection. */
const RUST_KEYWORDS: readonly string[] = [
  "as",
  "break",
  "const",
  "continue",
  "crate",
  "else",
  "enum",
  "extern",
  "false",
  "fn",
  "for",
  "if",
  "impl",
  "in",
  "let",
  "loop",
  "match",
  "mod",
  "move",
  "mut",
  "pub",
  "ref",
  "return",
  "self",
  "Self",
  "static",
  "struct",
  "super",
  "trait",
  "true",
  "type",
  "unsafe",
  "use",
  "where",
  "while",
];

/** The Rust row. */
export const RUST = language({
  id: "rust",
  name: "Rust",
  extensions: [".rs"],
  sourceDirs: ["src/bin"],
  tools: ["rustc", "cargo"],
  async findTools(hostPath) {
    const rustc = await which("rustc", hostPath);
    const cargo = await which("cargo", hostPath);
    return { rustc, cargo, ...(rustc ? await realRust(rustc) : {}) };
  },
  // The toolchain's sysroot (its `lib/rustlib`), wherever rustup keeps it.
  shows: (found) => found.rustc ? [dirname(dirname(Deno.realPathSync(found.rustc)))] : [],
  onPath: true,
  cacheable: true,
  recipe: import.meta.url,
  lexicon: {
    keywords: RUST_KEYWORDS,
    hashComment: false,
    slashComments: true,
    quotes: `"`,
    triple: "",
    stringPrefix: /(?:br?|r)#*(?=")|b(?=')/y,
  },
  async build(ctx, path) {
    const { rustc, cargo } = ctx.tools.bin;
    const project = await cargoProject(ctx.dir, path);
    const home = ctx.env.HOME!;
    if (project === undefined) {
      if (!rustc) return missingTool("rustc", path);
      const cwd = join(ctx.dir, dirname(path));
      const file = basename(path);
      const exe = await outputName(cwd, file);
      const steps = await runSteps(
        ctx,
        [[rustc, "--edition", "2021", "-C", "debuginfo=0", "-o", exe, file]],
        cwd,
        `rustc ${file}`,
      );
      if (failed(steps)) return failure(ctx, steps, path, rustFirstError);
      return built(steps, builtMessage(`built ${path} with rustc`, steps.output, rustWarnings), {
        argv: [join(cwd, exe)],
        cwd,
        env: baseEnv(ctx.tools, home),
        lineBuffering: "none",
      });
    }
    if (!cargo || !rustc) return missingTool(cargo ? "rustc" : "cargo", path);
    const cwd = join(ctx.dir, project);
    const manifest = await Deno.readTextFile(join(cwd, "Cargo.toml")).catch(() => "");
    const bin = binName(manifest, posix.relative(project, path));
    const env = {
      ...ctx.env,
      CARGO_HOME: join(home, "cargo"),
      CARGO_TERM_COLOR: "never",
      RUSTC: rustc,
    };
    const steps = await runSteps(
      { ...ctx, env },
      [[cargo, "build", "--offline", "--bin", bin]],
      cwd,
      `cargo ${bin}`,
    );
    if (failed(steps)) {
      const failedSide = failure(ctx, steps, path, rustFirstError);
      if (/--offline|no matching package|failed to download/.test(steps.output)) {
        failedSide.message += " (sockgrade builds Rust offline: use only the standard library)";
      }
      return failedSide;
    }
    return built(
      steps,
      builtMessage(`built ${path} with cargo (binary ${bin})`, steps.output, rustWarnings),
      {
        argv: [join(cwd, "target", "debug", bin)],
        cwd,
        env: baseEnv(ctx.tools, home),
        lineBuffering: "none",
      },
    );
  },
});
