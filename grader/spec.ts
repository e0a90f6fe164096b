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
import { CHECK_IDS, type CheckId, DEFAULT_POINTS } from "./checks/catalogue.ts";
import { describeSchemaError, parseJsoncText } from "./text/jsonc.ts";
import { whyUnreadable } from "./text/read_error.ts";

/**
 * Who may see a check's result in student-facing reports: Gradescope's four test visibilities
 * (`after_published`: once the teacher publishes grades). Formats without per-check visibility
 * show only `visible` checks.
 */
export type Visibility = "visible" | "hidden" | "after_due_date" | "after_published";

/**
 * The sockets the exercise is written for (EXERCISE.md §6): `tcp` (the article's homework), `udp`,
 * and Unix-domain `unix-stream` and `unix-dgram`. IPv6 is chosen by the spec's addresses.
 */
export const TRANSPORTS = ["tcp", "udp", "unix-stream", "unix-dgram"] as const;

/** One of {@linkcode TRANSPORTS}. */
export type Transport = typeof TRANSPORTS[number];

/** Whether `transport` uses IP addresses and a port (else Unix-domain socket paths). */
export function isIpTransport(transport: Transport): transport is "tcp" | "udp" {
  return transport === "tcp" || transport === "udp";
}

/** Whether `transport` carries datagrams (else a byte stream). */
export function isDatagramTransport(transport: Transport): transport is "udp" | "unix-dgram" {
  return transport === "udp" || transport === "unix-dgram";
}

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
  /** The socket type the programs use (EXERCISE.md §6). */
  transport: Transport;
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
  /**
   * Unix-domain transports: the server's socket path, relative to a private folder of the run
   * (the programs are given it resolved, see {@linkcode resolveSocketPath}).
   */
  serverPath: string;
  /** Unix-domain transports: the path the allowed client binds (the server accepts only it). */
  clientPath: string;
  /** Unix-domain transports: a path that is not allowed, bound by the address-filter probe. */
  strangerPath: string;
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
  transport: "tcp",
  trigger: "Client Query",
  response: "Receive Query",
  messages: ["Client Query test", "Cleint Query", "Client Query Quit"],
  port: 6666,
  serverAddress: "192.168.100.168",
  clientAddress: "192.168.100.2",
  strangerAddress: "192.168.100.3",
  serverPath: "server.sock",
  clientPath: "client.sock",
  strangerPath: "stranger.sock",
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
  if (/^fe[89ab]/.test(lower)) {
    return `${s} is a link-local address (it needs an interface scope): give a global or unique-local address, e.g. fd00::168`;
  }
  if (/^(?:0{0,4}:){0,4}:?(?:0{0,4}:)?ffff:\d/.test(lower) && lower.includes(".")) {
    return `${s} is an IPv4 address written as IPv6: write it as ${
      s.slice(s.lastIndexOf(":") + 1)
    }`;
  }
  return undefined;
}

/**
 * The longest socket path, in bytes, that fits a `sockaddr_un` (108 bytes, with a final NUL).
 */
export const MAX_SOCKET_PATH_BYTES = 107;

/**
 * Why `s` cannot be one of the spec's socket paths, or undefined. A path is relative to a private
 * folder of the run and stays inside it: no leading `/`, no `.` or `..` part, no NUL or newline,
 * no leading `@` (Linux's abstract names are not files the grader can clean up).
 *
 * @example
 * ```ts
 * import { socketPathProblem } from "./spec.ts";
 * if (socketPathProblem("server.sock") !== undefined) throw new Error("a fine path");
 * if (!socketPathProblem("/tmp/s.sock")?.includes("relative")) throw new Error("absolute refused");
 * ```
 */
export function socketPathProblem(s: string): string | undefined {
  if (s === "") return "must not be empty: give a file name such as server.sock";
  if (/[\0\r\n]/.test(s)) return "must not contain a NUL, \\r or \\n: give a plain file name";
  if (s.startsWith("/")) {
    return `${s} is absolute: give a path relative to the run's private folder, e.g. ${
      s.slice(s.lastIndexOf("/") + 1) || "server.sock"
    }`;
  }
  if (s.startsWith("@")) {
    return `${s} is an abstract socket name: give a file name such as server.sock`;
  }
  if (s.split("/").some((part) => part === "" || part === "." || part === "..")) {
    return `${s} leaves or repeats a folder: give a path inside the run's private folder, e.g. server.sock`;
  }
  if (new TextEncoder().encode(s).length > MAX_SOCKET_PATH_BYTES - 40) {
    return `${s} is too long for a socket address once under the run's folder: give at most ${
      MAX_SOCKET_PATH_BYTES - 40
    } bytes`;
  }
  return undefined;
}

/**
 * The absolute socket path for a spec path under the run's private folder `folder`. Throws a
 * {@linkcode SpecError} when the result does not fit a socket address.
 *
 * @example
 * ```ts
 * import { resolveSocketPath } from "./spec.ts";
 * if (resolveSocketPath("/tmp/run1", "server.sock") !== "/tmp/run1/server.sock") throw new Error();
 * ```
 */
export function resolveSocketPath(folder: string, path: string): string {
  const problem = socketPathProblem(path);
  if (problem) throw new SpecError(`Socket path ${JSON.stringify(path)}: ${problem}.`);
  const full = `${folder.replace(/\/+$/, "")}/${path}`;
  const bytes = new TextEncoder().encode(full).length;
  if (bytes > MAX_SOCKET_PATH_BYTES) {
    throw new SpecError(
      `The socket path ${full} is ${bytes} bytes, more than a socket address holds (${MAX_SOCKET_PATH_BYTES}): give a shorter serverPath, clientPath or strangerPath, or a shorter temporary folder (TMPDIR).`,
    );
  }
  return full;
}

const address = z.string().superRefine((s, ctx) => {
  const problem = addressProblem(s);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});
const socketPath = z.string().superRefine((s, ctx) => {
  const problem = socketPathProblem(s);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});
const ms = z.number().int().positive().max(600_000);
const checkId = z.enum(CHECK_IDS);

export const specSchema = z.strictObject({
  $schema: z.string().optional(),
  transport: z.enum(TRANSPORTS, {
    error: `must be one of ${TRANSPORTS.map((t) => `"${t}"`).join(", ")} (default "tcp")`,
  }).optional(),
  trigger: oneLine("the trigger").pipe(z.string().min(1, "must not be empty")).optional(),
  response: oneLine("the response").pipe(z.string().min(1, "must not be empty")).optional(),
  messages: z.array(oneLine("each message")).min(1, "must list at least one message").optional(),
  port: z.number().int().min(1).max(65535).optional(),
  serverAddress: address.optional(),
  clientAddress: address.optional(),
  strangerAddress: address.optional(),
  serverPath: socketPath.optional(),
  clientPath: socketPath.optional(),
  strangerPath: socketPath.optional(),
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
  const families = [spec.serverAddress, spec.clientAddress, spec.strangerAddress].map(isIP);
  if (new Set(families).size > 1) {
    throw new SpecError(
      `${source}: serverAddress, clientAddress and strangerAddress must all be IPv4 or all IPv6 (they are ${spec.serverAddress}, ${spec.clientAddress} and ${spec.strangerAddress}). Fix the spec and run again.`,
    );
  }
  if (new Set([spec.serverPath, spec.clientPath, spec.strangerPath]).size < 3) {
    throw new SpecError(
      `${source}: serverPath, clientPath and strangerPath must be three different paths (they are ${spec.serverPath}, ${spec.clientPath} and ${spec.strangerPath}). Fix the spec and run again.`,
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
