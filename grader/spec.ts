/**
 * The assignment spec (EXERCISE.md §1): the built-in default is the article's homework; a teacher
 * may pass `--spec FILE` (JSON or JSONC) to change any part of it. The reference server, the
 * reference client and the grader all read the spec from here.
 *
 * @example
 * ```ts
 * import { DEFAULT_SPEC, parseSpec } from "./spec.ts";
 * const spec = parseSpec('{ "port": 7000 } // a comment', "assignment.jsonc");
 * if (spec.port !== 7000 || spec.trigger !== DEFAULT_SPEC.trigger) throw new Error("unexpected");
 * ```
 * @module
 */

import { z } from "zod";
import { isIP } from "node:net";
import { CHECK_IDS, type CheckId, DEFAULT_POINTS } from "./checks_catalogue.ts";
import { describeSchemaError, parseJsoncText } from "./jsonc.ts";
import { whyUnreadable } from "./read_error.ts";

/**
 * Who may see a check's result in student-facing reports: Gradescope's four test visibilities
 * (`after_published`: once the teacher publishes grades). Formats without per-check visibility
 * show only `visible` checks.
 */
export type Visibility = "visible" | "hidden" | "after_due_date" | "after_published";

/** Per-step time limits, in milliseconds. */
export interface Timeouts {
  /** Building one side (compiling both sides runs in parallel). */
  buildMs: number;
  /** A server to start listening. */
  startMs: number;
  /** A response line (or a sentinel's) to show up after its message was sent. */
  responseMs: number;
  /** A client to connect, send its messages and exit. */
  clientMs: number;
}

/** A complete, validated assignment spec. */
export interface Spec {
  /** The message that must make the server print. */
  trigger: string;
  /** The line the server prints for it. */
  response: string;
  /** What the client sends, in order, verbatim (the article's typo included). */
  messages: string[];
  /** The server's port. */
  port: number;
  /** Where the client connects (inside the private namespace). */
  serverAddress: string;
  /** The only address the server accepts. */
  clientAddress: string;
  /** An address that is not allowed, used by the address-filter probe (inside the namespace). */
  strangerAddress: string;
  /** How messages are delimited: `line` = ends at `\n` (a `\r` before it tolerated) or at close. */
  framing: "line";
  /** Per-step time limits. */
  timeouts: Timeouts;
  /** Points per check id (the default rubric totals 100). */
  points: Record<CheckId, number>;
  /** Visibility per check id in student-facing reports (default `visible`). */
  visibility: Record<CheckId, Visibility>;
}

/** The article's homework, as EXERCISE.md §1 states it. */
export const DEFAULT_SPEC: Readonly<Spec> = Object.freeze({
  trigger: "Client Query",
  response: "Receive Query",
  messages: ["Client Query test", "Cleint Query", "Client Query Quit"],
  port: 6666,
  serverAddress: "192.168.100.168",
  clientAddress: "192.168.100.2",
  strangerAddress: "192.168.100.3",
  framing: "line",
  timeouts: { buildMs: 20_000, startMs: 2_000, responseMs: 1_000, clientMs: 2_000 },
  points: { ...DEFAULT_POINTS },
  visibility: Object.fromEntries(CHECK_IDS.map((id) => [id, "visible"])) as Record<
    CheckId,
    Visibility
  >,
});

/** A spec that could not be read or is not valid; its message is one line a user can act on. */
export class SpecError extends Error {
  override name = "SpecError";
}

const oneLine = (what: string) =>
  z.string().refine((s) => !/[\r\n]/.test(s), `${what} must be a single line (no \\r or \\n)`);
/**
 * Why `s` cannot be one of the spec's addresses (a host's own unicast address), or undefined.
 *
 * @example
 * ```ts
 * import { addressProblem } from "./spec.ts";
 * if (addressProblem("192.168.100.168") !== undefined) throw new Error("a fine address");
 * if (!addressProblem("0.0.0.0")?.includes("any address")) throw new Error("0.0.0.0 refused");
 * ```
 */
