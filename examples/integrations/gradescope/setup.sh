#!/usr/bin/env bash
# Gradescope autograder setup for sockgrade: Gradescope runs this once, as root, when it builds
# the autograder image from the uploaded zip (unpacked in /autograder/source) on its Ubuntu base
# images (22.04 and 24.04). It installs the compilers and runtimes sockgrade grades with,
# bubblewrap, and Deno from its official release archive (checksum-checked; Ubuntu's own Node is
# too old for the deno npm package, and no Node is needed), then caches sockgrade's dependencies
# so that grading never downloads anything.
#
# Layout of the zip (see README.md; make_autograder_zip.sh builds it):
#   setup.sh  run_autograder  platform_results.ts  sockgrade/  [assignment.jsonc]
set -euo pipefail

SOURCE="${SOCKGRADE_SOURCE:-/autograder/source}"
SOCKGRADE="${SOCKGRADE_DIR:-$SOURCE/sockgrade}"
DENO_VERSION="${DENO_VERSION:-2.9.6}"

export DEBIAN_FRONTEND=noninteractive
apt-get update
# cc/c++/make (build-essential), python3, javac/java, unshare (util-linux), ip (iproute2),
# stdbuf (coreutils), bubblewrap; curl and unzip to fetch Deno.
apt-get install -y --no-install-recommends \
  build-essential python3 default-jdk-headless util-linux iproute2 coreutils bubblewrap \
  ca-certificates curl unzip

"$SOCKGRADE/examples/integrations/container/install_deno.sh" "$DENO_VERSION"

# Download and cache every dependency now (pinned by deno.lock); grading runs offline.
cd "$SOCKGRADE"
deno install --frozen
deno cache --frozen main.ts grader/run/worker_main.ts "$SOURCE/platform_results.ts"

# Smoke test: grade the reference solution's own sample, on loopback.
deno run -A main.ts grade examples/submissions/alice-c-correct --isolation none --quiet \
  --json /tmp/sockgrade-setup-check.json
echo "sockgrade is ready."
