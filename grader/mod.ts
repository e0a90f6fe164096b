/**
 * sockgrade's grader as a library: grade submissions against a spec and get a `result@1`
 * value, the same one `deno task grade --json` writes. The stages live one folder each, in
 * pipeline order: `inputs/ → submission/ → sandbox/ → probes/ → checks/ → report/`, driven by
 * `run/` (see docs/ARCHITECTURE.md).
 *
 * @example
 * ```ts ignore
 * import { DEFAULT_SPEC, grade } from "./mod.ts";
 * const result = await grade([{ id: "alice", path: "examples/submissions/alice-c-correct" }], DEFAULT_SPEC);
 * console.log(result.submissions[0]?.score);
 * ```
 * @module
 */

export { grade } from "./run/grade.ts";
export type { GradeOptions, SubmissionRef } from "./run/grade.ts";
export { DEFAULT_SPEC, loadSpec, parseSpec, SpecError } from "./spec.ts";
export type { Spec } from "./spec.ts";
export type { CheckResult, CheckStatus, GradeResult, SubmissionResult } from "./result.ts";
export { GraderFailure, UsageError } from "./errors/usage_error.ts";
