#!/usr/bin/env bash
# The linux-arm64 prebuild on an arm64 Node under qemu-user (called by .ci/run after
# `npm run prebuild`; needs qemu-user-static and the arm64 C library of g++-aarch64-linux-gnu):
# test/cross/smoke.ts on three emulated CPUs, one per kind of kernel ggml picks:
#   max         (SVE2 and I8MM; SVE 256 bits wide, as on Graviton 3)  ggml's armv8.6 variant,
#               q8_0/q4_0 in its I8MM layouts
#   cortex-a76  (Raspberry Pi 5, Graviton 2)  the armv8.2 fp16 variant, the SDOT layouts
#   cortex-a53  (Raspberry Pi 3/4)            the armv8.0 variant, no repacking
# Speed means nothing here (qemu is ~100x slower than the host): only results are checked.
#   GITCAP_QEMU_CPUS="max cortex-a76"   run only these
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
[[ -f prebuilds/linux-arm64/gitcap.node ]] || { echo "run-qemu: no prebuilds/linux-arm64 (npm run prebuild)" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/gitcap-qemu.XXXXXX")
trap 'rm -rf "$work"' EXIT

node_arm64=$(test/cross/cross-node.sh linux-arm64)
bash test/cross/build-smoke.sh "$work/ggufs"
export QEMU_LD_PREFIX=/usr/aarch64-linux-gnu GITCAP_FIXTURE_GGUF_DIR="$work/ggufs"

# run_cpu <qemu cpu> <smoke.js options...>
run_cpu() {
  local cpu=$1 start=$SECONDS status=0
  shift
  QEMU_CPU=$cpu qemu-aarch64-static "$node_arm64" build/cross-js/test/cross/smoke.js \
    --platform linux-arm64 --out "$work/${cpu%%,*}.json" "$@" || status=$?
  node test/cross/print-result.mjs "$work/${cpu%%,*}.json" "qemu $cpu" "$((SECONDS - start))" || status=1
  return $status
}

failed=0
for cpu in ${GITCAP_QEMU_CPUS:-max cortex-a76 cortex-a53}; do
  case $cpu in
    max) run_cpu max,sve-default-vector-length=32 --variant armv8.6_2 --kernel ggml-repack --video || failed=1 ;;
    cortex-a76) run_cpu cortex-a76 --variant armv8.2_2 --kernel ggml-repack --video || failed=1 ;;
    cortex-a53) run_cpu cortex-a53 --variant armv8.0_1 --kernel ggml || failed=1 ;;
    *) run_cpu "$cpu" || failed=1 ;;
  esac
done
exit $failed
