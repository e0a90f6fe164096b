/**
 * Reads a byte stream as lines of UTF-8 text: the grader and its workers talk in one JSON
 * document per line.
 *
 * @example
 * ```ts
 * import { readLines } from "./_lines.ts";
 * const stream = new Blob(["a\nb\n", "c"]).stream();
 * const lines: string[] = [];
 * for await (const line of readLines(stream)) lines.push(line);
 * if (lines.join(",") !== "a,b,c") throw new Error(lines.join(","));
 * ```
 * @module
 */

/**
 * The lines of `stream` without their `\n`; a last line without one is yielded too. Each chunk
 * is scanned once, so a long line arriving in many chunks costs linear time.
 */
export async function* readLines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  let parts: string[] = [];
  for await (const text of stream.pipeThrough(new TextDecoderStream())) {
    let start = 0;
    let end: number;
    while ((end = text.indexOf("\n", start)) >= 0) {
      parts.push(text.slice(start, end));
      yield parts.join("");
      parts = [];
      start = end + 1;
    }
    if (start < text.length) parts.push(text.slice(start));
  }
  if (parts.length > 0) yield parts.join("");
}
