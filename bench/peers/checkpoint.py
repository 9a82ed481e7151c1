"""Random full-size GIT checkpoints in Hugging Face layout, the model the benchmarks time."""
import json
import math
import os
import shutil
from collections import OrderedDict

import torch

import git_torch as ref_git

HERE = os.path.dirname(os.path.abspath(__file__))
VOCAB_PATH = os.path.join(HERE, "..", "..", "test", "fixtures", "tiny-vatex", "vocab.txt")  # BERT uncased

# preprocessor configs as published on the Hub (verified from the Hub file listings/commits):
# microsoft/git-base-vatex (commit cb0e8a0 "Upload processor")
PP_VATEX = OrderedDict([
    ("crop_size", {"height": 224, "width": 224}), ("do_center_crop", True), ("do_normalize", True),
    ("do_rescale", True), ("do_resize", True), ("image_mean", [0.5, 0.5, 0.5]),
    ("image_processor_type", "VideoMAEImageProcessor"), ("image_std", [0.5, 0.5, 0.5]),
    ("processor_class", "GitProcessor"), ("resample", 2), ("rescale_factor", 0.00392156862745098),
    ("size", {"shortest_edge": 224})])
# microsoft/git-base-coco (single image models)
PP_COCO = OrderedDict([
    ("crop_size", {"height": 224, "width": 224}), ("do_center_crop", True), ("do_convert_rgb", True),
    ("do_normalize", True), ("do_rescale", True), ("do_resize", True),
    ("image_mean", [0.48145466, 0.4578275, 0.40821073]), ("image_processor_type", "CLIPImageProcessor"),
    ("image_std", [0.26862954, 0.26130258, 0.27577711]), ("processor_class", "GitProcessor"), ("resample", 3),
    ("rescale_factor", 0.00392156862745098), ("size", {"shortest_edge": 224})])

TOKENIZER_CONFIG = OrderedDict([
    ("cls_token", "[CLS]"), ("do_lower_case", True), ("mask_token", "[MASK]"),
    ("model_input_names", ["input_ids", "attention_mask"]), ("model_max_length", 512),
    ("name_or_path", "bert-base-uncased"), ("pad_token", "[PAD]"), ("processor_class", "GitProcessor"),
    ("sep_token", "[SEP]"), ("special_tokens_map_file", None), ("strip_accents", None),
    ("tokenize_chinese_chars", True), ("tokenizer_class", "BertTokenizer"), ("unk_token", "[UNK]")])
SPECIAL_TOKENS_MAP = OrderedDict([("cls_token", "[CLS]"), ("mask_token", "[MASK]"), ("pad_token", "[PAD]"),
                                  ("sep_token", "[SEP]"), ("unk_token", "[UNK]")])
GENERATION_CONFIG = OrderedDict([("_from_model_config", True), ("bos_token_id", 101), ("eos_token_id", 102),
                                 ("pad_token_id", 0), ("transformers_version", "4.27.0.dev0")])


def make_config(text, vision, num_image_with_embedding, vision_style="full"):
    """config.json dict in the shape PretrainedConfig.save_pretrained writes for GitConfig."""
    v = OrderedDict()
    vfull = dict(ref_git.VISION_DEFAULTS)
    vfull.update(vision)
    if vision_style == "full":
        for k in sorted(vfull):
            v[k] = vfull[k]
        v["model_type"] = "git_vision_model"
    else:  # "diff": only non-default keys (+ legacy keys found in the real microsoft/git-* configs)
        for k in sorted(vfull):
            if vfull[k] != ref_git.VISION_DEFAULTS[k]:
                v[k] = vfull[k]
        v.update({"dropout": 0.0, "initializer_factor": 1.0, "model_type": "git_vision_model", "projection_dim": 512})
        v = OrderedDict(sorted(v.items()))
    t = dict(ref_git.TEXT_DEFAULTS)
    t.update(text)
    t["num_image_with_embedding"] = num_image_with_embedding
    c = OrderedDict()
    c["architectures"] = ["GitForCausalLM"]
    for k in sorted(list(t) + ["model_type", "torch_dtype", "transformers_version", "vision_config"]):
        if k == "model_type":
            c[k] = "git"
        elif k == "torch_dtype":
            c[k] = "float32"
        elif k == "transformers_version":
            c[k] = "4.27.0.dev0"
        elif k == "vision_config":
            c[k] = v
        else:
            c[k] = t[k]
    return c


def hf_key_order(cfg):
    """State-dict key order of GitForCausalLM (module registration order)."""
    keys = ["git.embeddings.word_embeddings.weight", "git.embeddings.position_embeddings.weight",
            "git.embeddings.LayerNorm.weight", "git.embeddings.LayerNorm.bias"]
    p = "git.image_encoder.vision_model."
    keys += [p + "embeddings.class_embedding", p + "embeddings.patch_embedding.weight",
             p + "embeddings.position_embedding.weight", p + "pre_layrnorm.weight", p + "pre_layrnorm.bias"]
    for i in range(cfg.v["num_hidden_layers"]):
        q = p + f"encoder.layers.{i}."
        for m in ["self_attn.k_proj", "self_attn.v_proj", "self_attn.q_proj", "self_attn.out_proj", "layer_norm1",
                  "mlp.fc1", "mlp.fc2", "layer_norm2"]:
            keys += [q + m + ".weight", q + m + ".bias"]
    keys += [p + "post_layernorm.weight", p + "post_layernorm.bias"]
    for i in range(cfg.t["num_hidden_layers"]):
        q = f"git.encoder.layer.{i}."
        for m in ["attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense",
                  "attention.output.LayerNorm", "intermediate.dense", "output.dense", "output.LayerNorm"]:
            keys += [q + m + ".weight", q + m + ".bias"]
    keys += ["git.visual_projection.visual_projection.0.weight", "git.visual_projection.visual_projection.0.bias",
             "git.visual_projection.visual_projection.1.weight", "git.visual_projection.visual_projection.1.bias"]
    if cfg.t["num_image_with_embedding"] is not None:
        keys += [f"git.img_temperal_embedding.{i}" for i in range(cfg.t["num_image_with_embedding"])]
    keys += ["output.weight", "output.bias"]
    return keys


