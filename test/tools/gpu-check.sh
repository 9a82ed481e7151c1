#!/usr/bin/env bash
# CUDA check, for a machine with an NVIDIA GPU, nvcc, the cuBLAS pip wheel (nvidia-cublas) and
# transformers: builds the C++ library with the CUDA backend (gitcap-caption, no Node needed),
# runs every golden case on the GPU and compares with the goldens.
# The converted tiny GGUFs come in $CARRY. (Beam-search goldens: test/tools/hf_beam_goldens.py.)
#   CARRY=build-dev/gpu-carry OUT=/tmp/out bash test/tools/gpu-check.sh
set -uo pipefail
CARRY=${CARRY:-build-dev/gpu-carry}
OUT=${OUT:-/tmp/gpu-check}
mkdir -p "$OUT"
exec > >(tee "$OUT/log.txt") 2>&1
nvidia-smi -L

# cuBLAS: in the toolkit, or else from the pip wheel, joined to the toolkit in a folder of links
TK=/usr/local/cuda
CUBLAS=$(python3 -c "import nvidia.cublas as c; print(list(c.__path__)[0])" 2>/dev/null || true)
if [ ! -e "$TK/include/cublas_v2.h" ] && [ -n "$CUBLAS" ]; then
  TK=/tmp/cuda-toolkit
  rm -rf "$TK" && mkdir -p "$TK" && cp -as /usr/local/cuda/. "$TK/"
  ln -sf "$CUBLAS"/include/* "$TK/include/"
  for lib in "$CUBLAS"/lib/*.so*; do ln -sf "$lib" "$TK/lib64/"; done
  ( cd "$TK/lib64" && for so in libcublas libcublasLt; do [ -e $so.so ] || ln -sf $(ls $so.so.* | head -1) $so.so; done )
  export LD_LIBRARY_PATH="$CUBLAS/lib:${LD_LIBRARY_PATH:-}"
fi

time cmake -S . -B build-cuda -G Ninja -DCMAKE_BUILD_TYPE=Release -DGITCAP_ADDON=OFF -DGITCAP_EXAMPLES=ON \
  -DGITCAP_CUDA=ON -DGGML_CUDA_FA=OFF -DCMAKE_CUDA_ARCHITECTURES=90-real -DCUDAToolkit_ROOT="$TK" \
  -DCMAKE_CUDA_COMPILER=/usr/local/cuda/bin/nvcc > "$OUT/configure.log" 2>&1 || { tail -30 "$OUT/configure.log"; exit 1; }
time cmake --build build-cuda --target gitcap-caption -j "$(nproc)" > "$OUT/build.log" 2>&1 || { tail -40 "$OUT/build.log"; exit 1; }

# the goldens' pixel values as raw float32 files, and the case list
mkdir -p "$OUT/px"
python3 - "$OUT/px" <<'PY'
import json, sys
from safetensors.numpy import load_file
g = load_file("test/fixtures/goldens/goldens.safetensors")
cases = json.load(open("test/fixtures/goldens/goldens.json"))["cases"]
with open(sys.argv[1] + "/cases.txt", "w") as f:
    for name, c in cases.items():
        g[c.get("pixel_values_same_as", name + ".pixel_values")].tofile(f"{sys.argv[1]}/{name}.f32")
        f.write(f"{name} {c['model']}\n")
PY
BIN=build-cuda/gitcap-caption
fail=0
while read -r case model; do
  gguf=$CARRY/vatex-f32.gguf; count=6; [ "$model" = tiny-image ] && { gguf=$CARRY/image-f32.gguf; count=1; }
  [ -e "$gguf" ] || continue
  q=$(python3 -c "import json;print(json.load(open('test/fixtures/goldens/goldens.json'))['cases']['$case'].get('question',''))")
  args=(); [ -n "$q" ] && args=(--prompt "$q")
  out=$($BIN -m "$gguf" --backend cuda --pixels "$OUT/px/$case.f32" --count $count "${args[@]}" --dump "$OUT/$case." 2>&1 | tee "$OUT/$case.log")
  ids=$(echo "$out" | sed -n 's/^ids: //p')
  echo "$out" | grep -v "^ggml_cuda_init\|^  Device" | tail -4
  python3 test/tools/compare_dump.py "$case" "$OUT/$case." $ids || fail=1
done < "$OUT/px/cases.txt"
[ -e "$CARRY/vatex-q8_0.gguf" ] && $BIN -m "$CARRY/vatex-q8_0.gguf" --backend cuda --pixels "$OUT/px/vatex_clip_full.f32" --count 6 --min-new-tokens 20 | tail -2
[ -e "$CARRY/vatex-q8_0.gguf" ] && $BIN -m "$CARRY/vatex-q8_0.gguf" --backend cpu --pixels "$OUT/px/vatex_clip_full.f32" --count 6 --min-new-tokens 20 | tail -2
echo "gpu-check: $([ $fail = 0 ] && echo PASS || echo FAIL)"
