/**
 * Java: `javac -d <classes> -sourcepath <root> Server.java` into a class folder of its own per
 * side, then `java <fast-start flags> -cp <classes> [pkg.]Server` (the class that declares
 * `main`); `println` flushes by itself. A public class in a file named otherwise is compiled as
 * `<Class>.java` (javac wants it so).
 *
 * @module
 */

import { basename, dirname, join, posix, relative } from "node:path";
import { readJavaSource } from "../_java.ts";
import { built, builtMessage, failed, failure, missingTool, OUT_DIR, runSteps } from "../_steps.ts";
import { baseEnv } from "../_toolchain.ts";
import { language } from "./language.ts";

/** Options for the JVM that make a small program start fast (measured in build_test.ts). */
export const JAVA_FAST_START = ["-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto"];

/** Java's keywords, kept as written by copy detection. */
const JAVA_KEYWORDS: readonly string[] = [
  "abstract",
  "boolean",
  "break",
  "byte",
  "case",
  "catch",
  "char",
  "class",
  "continue",
  "default",
  "do",
  "double",
  "else",
  "extends",
  "false",
  "final",
  "finally",
  "float",
  "for",
  "if",
  "implements",
  "import",
  "instanceof",
  "int",
  "interface",
  "long",
  "new",
  "null",
  "package",
  "private",
  "protected",
  "public",
  "return",
  "short",
  "static",
  "super",
  "switch",
  "synchronized",
  "this",
  "throw",
  "throws",
  "true",
  "try",
  "var",
  "void",
  "while",
];

/** The Java row. */
export const JAVA = language({
  id: "java",
  name: "Java",
  extensions: [".java"],
  fileName: (side) => `${side[0]!.toUpperCase()}${side.slice(1)}.java`,
  tools: ["javac", "java"],
  onPath: true,
  cacheable: true,
  recipe: import.meta.url,
  lexicon: {
    keywords: JAVA_KEYWORDS,
    hashComment: false,
    slashComments: true,
    quotes: `"'`,
    triple: `"`,
  },
  manifest: { runtime: /^java$/, buffering: { lineBuffering: "none" } },
  async build(ctx, path, side) {
    const { javac, java } = ctx.tools.bin;
    if (!javac || !java) return missingTool(javac ? "java" : "javac", path);
    const cwd = join(ctx.dir, dirname(path));
    let file = basename(path);
    const stem = basename(file, ".java");
    let text: string;
    try {
      text = await Deno.readTextFile(join(cwd, file));
    } catch {
      text = "";
    }
    const source = readJavaSource(text, stem);
    if (source.publicType && source.publicType !== stem) {
      const wanted = `${source.publicType}.java`;
      const exists = await Deno.stat(join(cwd, wanted)).then(() => true, () => false);
      if (!exists) {
        await Deno.writeTextFile(join(cwd, wanted), text);
        ctx.notes.push(
          `${path} declares public class ${source.publicType}: compiled it as ${wanted} (javac wants the file named after the class)`,
        );
        file = wanted;
      }
    }
    const packagePath = source.packageName?.replaceAll(".", "/");
    const sourceRoot = packagePath && posix.dirname(path).endsWith(packagePath)
      ? join(ctx.dir, posix.dirname(path).slice(0, -packagePath.length))
      : cwd;
    // javac makes the class folder itself, as the program's user: one made here by the grader
    // after the workspace was handed to a dedicated user (E3) would be root's and unwritable.
    const classes = join(ctx.dir, OUT_DIR, `java-${side}`);
    const steps = await runSteps(
      ctx,
      [[
        javac,
        ...JAVA_FAST_START.map((o) => `-J${o}`),
        "-encoding",
        "UTF-8",
        "-d",
        relative(cwd, classes),
        "-sourcepath",
        relative(cwd, sourceRoot) || ".",
        file,
      ]],
      cwd,
      `javac ${file}`,
    );
    if (failed(steps)) return failure(ctx, steps, path);
    const main = source.mainClass ?? stem;
    const qualified = source.packageName ? `${source.packageName}.${main}` : main;
    return built(steps, builtMessage(`compiled ${path} (main class ${qualified})`, steps.output), {
      argv: [java, ...JAVA_FAST_START, "-cp", classes, qualified],
      cwd,
      env: baseEnv(ctx.tools, ctx.env.HOME!),
      lineBuffering: "none",
    });
  },
});
