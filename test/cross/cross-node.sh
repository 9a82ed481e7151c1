#!/usr/bin/env bash
# Prints the path of a Node.js binary for another platform, the same version as this machine's
# Node, from the npm registry's node-<platform> packages (`npm pack`, not a dependency), cached in
# .cache/cross-node/ (gitignored):
#   test/cross/cross-node.sh linux-arm64   -> .../bin/node      (runs under qemu-user)
#   test/cross/cross-node.sh win-x64       -> .../bin/node.exe  (runs under wine)
set -euo pipefail
platform=${1:?usage: cross-node.sh <linux-arm64|win-x64>}
repo=$(cd "$(dirname "$0")/../.." && pwd)
version=$(node -p 'process.versions.node')
dir="$repo/.cache/cross-node/node-$platform-$version"
binary="$dir/package/bin/node"
[[ $platform == win-* ]] && binary+=.exe
if [[ ! -x $binary ]]; then
  rm -rf "$dir"
  mkdir -p "$dir"
  (cd "$dir" && npm pack --silent "node-$platform@$version" >/dev/null && tar xzf ./*.tgz && rm ./*.tgz) >&2
  chmod +x "$binary"
fi
echo "$binary"
