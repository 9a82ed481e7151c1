#!/usr/bin/env bash
# Runs test files on the ASan+UBSan build of the addon (build-fuzz/gitcap.node, see build.sh):
# the sanitizer runtime is preloaded into node, any report fails the run.
#   test/fuzz/sanitized-tests.sh [test files...]   default: the model, inputs and convert tests
# GITCAP_SANITIZED=1 tells the tests; the few checks that cannot hold under ASan (RSS bounds, a
# fake ffmpeg killing itself with SIGSEGV) skip themselves, see test/sanitized.ts.
set -euo pipefail
cd "$(dirname "$0")/../.."
files=("$@")
((${#files[@]})) || files=(test/model/*.test.ts test/inputs/*.test.ts test/convert/*.test.ts)
runtime="$(clang --print-runtime-dir)/libclang_rt.asan-x86_64.so"
[[ -f $runtime ]] || { echo "no ASan runtime at $runtime (apt-get install libclang-rt-14-dev)" >&2; exit 1; }
[[ -f build-fuzz/gitcap.node ]] || bash test/fuzz/build.sh gitcap
# detect_leaks=0: node itself keeps allocations to exit; halt_on_error: the first report fails the run;
# max_allocation_size_mb: no reader may allocate 1 GiB at once for a small file (nothing here needs it)
GITCAP_SANITIZED=1 GITCAP_ADDON_PATH="$PWD/build-fuzz/gitcap.node" LD_PRELOAD="$runtime" \
  ASAN_OPTIONS=detect_leaks=0:halt_on_error=1:abort_on_error=1:max_allocation_size_mb=1024 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  node --import tsx --test --test-concurrency=1 "${files[@]}"
