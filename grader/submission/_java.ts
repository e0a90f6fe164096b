/**
 * Reading just enough of a Java source file to start it: its `package` and the class that
 * declares `main` (which may differ from the file name, e.g. `server.java` declaring
 * `public class Server`). Private to `grader/submission/`.
 *
 * @module
 */

/** What a Java source file declares. */
export interface JavaSource {
  /** The package, e.g. `hw1.net`, or `undefined` for the default package. */
  packageName?: string;
  /** The class to start: the one that declares `main`, else the public one, else the first. */
  mainClass?: string;
  /** The top-level `public` type, when there is one (javac wants it in `<Name>.java`). */
  publicType?: string;
}

/** Replaces comments and string, text-block and char literals with spaces (offsets kept). */
export function stripJavaNoise(text: string): string {
  return text.replace(
    /\/\/[^\n]*|\/\*[\s\S]*?(?:\*\/|$)|"""[\s\S]*?(?:"""|$)|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'/g,
    (m) => m.replace(/[^\n]/g, " "),
  );
}

/** Reads the package and the class to start from a Java source text. */
export function readJavaSource(text: string, fileStem: string): JavaSource {
  const code = stripJavaNoise(text);
  const packageName = /^\s*package\s+([\w$]+(?:\s*\.\s*[\w$]+)*)\s*;/m.exec(code)?.[1]
    ?.replace(/\s+/g, "");
  const close = matchingBraces(code);
  const types: { name: string; at: number; end: number; isPublic: boolean; depth: number }[] = [];
  const typeRe =
    /\b((?:(?:public|protected|private|abstract|final|static|sealed|strictfp)\s+)*)(?:class|record|enum|interface)\s+([A-Za-z_$][\w$]*)/g;
  for (const m of code.matchAll(typeRe)) {
    const open = code.indexOf("{", m.index);
    const end = open < 0 ? code.length : close.get(open) ?? code.length;
    const depth = types.filter((t) => t.at < m.index && m.index < t.end).length;
    types.push({ name: m[2]!, at: m.index, end, isPublic: /\bpublic\b/.test(m[1]!), depth });
  }
  const topLevel = types.filter((t) => t.depth === 0);
  const publicType = topLevel.find((t) => t.isPublic)?.name;
  const mainAt = /\bstatic\s+(?:final\s+)?void\s+main\s*\(/.exec(code)?.index;
  let mainClass: string | undefined;
  if (mainAt !== undefined) {
    const enclosing = types.filter((t) => t.at < mainAt && mainAt < t.end);
    if (enclosing.length > 0) mainClass = enclosing.map((t) => t.name).join("$");
  }
  mainClass ??= publicType ??
    topLevel.find((t) => t.name.toLowerCase() === fileStem.toLowerCase())?.name ??
    topLevel[0]?.name;
  return {
    ...(packageName ? { packageName } : {}),
    ...(mainClass ? { mainClass } : {}),
    ...(publicType ? { publicType } : {}),
  };
}

/** Maps the offset of each `{` to the offset of its matching `}`. */
function matchingBraces(code: string): Map<number, number> {
  const pairs = new Map<number, number>();
  const open: number[] = [];
  for (let i = 0; i < code.length; i++) {
    if (code[i] === "{") open.push(i);
    else if (code[i] === "}") {
      const start = open.pop();
      if (start !== undefined) pairs.set(start, i);
    }
  }
  return pairs;
}
