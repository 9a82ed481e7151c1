"""The PyTorch reference's efficient greedy generator on the full-size random checkpoint:
writes what bench/fullsize-parity.ts compares gitcap with.
  /usr/bin/python3 bench/fullsize_reference.py CHECKPOINT_DIR FRAMES_DIR OUT_DIR
OUT_DIR gets pixels.f32 [6,3,224,224], ids.json and logits.f32 [20, vocab] (eos suppressed)."""
import glob
import json
import os
import sys

import torch
from PIL import Image

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "shared", "reference"))
import ref_git  # noqa: E402

ckpt, frames_dir, out = sys.argv[1:4]
os.makedirs(out, exist_ok=True)
torch.set_num_threads(os.cpu_count() or 1)
cfg = ref_git.Cfg.load(os.path.join(ckpt, "config.json"))
pp = json.load(open(os.path.join(ckpt, "preprocessor_config.json")))
model = ref_git.GitRef(cfg, ref_git.load_safetensors(os.path.join(ckpt, "model.safetensors")))
frames = [Image.open(p) for p in sorted(glob.glob(os.path.join(frames_dir, "clip_frame*.png")))]
pixels = ref_git.preprocess(frames, pp)
with torch.no_grad():
    r = ref_git.generate_efficient(model, pixels, [101], 20, suppress_eos=True, keep_logits=True)
pixels[0].numpy().astype("float32").tofile(os.path.join(out, "pixels.f32"))
torch.stack(r["step_logits"]).numpy().astype("float32").tofile(os.path.join(out, "logits.f32"))
json.dump({"ids": r["ids"][1:], "margins": r["margins"]}, open(os.path.join(out, "ids.json"), "w"))
print("ids", r["ids"][1:])
