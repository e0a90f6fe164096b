#!/usr/bin/env bash
# Builds the zip to upload as a Gradescope "Autograder" (Programming Assignment → Configure
# Autograder → Zip file upload). Run it from anywhere:
#
#   examples/integrations/gradescope/make_autograder_zip.sh [OUT.zip] [SPEC.jsonc]
#
# The zip holds setup.sh and run_autograder at its root, a copy of this sockgrade checkout in
# sockgrade/ (without .git, tests or caches), and the assignment spec as assignment.jsonc when
# one is given.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
out="$(realpath -m "${1:-autograder.zip}")"
spec="${2:-}"
command -v zip >/dev/null || { echo "make_autograder_zip: install zip first (apt-get install zip)." >&2; exit 1; }

stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
cp "$here/setup.sh" "$here/run_autograder" "$here/../platform_results.ts" "$stage/"
mkdir "$stage/sockgrade"
tar -C "$repo" --exclude=.git --exclude=node_modules --exclude=.cache --exclude=tests \
  --exclude='*.zip' -cf - . | tar -C "$stage/sockgrade" -xf -
if [ -n "$spec" ]; then cp "$spec" "$stage/assignment.jsonc"; fi
rm -f "$out"
(cd "$stage" && zip -qr "$out" .)
echo "wrote $out"