def random_state_dict(cfg, seed, lm_scale=3.0, favored_ids=None, favored_bias=2.5, eos_bias=0.0, unused_bias=-3.0):
    """Every parameter random (LayerNorm weights ~1+0.1N, all biases nonzero, temporal/class/position
    embeddings nonzero). Linear weights ~N(0, 1/fan_in) keep activations O(1)."""
    g = torch.Generator().manual_seed(seed)

    def n(*shape, std=1.0):
        return torch.randn(*shape, generator=g) * std

    v, t = cfg.v, cfg.t
    Dv, Dt = v["hidden_size"], t["hidden_size"]
    sd = {}

    def lin(name, out_f, in_f, wstd=None, bstd=0.1):
        sd[name + ".weight"] = n(out_f, in_f, std=(wstd if wstd is not None else 1.0 / math.sqrt(in_f)))
        sd[name + ".bias"] = n(out_f, std=bstd)

    def ln(name, dim):
        sd[name + ".weight"] = 1.0 + n(dim, std=0.1)
        sd[name + ".bias"] = n(dim, std=0.1)

    p = "git.image_encoder.vision_model."
    ps = v["patch_size"]
    sd[p + "embeddings.class_embedding"] = n(Dv)
    sd[p + "embeddings.patch_embedding.weight"] = n(Dv, v["num_channels"], ps, ps, std=1.0 / math.sqrt(3 * ps * ps))
    sd[p + "embeddings.position_embedding.weight"] = n(cfg.tokens_per_image, Dv, std=0.5)
    ln(p + "pre_layrnorm", Dv)
    for i in range(v["num_hidden_layers"]):
        q = p + f"encoder.layers.{i}."
        for m in ["self_attn.k_proj", "self_attn.v_proj", "self_attn.q_proj", "self_attn.out_proj"]:
            lin(q + m, Dv, Dv)
        ln(q + "layer_norm1", Dv)
        lin(q + "mlp.fc1", v["intermediate_size"], Dv)
        lin(q + "mlp.fc2", Dv, v["intermediate_size"])
        ln(q + "layer_norm2", Dv)
    ln(p + "post_layernorm", Dv)
    sd["git.embeddings.word_embeddings.weight"] = n(t["vocab_size"], Dt)
    sd["git.embeddings.position_embeddings.weight"] = n(t["max_position_embeddings"], Dt, std=0.5)
    ln("git.embeddings.LayerNorm", Dt)
    for i in range(t["num_hidden_layers"]):
        q = f"git.encoder.layer.{i}."
        for m in ["attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense"]:
            lin(q + m, Dt, Dt)
        ln(q + "attention.output.LayerNorm", Dt)
        lin(q + "intermediate.dense", t["intermediate_size"], Dt)
        lin(q + "output.dense", Dt, t["intermediate_size"])
        ln(q + "output.LayerNorm", Dt)
    lin("git.visual_projection.visual_projection.0", Dt, Dv)
    ln("git.visual_projection.visual_projection.1", Dt)
    if t["num_image_with_embedding"] is not None:
        for i in range(t["num_image_with_embedding"]):
            sd[f"git.img_temperal_embedding.{i}"] = n(1, 1, Dv, std=0.5)
    V = t["vocab_size"]
    sd["output.weight"] = n(V, Dt, std=lm_scale / math.sqrt(Dt))
    b = n(V, std=0.3)
    if favored_ids:
        b[torch.tensor(sorted(set(favored_ids)))] += favored_bias
    b[1:100] += unused_bias  # [unused0..98]
    b[104:999] += unused_bias  # [unused99..993]
    b[[0, 100, 101, 103]] += unused_bias  # [PAD] [UNK] [CLS] [MASK]
    b[t["eos_token_id"]] += eos_bias
    sd["output.bias"] = b
    order = hf_key_order(cfg)
    assert set(order) == set(sd), set(order) ^ set(sd)
    return OrderedDict((k, sd[k].contiguous()) for k in order)


def write_checkpoint(out_dir, config, pp, sd, formats=("safetensors",)):
    os.makedirs(out_dir, exist_ok=True)

    def dump(name, obj):
        with open(os.path.join(out_dir, name), "w") as f:
            json.dump(obj, f, indent=2)
            f.write("\n")

    dump("config.json", config)
    dump("generation_config.json", GENERATION_CONFIG)
    dump("preprocessor_config.json", pp)
    dump("tokenizer_config.json", TOKENIZER_CONFIG)
    dump("special_tokens_map.json", SPECIAL_TOKENS_MAP)
    shutil.copyfile(VOCAB_PATH, os.path.join(out_dir, "vocab.txt"))
    if "safetensors" in formats:
        ref_git.save_safetensors(os.path.join(out_dir, "model.safetensors"), sd)
    if "bin" in formats:
        torch.save(OrderedDict(sd), os.path.join(out_dir, "pytorch_model.bin"))  # zip format (torch >= 1.6)
    if "f16" in formats:
        ref_git.save_safetensors(os.path.join(out_dir, "model-f16.safetensors"),
                                 {k: v.to(torch.float16) for k, v in sd.items()})
    if "bf16" in formats:
        ref_git.save_safetensors(os.path.join(out_dir, "model-bf16.safetensors"),
                                 {k: v.to(torch.bfloat16) for k, v in sd.items()})
