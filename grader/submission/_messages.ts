/**
 * Turning compiler output into evidence and into one line a student understands: the first
 * error the compiler reported (`server.c:12:5: error: 'sockfd' undeclared`), from cc/c++, the
 * linker, javac, Python, Deno and make. Private to `grader/submission/`.
 *
 * @module
 */

/** The most compiler output kept as evidence (head and tail are kept). */
const MAX_OUTPUT_CHARS = 16_000;
/** Terminal colour and cursor codes (they start with ESC). */
// deno-lint-ignore no-control-regex
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;
/** Control characters other than newline and tab. */
// deno-lint-ignore no-control-regex
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f]/g;

/**
 * Makes compiler output fit for evidence: decoded as UTF-8 (invalid bytes replaced), colour
 * codes dropped, the workspace's absolute path removed (so paths read as in the submission),
 * control characters other than newline and tab escaped, cut to head and tail.
 */
export function cleanOutput(bytes: Uint8Array, workspace: string): string {
  let text = new TextDecoder().decode(bytes).replace(ANSI, "").replace(/\r\n/g, "\n");
  const root = workspace.replace(/\/+$/, "");
  text = text.split(`file://${root}/`).join("").split(`${root}/`).join("");
  text = text.replace(
    CONTROL,
    (c) =>
      c === "\r"
        ? "\\r"
        : c === "\0"
        ? "\\0"
        : `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`,
  );
  if (text.length > MAX_OUTPUT_CHARS) {
    const half = MAX_OUTPUT_CHARS / 2;
    text = `${text.slice(0, half)}\n…[${text.length - 2 * half} characters left out]…\n${
      text.slice(-half)
    }`;
  }
  return text.trimEnd();
}

const GCC_STYLE = /^(\S[^:\n]*):(\d+):(?:(\d+):)? (?:fatal )?error: (.*)$/;
const LINKER =
  /^(?:\S+?:)?\s*(\S+?):\(.*?\): (undefined reference to .*|multiple definition of .*)$/;
const LD_PLAIN = /^(?:\/\S*\/)?ld: (.*)$/;
const DENO_AT = /^\s+at (?:file:\/\/)?(\S+?):(\d+):(\d+)\s*$/;
const DENO_TS = /^(TS\d+) \[ERROR\]: (.*)$/;
const PY_FILE = /^\s*File "([^"]+)", line (\d+)/;
const PY_ERROR = /^((?:\w+\.)*\w*(?:Error|Exception|Warning)): ?(.*)$/;
const MAKE = /^(?:g?make)(?:\[\d+\])?: \*\*\* (.*)$/;

/** Shortens a message to one line of at most 300 characters. */
function oneLine(text: string): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > 300 ? `${line.slice(0, 297)}...` : line;
}

/**
 * The first error in compiler output, as one line, or `undefined` when there is none to name.
 * Tries, in order of appearance: `file:line:col: error:` (cc, c++, javac; javac's `symbol:` line
 * is appended), linker errors, Deno's syntax and type errors, a Python traceback's last error,
 * make's `***` line, then any line that says `error`.
 */
export function firstError(output: string): string | undefined {
  const lines = output.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const gcc = GCC_STYLE.exec(line);
    if (gcc) {
      const symbol = lines.slice(i + 1, i + 4).map((l) => /^\s*symbol:\s*(.*)$/.exec(l)?.[1])
        .find((s) => s !== undefined);
      return oneLine(symbol ? `${line} (symbol: ${symbol})` : line);
    }
    const link = LINKER.exec(line);
    if (link) return oneLine(`${link[1]}: ${link[2]}`);
    const ts = DENO_TS.exec(line);
    if (ts) {
      const at = lines.slice(i + 1, i + 8).map((l) => DENO_AT.exec(l)).find((m) => m);
      return oneLine(at ? `${at[1]}:${at[2]}:${at[3]}: ${ts[1]} ${ts[2]}` : `${ts[1]} ${ts[2]}`);
    }
    if (line.startsWith("error: ") && !line.startsWith("error: Type checking failed")) {
      const at = lines.slice(i + 1, i + 10).map((l) => DENO_AT.exec(l)).find((m) => m);
      const what = line.slice("error: ".length);
      return oneLine(at ? `${at[1]}:${at[2]}:${at[3]}: ${what}` : what);
    }
    const py = PY_FILE.exec(line);
    if (py) {
      const rest = lines.slice(i + 1);
      const errorAt = rest.findIndex((l) => PY_ERROR.test(l));
      if (errorAt >= 0) {
        const later = rest.slice(0, errorAt).map((l) => PY_FILE.exec(l)).filter((m) => m).at(-1);
        const where = later ?? py;
        const err = PY_ERROR.exec(rest[errorAt]!)!;
        return oneLine(`${where[1]}:${where[2]}: ${err[1]}${err[2] ? `: ${err[2]}` : ""}`);
      }
    }
    const ld = LD_PLAIN.exec(line);
    if (ld && !/^\S+: in function/.test(ld[1]!)) return oneLine(`ld: ${ld[1]}`);
    const make = MAKE.exec(line);
    if (make) return oneLine(`make: ${make[1]}`);
  }
  const any = lines.find((l) => /\berror\b/i.test(l) && !/^\s*\d+ errors?\b/.test(l));
  return any === undefined ? undefined : oneLine(any);
}

/** How many warnings compiler output reports (cc, c++, javac, Deno type check). */
export function countWarnings(output: string): number {
  return output.split("\n").filter((l) => /(^|: )warning: /.test(l)).length;
}
