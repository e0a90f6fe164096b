/**
 * What the reference server does with one message, whatever the transport: it is the trigger
 * only when its bytes are exactly the trigger's, and it is shown in the log escaped
 * ({@linkcode escapeBytes}). Both stay cheap on the hot path: a message whose length differs
 * from the trigger's is rejected without looking at its bytes, the trigger's own text is worked
 * out once, and a short printable-ASCII message is shown as it is.
 *
 * @example
 * ```ts
 * import { MessageJudge } from "./messages.ts";
 * const judge = new MessageJudge(new TextEncoder().encode("Client Query"));
 * const enc = new TextEncoder();
 * if (!judge.isTrigger(enc.encode("Client Query"))) throw new Error("trigger");
 * if (judge.isTrigger(enc.encode("Client Query "))) throw new Error("near miss");
 * if (judge.show(enc.encode("a\0")) !== "a\\0") throw new Error("escaped");
 * ```
 * @module
 */

import { escapeBytes } from "../grader/text/bytes.ts";

/** The longest part of a message the log shows (head and tail of a longer one). */
export const SHOWN_BYTES = 256;

/** Printable ASCII except the backslash, which {@linkcode escapeBytes} escapes. */
const PLAIN = /^[\x20-\x5b\x5d-\x7e]*$/;
/** Invalid UTF-8 decodes to U+FFFD and a BOM is kept, both refused by {@linkcode PLAIN}, so such bytes are escaped. */
const decoder = new TextDecoder("utf-8", { ignoreBOM: true });

/** Tells the trigger from everything else, and shows a message for the log. */
export class MessageJudge {
  readonly #trigger: Uint8Array;
  readonly #shownTrigger: string;

  /** @param trigger the exact bytes of the trigger. */
  constructor(trigger: Uint8Array) {
    this.#trigger = trigger;
    this.#shownTrigger = escapeBytes(trigger, SHOWN_BYTES);
  }

  /** Whether `bytes` are exactly the trigger. */
  isTrigger(bytes: Uint8Array): boolean {
    const trigger = this.#trigger;
    if (bytes.length !== trigger.length) return false;
    for (let i = 0; i < trigger.length; i++) if (bytes[i] !== trigger[i]) return false;
    return true;
  }

  /** The message as the log shows it (escaped, long ones cut to head and tail). */
  show(bytes: Uint8Array, isTrigger = this.isTrigger(bytes)): string {
    if (isTrigger) return this.#shownTrigger;
    if (bytes.length <= 64) {
      const text = decoder.decode(bytes);
      if (PLAIN.test(text)) return text;
    }
    return escapeBytes(bytes, SHOWN_BYTES);
  }
}
