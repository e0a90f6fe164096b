#!/usr/bin/env bash
# PrairieLearn external-grader entry point for sockgrade. PrairieLearn starts the grading
# container with /grade mounted: the student's files in /grade/student, the course's
# serverFilesCourse in /grade/serverFilesCourse, and it reads /grade/results/results.json when
# this script ends. Set it as the question's "externalGradingOptions.entrypoint" (see README.md).
#
# Every path can be overridden (for a dry run on your own machine, or a test):
#   GRADE_ROOT           default /grade
#   STUDENT_DIR          default $GRADE_ROOT/student
#   RESULTS_DIR          default $GRADE_ROOT/results
#   SOCKGRADE_DIR        default /sockgrade (where the image keeps sockgrade; see Dockerfile)
#   SOCKGRADE_SPEC       default $GRADE_ROOT/serverFilesCourse/sockgrade/assignment.jsonc, else
#                        $GRADE_ROOT/tests/assignment.jsonc, when that file exists
#   SOCKGRADE_ISOLATION  auto (default), netns or none
#   PLATFORM_RESULTS     the results writer (default: platform_results.ts beside this folder)
#   DENO                 the deno binary (default: deno on PATH)
#
# platform_results.ts writes results.json in every case: a check the grader could not run is left
# out of the score and graded once more; only when the retry fails too, or sockgrade cannot grade
# at all, is the result "gradable": false (no grade recorded, the attempt not used up).
set -uo pipefail

ROOT="${GRADE_ROOT:-/grade}"
STUDENT="${STUDENT_DIR:-$ROOT/student}"
RESULTS="${RESULTS_DIR:-$ROOT/results}"
SOCKGRADE="${SOCKGRADE_DIR:-/sockgrade}"
DENO="${DENO:-deno}"
SPEC="${SOCKGRADE_SPEC:-}"
for candidate in "$ROOT/serverFilesCourse/sockgrade/assignment.jsonc" "$ROOT/tests/assignment.jsonc"; do
  if [ -z "$SPEC" ] && [ -f "$candidate" ]; then SPEC="$candidate"; fi
done
WRITER="${PLATFORM_RESULTS:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/platform_results.ts}"

mkdir -p "$RESULTS"
args=(--platform prairielearn --sockgrade "$SOCKGRADE" --submission "$STUDENT"
  --out "$RESULTS/results.json" --isolation "${SOCKGRADE_ISOLATION:-auto}")
if [ -n "$SPEC" ]; then args+=(--spec "$SPEC"); fi

# sockgrade's own formatters are loaded with its import map; without one the writer still runs.
config=(--no-config)
if [ -f "$SOCKGRADE/deno.json" ]; then config=(--config "$SOCKGRADE/deno.json"); fi

export NO_COLOR=1
exec "$DENO" run -A "${config[@]}" "$WRITER" "${args[@]}"
