#!/usr/bin/env bash
# Prepares test/cross/smoke.ts for another platform's Node: compiles it to JavaScript in
# build/cross-js (that Node has no TypeScript loader), links the fixtures where the compiled
# tests look for them, and converts the fixture models to GGUF into <folder> on this machine.
#   test/cross/build-smoke.sh <gguf folder>
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
rm -rf build/cross-js
npx tsc -p test/cross/tsconfig.json
ln -s ../../../test/fixtures build/cross-js/test/fixtures
node --import tsx test/cross/prepare-ggufs.ts "${1:?usage: build-smoke.sh <gguf folder>}"
