#!/usr/bin/env bash
# Proves that the npm package installs for a user (called by .ci/run; slow, so not in npm test):
#   1. `npm pack` -> gitcap-<version>.tgz; prepack compiles the TypeScript and builds the portable
#      prebuilds (prebuilds/{linux-x64,linux-arm64,win32-x64}/: gitcap.node, ggml's libraries, the
#      CPU variants; incremental after `npm run prebuild`). Each is checked portable again from
#      the tarball (native/scripts/check-prebuild.mjs), and the unpacked size must stay under
#      60 MiB (one package for every platform).
#   2. Installed into an empty project with only node, npm and sh on PATH (no cmake, no compiler):
#      the install script finds that the prebuild loads, `import('gitcap')` loads it, and no build
#      tool was downloaded (cmake-js is fetched by the install script only when it builds).
#   3. The same with --ignore-scripts: the prebuild needs no install script at all.
#   4. The tarball without prebuilds/, installed with a compiler present: the install script
#      builds the addon from source (cmake-js) and that build is loaded.
# npm_config_nodedir points nowhere in the installs: the build must take its Node-API headers
# from node-api-headers, not from a nodedir that a developer's npmrc may set.
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/gitcap-pack.XXXXXX")
trap 'rm -rf "$work"' EXIT
platform=$(node -p 'process.platform + "-" + process.arch')

fail() {
  echo "pack-install: FAIL: $*" >&2
  exit 1
}
timed() { # timed <label> <command...>
  local label=$1 start=$SECONDS
  shift
  "$@"
  echo "pack-install: $label took $((SECONDS - start))s"
}

# --- 1. pack ----------------------------------------------------------------------------------
echo "pack-install: npm pack (TypeScript build + portable prebuild for $platform)"
rm -rf "$repo/prebuilds"
(cd "$repo" && timed "npm pack" npm pack --pack-destination "$work" >"$work/pack.log" 2>&1) || {
  tail -n 60 "$work/pack.log"
  fail "npm pack failed (log above)"
}
grep 'took' "$work/pack.log" || true
tarballs=("$work"/gitcap-*.tgz)
tarball=${tarballs[0]}
[[ -f $tarball ]] || fail "npm pack made no tarball"
tar tzf "$tarball" >"$work/contents.txt"
for f in package/package.json package/README.md package/LICENSE package/CMakeLists.txt \
  package/dist/lib/index.js package/dist/lib/index.d.ts package/dist/lib/cli/main.js \
  package/native/addon/addon.cpp package/native/ggml/CMakeLists.txt \
  "package/prebuilds/$platform/gitcap.node"; do
  grep -qxF "$f" "$work/contents.txt" || fail "$f is not in the tarball"
