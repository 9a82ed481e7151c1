"""Compares gitcap-caption --dump outputs with the goldens: python3 compare_dump.py CASE PREFIX IDS...
Prints the relative error (max |diff| / max |golden|) of each tensor and whether the ids match."""
import json
import sys

import numpy as np
from safetensors.numpy import load_file

FIX = "test/fixtures/goldens/"
case, prefix, ids = sys.argv[1], sys.argv[2], [int(x) for x in sys.argv[3:]]
gold = load_file(FIX + "goldens.safetensors")
meta = json.load(open(FIX + "goldens.json"))["cases"][case]
worst = 0.0
for ours, theirs in [("vision.frame0", "vision_last_hidden_state_frame0"), ("vision.temporal", "visual_features_with_temporal"),
                     ("vision.projected", "projected_visual_features"), ("logits0", "logits_step0")]:
    ref = gold[f"{case}.{theirs}"].reshape(-1)
    got = np.fromfile(prefix + ours + ".f32", dtype=np.float32)
    err = float(np.abs(got - ref).max() / np.abs(ref).max())
    worst = max(worst, err)
    print(f"  {ours}: relative error {err:.2e}")
ok = ids == meta["new_token_ids"]
print(f"{case}: ids {'match' if ok else 'DIFFER'}; worst relative error {worst:.2e}")
sys.exit(0 if ok and worst < 1e-4 else 1)
