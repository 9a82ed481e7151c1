#!/usr/bin/env bash
# Builds build-fuzz/ with clang: every libFuzzer target (build-fuzz/fuzz/fuzz-*) and the addon
# (build-fuzz/gitcap.node), all of it (ggml too) with -fsanitize=address,undefined and coverage.
#   test/fuzz/build.sh [cmake targets...]     default: every fuzz target and the addon
set -euo pipefail
cd "$(dirname "$0")/../.."
targets=("$@")
((${#targets[@]})) || targets=(fuzz-image fuzz-jpeg fuzz-tokenizer fuzz-gguf gitcap)
if [[ ! -f build-fuzz/CMakeCache.txt ]]; then
  CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DGITCAP_FUZZ=ON -DGITCAP_ADDON=ON >/dev/null
fi
cmake --build build-fuzz --target "${targets[@]}"
