#!/usr/bin/env bash
# Builds the single executable (`deno task compile`) and grades the bundled samples with it while
# Deno is hidden (a private mount namespace with /dev/null bound over the deno binary), then checks
# that the correct samples got full marks. Run by .ci/run; usable by hand from the repository root.
#
# `deno compile` fetches Deno's runtime for executables (denort) on first use, or takes the one
# DENORT_BIN names. Where it can be neither fetched nor found, this says so in one line and exits
# 0 without checking the executable, unless SOCKGRADE_REQUIRE_EXECUTABLE=1 (then it fails).
set -euo pipefail
cd "$(dirname "$0")/.."

log=$(mktemp)
out=$(mktemp)
trap 'rm -f "$log" "$out"' EXIT

seconds() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

started=$(date +%s.%N)
if ! deno task compile >"$log" 2>&1; then
  if grep -q "denort" "$log" && [ "${SOCKGRADE_REQUIRE_EXECUTABLE:-0}" != 1 ]; then
    echo "executable: NOT CHECKED: deno compile could not get Deno's runtime for executables" \
      "(denort; set DENORT_BIN to a denort binary of Deno $(deno --version | head -1 | cut -d' ' -f2))"
    exit 0
  fi
  cat "$log"
  exit 1
fi
built=$(date +%s.%N)
echo "executable: built ./sockgrade ($(du -h sockgrade | cut -f1)) in $(seconds "$started" "$built") s"
test "$(./sockgrade --version)" = "$(deno eval 'console.log(JSON.parse(Deno.readTextFileSync("deno.json")).version)')"

# Deno hidden: the executable must grade with no deno to run (TypeScript submissions would then be
# `error`, not charged; the bundled samples are C and Python).
deno_bin=$(readlink -f "$(command -v deno)")
started=$(date +%s.%N)
unshare --user --map-root-user --mount --propagation private env DENO_BIN="$deno_bin" sh -c '
  mount --bind /dev/null "$DENO_BIN"
  if deno --version >/dev/null 2>&1; then echo "executable: deno is not hidden" >&2; exit 1; fi
  exec ./sockgrade grade --quiet --json -
' >"$out"
graded=$(date +%s.%N)
echo "executable: graded the bundled samples with Deno hidden in $(seconds "$started" "$graded") s"

deno eval --no-config '
  const result = JSON.parse(Deno.readTextFileSync(Deno.args[0]));
  const scores = Object.fromEntries(result.submissions.map((s) => [s.id, [s.score, s.maxScore]]));
  const full = (id) => scores[id] && scores[id][0] === scores[id][1];
  const problems = [];
  if (result.schema !== "sockgrade/result@1") problems.push(`schema ${result.schema}`);
  for (const id of ["alice-c-correct", "frank-python-correct"]) {
    if (!full(id)) problems.push(`${id} did not get full marks: ${JSON.stringify(scores[id])}`);
  }
  if (result.submissions.length !== 6) problems.push(`${result.submissions.length} submissions`);
  if (problems.length > 0) {
    console.error(`executable: ${problems.join("; ")}`);
    Deno.exit(1);
  }
  console.log(`executable: ${JSON.stringify(scores)}`);
' "$out"
