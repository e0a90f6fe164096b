/**
 * What a program said about itself, in the line a student needs: the error line of its stderr
 * ({@linkcode errorLine}: the last line of a Python traceback, the exception of a Java stack
 * trace, else the first line) and a usage line it printed on stdout or stderr
 * ({@linkcode usageLine}). Pure: lines in, one line out.
 *
 * @example
 * ```ts
 * import { errorLine, usageLine } from "./program_says.ts";
 * const py = ["Traceback (most recent call last):", '  File "client.py", line 3, in <module>',
 *   "ConnectionRefusedError: [Errno 111] Connection refused"];
 * if (errorLine(py) !== "ConnectionRefusedError: [Errno 111] Connection refused") throw new Error();
 * const java = ['Exception in thread "main" java.net.ConnectException: Connection refused',
 *   "\tat java.base/sun.nio.ch.Net.connect0(Native Method)"];
 * if (errorLine(java) !== "java.net.ConnectException: Connection refused") throw new Error();
 * if (usageLine(["usage: ./client <ipaddress>"]) !== "usage: ./client <ipaddress>") throw new Error();
 * ```
 * @module
 */

import { escapeText } from "../text/bytes.ts";

/** How long a quoted line may be (escaped). */
const QUOTED = 160;

/** A Java stack trace's exception line: `Exception in thread "main" x.y.Z: message`. */
const JAVA_EXCEPTION = /^Exception in thread "[^"]*" (.+)$/;
/** A frame or continuation line of a Java stack trace. */
const JAVA_FRAME = /^(at |\.\.\. \d+ more|Caused by: )/;

/**
 * The line of `lines` (a program's stderr) that says what went wrong, trimmed, escaped and cut:
 * the last line of a Python traceback (`ConnectionRefusedError: …`), the exception of a Java
 * stack trace without its `Exception in thread "main"` prefix, else the first non-empty line.
 */
export function errorLine(lines: readonly string[]): string | undefined {
  const texts = lines.map((l) => l.trim()).filter((t) => t.length > 0);
  if (texts.length === 0) return undefined;
  const traceback = texts.findIndex((t) => t.startsWith("Traceback (most recent call last):"));
  if (traceback !== -1) {
    // The exception line is the first after the traceback's frames that is not indented code.
    const raw = lines.slice(lines.findIndex((l) => l.trim().startsWith("Traceback (")) + 1);
    const last = raw.find((l) => l.trim() !== "" && !/^\s/.test(l) && !l.startsWith("Traceback"));
    if (last !== undefined) return escapeText(last.trim(), QUOTED);
  }
  for (const t of texts) {
    const java = JAVA_EXCEPTION.exec(t);
    if (java) return escapeText(java[1]!, QUOTED);
  }
  const first = texts.find((t) => !JAVA_FRAME.test(t))!;
  return escapeText(first ?? texts[0]!, QUOTED);
}

/**
 * A usage line the program printed (`usage: ./client <ip>`, `Usage: java Client host port`),
 * from stdout and stderr in that order, trimmed, escaped and cut; undefined when there is none.
 */
export function usageLine(...streams: readonly (readonly string[])[]): string | undefined {
  for (const lines of streams) {
    const found = lines.map((l) => l.trim()).find((t) =>
      /^usage\b/i.test(t) || /\busage:/i.test(t)
    );
    if (found !== undefined) return escapeText(found, QUOTED);
  }
  return undefined;
}
