#!/usr/bin/env bash
# The win32-x64 prebuild on a Windows Node under wine (called by .ci/run after `npm run prebuild`;
# needs wine64): test/cross/smoke.ts with f32, q8_0 and q4_0. Wine's Node loses what it writes
# to a pipe, so its output goes to files and the result to a JSON file. No video: wine cannot
# start the Linux ffmpeg, and no Windows ffmpeg is available here.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
[[ -f prebuilds/win32-x64/gitcap.node ]] || { echo "run-wine: no prebuilds/win32-x64 (npm run prebuild)" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/gitcap-wine.XXXXXX")
trap 'rm -rf "$work"' EXIT

node_win=$(test/cross/cross-node.sh win-x64)
bash test/cross/build-smoke.sh "$work/ggufs"
export WINEPREFIX="$repo/.cache/wine-prefix" WINEDEBUG=-all GITCAP_FIXTURE_GGUF_DIR="$work/ggufs"
if [[ ! -f $WINEPREFIX/system.reg ]]; then
  wineboot --init >"$work/wineboot.log" 2>&1
  wine winecfg -v win10 >>"$work/wineboot.log" 2>&1
fi

start=$SECONDS
status=0
wine "$node_win" build/cross-js/test/cross/smoke.js --platform win32-x64 --out "$work/win32.json" \
  </dev/null >"$work/node.log" 2>&1 || status=$?
wineserver -w || true
node test/cross/print-result.mjs "$work/win32.json" "wine" "$((SECONDS - start))" || status=1
((status == 0)) || tail -n 40 "$work/node.log"
exit $status