export function addressProblem(s: string): string | undefined {
  const version = isIP(s);
  if (version === 0) return "must be an IPv4 or IPv6 address";
  if (version === 4) {
    const [a, b, c, d] = s.split(".").map(Number) as [number, number, number, number];
    if (a === 0) {
      return `${s} is not an address a host can have (0.0.0.0 means "any address"): give the server's own address, e.g. 192.168.100.168`;
    }
    if (a >= 224 && a <= 239) return `${s} is a multicast address: give a unicast address`;
    if (a === 255 && b === 255 && c === 255 && d === 255) {
      return `${s} is the broadcast address: give a unicast address`;
    }
    if (a >= 240) return `${s} is a reserved address: give a unicast address`;
    return undefined;
  }
  const lower = s.toLowerCase();
  if (/^[0:]+$/.test(lower)) {
    return `${s} is the unspecified address (it means "any address"): give the server's own address`;
  }
  if (lower.startsWith("ff")) return `${s} is a multicast address: give a unicast address`;
  return undefined;
}

const address = z.string().superRefine((s, ctx) => {
  const problem = addressProblem(s);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});
const ms = z.number().int().positive().max(600_000);
const checkId = z.enum(CHECK_IDS);

export const specSchema = z.strictObject({
  $schema: z.string().optional(),
  trigger: oneLine("the trigger").pipe(z.string().min(1, "must not be empty")).optional(),
  response: oneLine("the response").pipe(z.string().min(1, "must not be empty")).optional(),
  messages: z.array(oneLine("each message")).min(1, "must list at least one message").optional(),
  port: z.number().int().min(1).max(65535).optional(),
  serverAddress: address.optional(),
  clientAddress: address.optional(),
  strangerAddress: address.optional(),
  framing: z.literal("line").optional(),
  timeouts: z.strictObject({
    buildMs: ms.optional(),
    startMs: ms.optional(),
    responseMs: ms.optional(),
    clientMs: ms.optional(),
  }).optional(),
  points: z.partialRecord(checkId, z.number().min(0).max(1000)).optional(),
  visibility: z.partialRecord(
    checkId,
    z.enum(["visible", "hidden", "after_due_date", "after_published"]),
  )
    .optional(),
});

/** Validates a parsed JSON value as a spec and fills in defaults. */
export function specFromValue(value: unknown, source = "the spec"): Spec {
  const result = specSchema.safeParse(value);
  if (!result.success) {
    const problem = describeSchemaError(result.error, "see the spec fields in the README");
    throw new SpecError(`${source}: ${problem}. Fix the spec and run again.`);
  }
  const s = result.data;
  const spec: Spec = {
    ...structuredClone(DEFAULT_SPEC),
    ...Object.fromEntries(
      Object.entries(s).filter(([k, v]) =>
        v !== undefined && !["$schema", "timeouts", "points", "visibility"].includes(k)
      ),
    ),
  } as Spec;
  spec.timeouts = { ...DEFAULT_SPEC.timeouts, ...stripUndefined(s.timeouts ?? {}) };
  spec.points = { ...DEFAULT_SPEC.points, ...stripUndefined(s.points ?? {}) };
  spec.visibility = { ...DEFAULT_SPEC.visibility, ...stripUndefined(s.visibility ?? {}) };
  if (new Set([spec.serverAddress, spec.clientAddress, spec.strangerAddress]).size < 3) {
    throw new SpecError(
      `${source}: serverAddress, clientAddress and strangerAddress must be three different addresses (they are ${spec.serverAddress}, ${spec.clientAddress} and ${spec.strangerAddress}). Fix the spec and run again.`,
    );
  }
  return spec;
}

function stripUndefined<T extends object>(o: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]: Exclude<T[K], undefined>;
  };
}

/** Parses JSON or JSONC text as a spec; `source` names it in error messages. */
export function parseSpec(text: string, source = "the spec"): Spec {
  if (text.trim() === "") {
    throw new SpecError(`${source}: the file is empty. Write a JSON object or leave out --spec.`);
  }
  const parsed = parseJsoncText(text);
  if (!parsed.ok) {
    throw new SpecError(
      `${source}:${parsed.where}: not valid JSON (${parsed.why}). Fix the spec and run again.`,
    );
  }
  return specFromValue(parsed.value, source);
}

/** Reads and validates a spec file (JSON or JSONC); errors are {@linkcode SpecError}s. */
export async function loadSpec(path: string): Promise<Spec> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    throw new SpecError(
      `Cannot read the spec file ${path}: ${whyUnreadable(error)}. Check the --spec path.`,
    );
  }
  return parseSpec(text, path);
}
