/**
 * The `sockgrade/result@1` JSON (EXERCISE.md §5): pretty-printed, with a stable key order (the
 * order of the schema, catalogue order for per-check maps, then any other keys sorted), so two
 * runs over the same submissions give files that diff cleanly.
 *
 * @example
 * ```ts
 * import { formatJson } from "./json.ts";
 * import { sampleResult } from "./_sample_result.ts";
 * const text = formatJson(sampleResult());
 * if (JSON.parse(text).schema !== "sockgrade/result@1") throw new Error(text);
 * ```
 * @module
 */

import { CHECK_IDS } from "../checks/catalogue.ts";
import type { GradeResult } from "../result.ts";

const ORDER: Readonly<Record<string, readonly string[]>> = {
  result: [
    "schema",
    "spec",
    "isolation",
    "isolationReason",
    "environment",
    "startedAt",
    "durationMs",
    "shard",
    "submissions",
  ],
  spec: [
    "trigger",
    "response",
    "messages",
    "port",
    "serverAddress",
    "clientAddress",
    "strangerAddress",
    "framing",
    "timeouts",
    "points",
    "visibility",
  ],
  timeouts: ["buildMs", "startMs", "responseMs", "clientMs"],
  environment: ["id", "description", "lacks", "unsandboxed"],
  perCheck: CHECK_IDS,
  submission: [
    "id",
    "path",
    "language",
    "score",
    "maxScore",
    "durationMs",
    "isolation",
    "notes",
    "run",
    "checks",
  ],
  run: ["startedAt", "file", "shard"],
  check: ["id", "status", "points", "maxPoints", "message", "hint", "durationMs", "evidence"],
  evidence: ["stdout", "stderr", "exchanges"],
  exchange: ["label", "events"],
  event: ["atMs", "actor", "kind", "connection", "from", "to", "data", "size"],
};

/** Which key order applies to the value found under `key` inside an object of `kind`. */
function childKind(kind: string | undefined, key: string): string | undefined {
  switch (kind) {
    case "result":
      return key === "spec"
        ? "spec"
        : key === "submissions"
        ? "submission"
        : key === "environment"
        ? "environment"
        : undefined;
    case "spec":
      return key === "timeouts"
        ? "timeouts"
        : ["points", "visibility"].includes(key)
        ? "perCheck"
        : undefined;
    case "submission":
      return key === "checks" ? "check" : key === "run" ? "run" : undefined;
    case "check":
      return key === "evidence" ? "evidence" : undefined;
    case "evidence":
      return key === "exchanges" ? "exchange" : undefined;
    case "exchange":
      return key === "events" ? "event" : undefined;
    default:
      return undefined;
  }
}

function ordered(value: unknown, kind: string | undefined): unknown {
  if (Array.isArray(value)) return value.map((v) => ordered(v, kind));
  if (value === null || typeof value !== "object") return value;
  const record = value as Record<string, unknown>;
  const known = kind ? ORDER[kind] ?? [] : [];
  const keys = [
    ...known.filter((k) => k in record),
    ...Object.keys(record).filter((k) => !known.includes(k)).sort(),
  ];
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    if (record[key] !== undefined) out[key] = ordered(record[key], childKind(kind, key));
  }
  return out;
}

/** The result as `sockgrade/result@1` JSON: two-space indent, stable key order, final newline. */
export function formatJson(result: GradeResult): string {
  return JSON.stringify(ordered(result, "result"), null, 2) + "\n";
}
