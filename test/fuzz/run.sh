#!/usr/bin/env bash
# Runs one fuzz target for a given time and prints its execution count.
#   test/fuzz/run.sh <target> <seconds>       target: image jpeg tokenizer gguf (libFuzzer, native)
#                                                     safetensors zip pickle gguf-meta config preprocessor (Node)
#   test/fuzz/run.sh all <seconds>            every target in turn, <seconds> each
# GITCAP_FUZZ_SEED=<n> fixes the random seed (CI does, so that a run repeats the mutations of the
# last verified one; leave it unset to explore anew).
# Native targets are built on first use in build-fuzz/ (test/fuzz/build.sh: clang,
# -fsanitize=fuzzer,address,undefined);
# seeds come from test/fixtures (build-fuzz/seeds); the corpus grows in build-fuzz/corpus/<target>.
# A crashing, hanging or untyped-error input is kept in build-fuzz/findings/ and the script exits 1:
# minimize it, add it under test/fixtures/corrupt/ with a test, and fix the reader.
set -euo pipefail
cd "$(dirname "$0")/../.."

NATIVE_TARGETS=(image jpeg tokenizer gguf)
NODE_TARGETS=(safetensors zip pickle gguf-meta config preprocessor)
out=build-fuzz
target=${1:-}
seconds=${2:-}
if [[ -z $target || ! $seconds =~ ^[0-9]+$ ]]; then
  sed -n '2,10p' "$0"
  exit 2
fi

if [[ $target == all ]]; then
  status=0
  for t in "${NATIVE_TARGETS[@]}" "${NODE_TARGETS[@]}"; do "$0" "$t" "$seconds" || status=1; done
  exit $status
fi

if [[ ! -d $out/seeds ]]; then
  node --import tsx test/fuzz/make-seeds.ts "$out/seeds.tmp" >/dev/null
  mv "$out/seeds.tmp" "$out/seeds"
fi
mkdir -p "$out/findings"

if [[ " ${NATIVE_TARGETS[*]} " == *" $target "* ]]; then
  [[ -x $out/fuzz/fuzz-$target ]] || bash test/fuzz/build.sh "fuzz-$target" >/dev/null
  corpus=$out/corpus/$target
  mkdir -p "$corpus"
  log=$(mktemp)
  status=0
  # -timeout: one input running over 10 s (wall clock; raise GITCAP_FUZZ_TIMEOUT on a busy machine) is a
  # hang; -rss_limit_mb: over 2 GB is a finding too
  "$out/fuzz/fuzz-$target" "$corpus" "$out/seeds/$target" -max_total_time="$seconds" -timeout="${GITCAP_FUZZ_TIMEOUT:-10}" \
    ${GITCAP_FUZZ_SEED:+-seed="$GITCAP_FUZZ_SEED"} -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$out/findings/$target-" >"$log" 2>&1 || status=$?
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || true)
  if ((status != 0)); then
    grep -A30 -m1 -E 'ERROR|runtime error|Sanitizer|deadly signal|timeout' "$log" || tail -40 "$log"
  fi
  echo "$target: ${runs:-?} executions in $seconds s ($(find "$corpus" -type f | wc -l) corpus inputs), exit $status"
  rm -f "$log"
  exit $status
elif [[ " ${NODE_TARGETS[*]} " == *" $target "* ]]; then
  exec node --import tsx test/fuzz/node-fuzz.ts "$target" "$seconds" "$out/seeds/$target" "$out/findings"
else
  echo "unknown target $target (one of ${NATIVE_TARGETS[*]} ${NODE_TARGETS[*]}, or all)" >&2
  exit 2
fi
