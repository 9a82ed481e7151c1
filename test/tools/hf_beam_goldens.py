"""Beam-search goldens from the real transformers GitForCausalLM (run where transformers is
installed: python3 test/tools/hf_beam_goldens.py OUT.json [MODELS_DIR]; MODELS_DIR holds
tiny-vatex/ and tiny-image/, default test/fixtures). Inputs are the fixtures' checkpoints
and the goldens' own pixel values, so only decoding differs between cases."""
import json
import os
import sys

import torch
from safetensors.torch import load_file
from transformers import GitForCausalLM

FIX = "test/fixtures/"
gold = load_file(FIX + "goldens/goldens.safetensors")
meta = json.load(open(FIX + "goldens/goldens.json"))

CASES = [("tiny-vatex", "vatex_clip_full"), ("tiny-image", "image_square_224x224"), ("tiny-image", "image_photo_vqa")]
SETTINGS = [
    dict(num_beams=b, length_penalty=lp, early_stopping=es, max_new_tokens=n)
    for b in (2, 3, 4)
    for lp in (1.0, 0.5, 2.0)
    for es in (False, True)
    for n in (20, 6)
]

out = {"transformers": __import__("transformers").__version__, "torch": torch.__version__, "results": []}
models_dir = sys.argv[2] if len(sys.argv) > 2 else FIX
for model_dir, case in CASES:
    if not os.path.exists(f"{models_dir}/{model_dir}/config.json"):
        continue
    model = GitForCausalLM.from_pretrained(f"{models_dir}/{model_dir}", dtype=torch.float32).eval()
    # transformers 5 renamed img_temperal_embedding to img_temporal_embedding and does not map
    # the hub's spelling: copy those weights over, else they stay randomly initialized
    weights = load_file(f"{models_dir}/{model_dir}/model.safetensors")
    temporal = getattr(model.git, "img_temporal_embedding", None)
    for f in range(len(temporal) if temporal is not None else 0):
        temporal[f].data.copy_(weights[f"git.img_temperal_embedding.{f}"])
    c = meta["cases"][case]
    px = gold[c.get("pixel_values_same_as", case + ".pixel_values")]
    prompt = torch.tensor([c["prompt_ids"]])
    with torch.no_grad():
        greedy = model.generate(pixel_values=px, input_ids=prompt, max_new_tokens=20, do_sample=False, num_beams=1)
        out["results"].append({"model": model_dir, "case": case, "settings": {"num_beams": 1},
                               "sequence": greedy[0].tolist()[len(c["prompt_ids"]):],
                               "matches_golden": greedy[0].tolist() == c["generated_ids"]})
        for s in SETTINGS:
            g = model.generate(pixel_values=px, input_ids=prompt, do_sample=False, output_scores=True,
                               return_dict_in_generate=True, **s)
            seq = g.sequences[0].tolist()[len(c["prompt_ids"]):]
            while seq and seq[-1] == 0:  # pad after eos
                seq.pop()
            out["results"].append({"model": model_dir, "case": case, "settings": s, "sequence": seq,
                                   "score": float(g.sequences_scores[0])})
json.dump(out, open(sys.argv[1], "w"), indent=1)
print(len(out["results"]), "results;", sum(r.get("matches_golden", True) for r in out["results"]), "ok")