done
if [[ $platform == linux-x64 ]]; then
  for f in linux-x64/libggml.so linux-x64/libggml-base.so linux-x64/libggml-cpu-x64.so linux-x64/libggml-cpu-haswell.so \
    linux-arm64/gitcap.node linux-arm64/libggml.so linux-arm64/libggml-base.so linux-arm64/libggml-cpu-armv8.0_1.so \
    win32-x64/gitcap.node win32-x64/ggml.dll win32-x64/ggml-base.dll win32-x64/ggml-cpu-x64.dll; do
    grep -qxF "package/prebuilds/$f" "$work/contents.txt" || fail "prebuilds/$f is not in the tarball"
  done
  mkdir "$work/unpacked"
  tar xzf "$tarball" -C "$work/unpacked"
  for target in linux-x64:'' linux-arm64:aarch64-linux-gnu- win32-x64:x86_64-w64-mingw32-; do
    node "$work/unpacked/package/native/scripts/check-prebuild.mjs" "$work/unpacked/package/prebuilds/${target%%:*}" \
      "${target%%:*}" "${target#*:}" || fail "prebuilds/${target%%:*} in the tarball is not portable"
  done
  for dir in "$work/unpacked/package/prebuilds"/*/; do
    echo "pack-install: prebuilds/$(basename "$dir"): $(du -sk "$dir" | cut -f1) KiB unpacked"
  done
  unpacked_kib=$(du -sk "$work/unpacked/package" | cut -f1)
  echo "pack-install: unpacked package: $unpacked_kib KiB"
  ((unpacked_kib < 60 * 1024)) || fail "the unpacked package is over 60 MiB: split the prebuilds into per-platform packages"
  rm -rf "$work/unpacked"
fi
if grep -E '^package/(build|test|node_modules|\.ci)/' "$work/contents.txt"; then
  fail "the tarball holds build output or development files (above)"
fi
echo "pack-install: $(basename "$tarball"): $(du -k "$tarball" | cut -f1) KiB, $(wc -l <"$work/contents.txt") files; prebuilds:"
grep "^package/prebuilds/" "$work/contents.txt" | sed 's/^/  /'

# PATH with node, npm and sh only: nothing to compile with.
bare="$work/bare-bin"
mkdir -p "$bare"
for tool in node npm npx sh; do ln -s "$(command -v "$tool")" "$bare/$tool"; done
for tool in cmake g++ c++ gcc cc make ninja; do
  if PATH=$bare command -v "$tool" >/dev/null 2>&1; then fail "$tool is on the bare PATH"; fi
done
export npm_config_nodedir="$work/no-such-nodedir"

new_project() { # new_project <name>: an empty npm project; prints its folder
  local dir="$work/$1"
  mkdir -p "$dir"
  printf '{ "name": "%s", "version": "1.0.0", "private": true, "type": "module" }\n' "$1" >"$dir/package.json"
  echo "$dir"
}

# check_load <project> <PATH> <regex the loaded binary's path must match> <portable: true|false>
check_load() {
  local dir=$1 path=$2 where=$3 portable=$4
  (
    cd "$dir"
    PATH=$path node -e "import('gitcap').then(m => console.log(Object.keys(m).sort().join(' ')))" >"$work/keys.txt"
    grep -qw info "$work/keys.txt" && grep -qw GitcapError "$work/keys.txt" ||
      fail "import('gitcap') exports: $(cat "$work/keys.txt")"
    echo "pack-install: import('gitcap') -> $(cat "$work/keys.txt")"
    PATH=$path node --input-type=module -e "
      import { info } from 'gitcap';
      const i = info();
      if (!new RegExp(process.argv[1]).test(i.addonPath)) throw new Error('loaded ' + i.addonPath + ', expected ' + process.argv[1]);
      if (String(i.portable) !== process.argv[2]) throw new Error('portable is ' + i.portable);
      if (!i.backends.includes('CPU')) throw new Error('no CPU backend: ' + i.backends);
    " "$where" "$portable"
    PATH=$path npx --no-install gitcap info
  ) || fail "$(basename "$dir"): the package does not load as expected"
}

# --- 2. prebuild, install scripts on, no compiler ---------------------------------------------
dir=$(new_project with-prebuild)
echo "pack-install: install into $(basename "$dir") with PATH=$bare"
(cd "$dir" && PATH=$bare timed "install (prebuild)" npm install --no-audit --no-fund "$tarball") || fail "install with the prebuild failed"
[[ ! -e $dir/node_modules/gitcap/build ]] || fail "the install compiled something although the prebuild loads"
[[ ! -e $dir/node_modules/cmake-js ]] || fail "the install downloaded cmake-js although the prebuild loads"
echo "pack-install: installed gitcap and $( (cd "$dir" && PATH=$bare npm ls --all --parseable 2>/dev/null) | tail -n +3 | wc -l) dependencies: $(ls "$dir/node_modules" | tr '\n' ' ')"
check_load "$dir" "$bare" "/node_modules/gitcap/prebuilds/$platform/" true

# --- 3. prebuild, no install script ---------------------------------------------------------
dir=$(new_project no-scripts)
echo "pack-install: install into $(basename "$dir") with --ignore-scripts"
(cd "$dir" && PATH=$bare timed "install --ignore-scripts" npm install --no-audit --no-fund --ignore-scripts "$tarball") || fail "install --ignore-scripts failed"
check_load "$dir" "$bare" "/node_modules/gitcap/prebuilds/$platform/" true

# --- 4. no prebuild: source build ------------------------------------------------------------
mkdir "$work/repack"
tar xzf "$tarball" -C "$work/repack"
rm -rf "$work/repack/package/prebuilds"
source_tarball="$work/gitcap-source-only.tgz"
tar czf "$source_tarball" -C "$work/repack" package
dir=$(new_project source-build)
echo "pack-install: install the tarball without prebuilds/ into $(basename "$dir") (builds from source)"
(cd "$dir" && timed "install (source build)" npm install --no-audit --no-fund --foreground-scripts "$source_tarball" >"$work/source-build.log" 2>&1) || {
  tail -n 60 "$work/source-build.log"
  fail "the source-build install failed (log above)"
}
grep 'took' "$work/source-build.log" || true
[[ -f $dir/node_modules/gitcap/build/Release/gitcap.node ]] || fail "no build/Release/gitcap.node after the source build"
check_load "$dir" "$bare" "/node_modules/gitcap/build/Release/gitcap\\.node$" false

echo "pack-install: all passed"
