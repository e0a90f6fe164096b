#!/usr/bin/env bash
# PrairieLearn external-grader entry point for sockgrade. PrairieLearn starts the grading
# container with /grade mounted: the student's files in /grade/student, and it reads
# /grade/results/results.json when this script ends. Set it as the question's
# "externalGradingOptions.entrypoint" (see README.md).
#
# Every path can be overridden (for a dry run on your own machine, or a test):
#   GRADE_ROOT           default /grade
#   STUDENT_DIR          default $GRADE_ROOT/student
#   RESULTS_DIR          default $GRADE_ROOT/results
#   SOCKGRADE_DIR        default /sockgrade (where the image keeps sockgrade; see Dockerfile)
#   SOCKGRADE_SPEC       default $GRADE_ROOT/tests/assignment.jsonc when that file exists
#   SOCKGRADE_ISOLATION  auto (default), netns or none
#   DENO                 the deno binary (default: deno on PATH)
#
# Grader faults: when sockgrade cannot grade at all (it exits non-zero or writes nothing), this
# script still writes results.json, with "gradable": false, so that PrairieLearn records no grade
# and does not use up the student's attempt. sockgrade itself also reports gradable: false when a
# check worth points could not be run by the grader.
set -uo pipefail

ROOT="${GRADE_ROOT:-/grade}"
STUDENT="${STUDENT_DIR:-$ROOT/student}"
RESULTS="${RESULTS_DIR:-$ROOT/results}"
SOCKGRADE="${SOCKGRADE_DIR:-/sockgrade}"
ISOLATION="${SOCKGRADE_ISOLATION:-auto}"
DENO="${DENO:-deno}"
SPEC="${SOCKGRADE_SPEC:-}"
if [ -z "$SPEC" ] && [ -f "$ROOT/tests/assignment.jsonc" ]; then SPEC="$ROOT/tests/assignment.jsonc"; fi

mkdir -p "$RESULTS"
results="$RESULTS/results.json"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
rm -f "$results"

# Prints stdin as a JSON string literal (colour codes and control characters dropped, except tab
# and newline).
json_string() {
  printf '"'
  LC_ALL=C sed -e 's/\x1b\[[0-9;]*[A-Za-z]//g' |
    LC_ALL=C tr -d '\000-\010\013\014\016-\037' |
    LC_ALL=C sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/\t/\\t/g' -e 's/\r//g' |
    awk 'BEGIN { ORS = "" } NR > 1 { print "\\n" } { print }'
  printf '"'
}

args=(grade "$STUDENT" --prairielearn "$results" --quiet --isolation "$ISOLATION")
if [ -n "$SPEC" ]; then args+=(--spec "$SPEC"); fi

export NO_COLOR=1
"$DENO" task --quiet --config "$SOCKGRADE/deno.json" "${args[@]}" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

if [ "$status" -eq 0 ] && [ -s "$results" ]; then
  exit 0
fi

{
  printf '{\n  "gradable": false,\n  "score": 0,\n  "message": '
  printf 'The autograder could not grade this submission (sockgrade exited with status %s). It does not count against you: submit again, and tell your teacher if this happens again.' "$status" | json_string
  printf ',\n  "output": '
  tail -n 40 "$log" | json_string
  printf ',\n  "tests": []\n}\n'
} >"$results"
echo "sockgrade could not grade (status $status); wrote a fault report to $results" >&2
exit 0
