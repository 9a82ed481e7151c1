#!/usr/bin/env python3
"""Benchmark peer: full-size microsoft/git-base-vatex architecture with seeded random weights.

usage: torch_peer.py OUT_DIR [--frames DIR_WITH_6_PNGS] [--runs N] [--threads T] [--no-write]

* writes OUT_DIR in HF layout (model.safetensors F32, config.json, generation_config.json,
  preprocessor_config.json (real git-base-vatex values), tokenizer files)  -- keep OUT_DIR outside the repo
* times on CPU (torch threads = T, default 2):
    (a) HF-style greedy generation of 20 new tokens from 6 frames: vision tower re-run at every step,
        text-only KV cache (what transformers' GitForCausalLM.generate does)
    (b) efficient greedy: frames encoded once, image K/V cached per decoder layer
    (c) preprocessing only (6 frames, VideoMAEImageProcessor semantics)
    (d) vision encoder only (6 frames, incl. temporal embedding + visual projection)
  EOS is suppressed (logit of id 102 set to -inf before argmax) so that exactly 20 new tokens are produced.
"""
import argparse
import glob
import os
import resource
import statistics
import sys
import time

import numpy as np
import torch
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import checkpoint as cb  # noqa: E402
import git_torch as ref_git  # noqa: E402


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def timed(fn, runs):
    ts = []
    for _ in range(runs):
        t = time.perf_counter()
        r = fn()
        ts.append(time.perf_counter() - t)
    return statistics.median(ts), ts, r


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out_dir")
    ap.add_argument("--frames", default=None, help="directory with frame PNGs (6 used); default: synthetic frames")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--runs-hf", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--no-write", action="store_true")
    a = ap.parse_args()
    if os.path.exists(os.path.join(a.out_dir, ".git")) or os.path.exists(os.path.join(a.out_dir, "package.json")):
        sys.exit("refusing to write the 700 MB checkpoint into a repository; pick a scratch folder")
    torch.set_num_threads(a.threads)
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, numpy {np.__version__}")
    blas = [ln.strip() for ln in torch.__config__.show().splitlines() if "BLAS_INFO" in ln]
    print("torch build:", blas[0][:60] if blas else "?", "(Debian torch uses the system libblas.so.3; "
          "install libopenblas0-pthread, else the netlib reference BLAS makes every matmul ~10x slower)", flush=True)

    conf = cb.make_config(dict(hidden_size=768, num_attention_heads=12, num_hidden_layers=6, intermediate_size=3072),
                          dict(hidden_size=768, intermediate_size=3072, num_hidden_layers=12, num_attention_heads=12,
                               image_size=224, patch_size=16), 6, vision_style="diff")
    cfg = ref_git.Cfg(conf)
    t = time.perf_counter()
    sd = cb.random_state_dict(cfg, a.seed, favored_ids=None)
    n_params = sum(v.numel() for v in sd.values())
    print(f"built random weights: {n_params:,} parameters in {time.perf_counter() - t:.1f}s")
    if not a.no_write:
        t = time.perf_counter()
        cb.write_checkpoint(a.out_dir, conf, cb.PP_VATEX, sd, formats=("safetensors",))
        sz = os.path.getsize(os.path.join(a.out_dir, "model.safetensors"))
        print(f"wrote {a.out_dir}/model.safetensors: {sz:,} bytes ({sz / 2**20:.1f} MiB) in {time.perf_counter() - t:.1f}s")
        sd = ref_git.load_safetensors(os.path.join(a.out_dir, "model.safetensors"))
    model = ref_git.GitRef(cfg, sd)
    del sd

    if a.frames:
        files = (sorted(glob.glob(os.path.join(a.frames, "*frame*.png")))
                 or sorted(glob.glob(os.path.join(a.frames, "*.png"))))[:6]
        frames = [Image.open(f).convert("RGB") for f in files]
    else:
        rng = np.random.default_rng(0)
        frames = [Image.fromarray(rng.integers(0, 255, (240, 320, 3), dtype=np.uint8)) for _ in range(6)]
    assert len(frames) == 6

    res = {}
    with torch.no_grad():
        med, ts, pix = timed(lambda: ref_git.preprocess(frames, cb.PP_VATEX), a.runs)
        res["c_preprocess_6_frames"] = (med, ts)
        print(f"c_preprocess_6_frames: median {med:.3f}s runs {[round(x, 3) for x in ts]}", flush=True)
        model.visual_features(pix)  # warm-up
        med, ts, _ = timed(lambda: model.visual_features(pix), a.runs)
        res["d_vision_6_frames"] = (med, ts)
        print(f"d_vision_6_frames: median {med:.3f}s runs {[round(x, 3) for x in ts]}", flush=True)
        med, ts, r_e = timed(lambda: ref_git.generate_efficient(model, pix, [101], 20, suppress_eos=True), a.runs)
        res["b_efficient_generate_20"] = (med, ts)
        print(f"b_efficient_generate_20: median {med:.3f}s runs {[round(x, 3) for x in ts]}", flush=True)
        if a.runs_hf > 0:  # --runs-hf 0 skips the slow HF-style run
            med, ts, r_h = timed(lambda: ref_git.generate_hf_style(model, pix, [101], 20, suppress_eos=True), a.runs_hf)
            res["a_hf_style_generate_20"] = (med, ts)
            assert r_e["ids"] == r_h["ids"], (r_e["ids"], r_h["ids"])
    assert len(r_e["ids"]) == 21, r_e["ids"]
    for k in sorted(res):
        med, ts = res[k]
        print(f"{k}: median {med:.3f}s  runs {[round(x, 3) for x in ts]}")
    print(f"generated ids (eos suppressed): {r_e['ids']}")
    print(f"peak RSS: {peak_rss_mb():.0f} MiB")


if __name__ == "__main__":
    main()
