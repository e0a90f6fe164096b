#!/usr/bin/env bash
# Installs a pinned Deno from its official release archive (GitHub releases of denoland/deno),
# checked against the release's own SHA-256 file, into /usr/local/bin. No Node or npm is involved:
# the distributions' Node is too old for the deno npm package on Gradescope's Ubuntu images, and
# NodeSource would be one more third-party apt source to trust. Needs curl, unzip and sha256sum.
#
#   install_deno.sh [VERSION]     (default: $DENO_VERSION, else 2.9.6)
set -euo pipefail

version="${1:-${DENO_VERSION:-2.9.6}}"
case "$(uname -m)" in
  x86_64 | amd64) target=x86_64-unknown-linux-gnu ;;
  aarch64 | arm64) target=aarch64-unknown-linux-gnu ;;
  *)
    echo "install_deno: no Deno release for $(uname -m); install Deno $version by hand." >&2
    exit 1
    ;;
esac
base="https://github.com/denoland/deno/releases/download/v${version}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
curl -fsSL --retry 3 -o "$work/deno.zip" "$base/deno-${target}.zip"
curl -fsSL --retry 3 -o "$work/deno.zip.sha256sum" "$base/deno-${target}.zip.sha256sum"
expected="$(grep -oE '[0-9a-f]{64}' "$work/deno.zip.sha256sum" | head -n 1)"
actual="$(sha256sum "$work/deno.zip" | cut -d' ' -f1)"
if [ -z "$expected" ] || [ "$expected" != "$actual" ]; then
  echo "install_deno: the download does not match its published SHA-256; not installing." >&2
  exit 1
fi
unzip -q -o "$work/deno.zip" -d "$work"
install -m 0755 "$work/deno" /usr/local/bin/deno
deno --version
