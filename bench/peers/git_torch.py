#!/usr/bin/env python3
"""GIT (GenerativeImage2Text) inference in PyTorch, the peer gitcap's benchmarks time and export.

Written from the semantics of transformers' modeling_git.py / configuration_git.py,
image_processing_clip.py / image_processing_videomae.py / image_transforms.py and
tokenization_bert.py (slow BertTokenizer).  Nothing here imports transformers.

Contents
  * safetensors writer + independent reader (F32/F16/BF16/I64/I32/U8)
  * config loading with GitConfig / GitVisionConfig defaults
  * GitRef: CLIP ViT vision tower, temporal embeddings, visual projection,
    BERT-style post-LN text decoder with the GIT combined attention mask, LM head
  * greedy generation, two ways:
      - generate_hf_style: the whole model (vision encoder included) is re-run at
        every step with a text-only KV cache, exactly like
        GitForCausalLM.prepare_inputs_for_generation + GitModel.forward do;
      - generate_efficient: images encoded once, image K/V cached per decoder layer.
  * preprocessing: CLIPImageProcessor and VideoMAEImageProcessor (slow, PIL based)
"""
import json
import math
import struct
import unicodedata

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

# ----------------------------------------------------------------------------------------------
# safetensors
# ----------------------------------------------------------------------------------------------
_ST_DTYPES = {
    torch.float32: ("F32", 4), torch.float16: ("F16", 2), torch.bfloat16: ("BF16", 2),
    torch.int64: ("I64", 8), torch.int32: ("I32", 4), torch.uint8: ("U8", 1),
}
_ST_NP = {"F32": np.float32, "F16": np.float16, "I64": np.int64, "I32": np.int32, "U8": np.uint8}


def _tensor_bytes(t):
    t = t.detach().contiguous().cpu()
    if t.dtype == torch.bfloat16:
        return t.view(torch.int16).numpy().tobytes()
    return t.numpy().tobytes()


def save_safetensors(path, tensors, metadata=None):
    """Write tensors (name -> torch.Tensor) in safetensors layout, names sorted, little endian."""
    metadata = {"format": "pt"} if metadata is None else metadata
    header = {"__metadata__": metadata}
    blobs = []
    off = 0
    for name in sorted(tensors):
        t = tensors[name]
        code, _ = _ST_DTYPES[t.dtype]
        b = _tensor_bytes(t)
        header[name] = {"dtype": code, "shape": list(t.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    hj = json.dumps(header, separators=(",", ":")).encode("utf-8")
    hj += b" " * ((8 - len(hj) % 8) % 8)  # pad header to 8 bytes like the reference library
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(hj)))
        f.write(hj)
        for b in blobs:
            f.write(b)


def load_safetensors(path, as_torch=True):
    """Tiny independent safetensors parser. BF16 is widened to float32 exactly."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n].decode("utf-8"))
    base = 8 + n
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        s, e = info["data_offsets"]
        raw = data[base + s: base + e]
        shape = info["shape"]
        if info["dtype"] == "BF16":
            u16 = np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16
            arr = u16.view(np.float32).reshape(shape)
        else:
            arr = np.frombuffer(raw, dtype=np.dtype(_ST_NP[info["dtype"]]).newbyteorder("<")).reshape(shape)
        out[name] = torch.from_numpy(arr.copy()) if as_torch else arr.copy()
    return out


# ----------------------------------------------------------------------------------------------
# config
# ----------------------------------------------------------------------------------------------
VISION_DEFAULTS = dict(hidden_size=768, intermediate_size=3072, num_hidden_layers=12, num_attention_heads=12,
                       num_channels=3, image_size=224, patch_size=16, hidden_act="quick_gelu",
                       layer_norm_eps=1e-5, attention_dropout=0.0, initializer_range=0.02)
TEXT_DEFAULTS = dict(vocab_size=30522, hidden_size=768, num_hidden_layers=6, num_attention_heads=12,
                     intermediate_size=3072, hidden_act="gelu", hidden_dropout_prob=0.1,
                     attention_probs_dropout_prob=0.1, max_position_embeddings=1024, initializer_range=0.02,
                     layer_norm_eps=1e-12, pad_token_id=0, position_embedding_type="absolute", use_cache=True,
                     tie_word_embeddings=False, bos_token_id=101, eos_token_id=102, num_image_with_embedding=None)


class Cfg:
    def __init__(self, d):
        d = dict(d)
        v = dict(VISION_DEFAULTS)
        v.update({k: val for k, val in (d.get("vision_config") or {}).items()})
        t = dict(TEXT_DEFAULTS)
        t.update({k: val for k, val in d.items() if k != "vision_config"})
        self.v = v
        self.t = t
        if t["position_embedding_type"] != "absolute":
            raise NotImplementedError("only absolute position embeddings")
        if t["hidden_act"] != "gelu" or v["hidden_act"] != "quick_gelu":
            raise NotImplementedError("reference implements gelu (text) / quick_gelu (vision)")
        self.n_patch_side = v["image_size"] // v["patch_size"]
        self.tokens_per_image = self.n_patch_side ** 2 + 1

    @classmethod
    def load(cls, path):
        with open(path) as f:
            return cls(json.load(f))


# ----------------------------------------------------------------------------------------------
# model
# ----------------------------------------------------------------------------------------------
def _linear(x, sd, name):
    return F.linear(x, sd[name + ".weight"], sd.get(name + ".bias"))


def _ln(x, sd, name, eps):
    return F.layer_norm(x, (x.shape[-1],), sd[name + ".weight"], sd[name + ".bias"], eps)


def quick_gelu(x):
    return x * torch.sigmoid(1.702 * x)


class GitRef:
    """Functional re-implementation; `sd` uses the exact HF state_dict names."""

    def __init__(self, cfg, state_dict):
        self.cfg = cfg
        self.sd = {k: v.to(torch.float32) for k, v in state_dict.items()}

    # ---------------- vision (CLIP ViT, GitVisionTransformer) ----------------
    def vision_encode(self, pixel_values):
        """pixel_values [B,3,H,W] -> last_hidden_state after post_layernorm [B, 1+P, Dv]."""
        v, sd = self.cfg.v, self.sd
        p = "git.image_encoder.vision_model."
        B = pixel_values.shape[0]
        if pixel_values.shape[-1] != v["image_size"] or pixel_values.shape[-2] != v["image_size"]:
            raise ValueError("input image size does not match config (no pos-embedding interpolation)")
        x = F.conv2d(pixel_values, sd[p + "embeddings.patch_embedding.weight"], None, stride=v["patch_size"])
        x = x.flatten(2).transpose(1, 2)  # [B, P, D], row-major over the patch grid
        cls_tok = sd[p + "embeddings.class_embedding"].expand(B, 1, -1)
        x = torch.cat([cls_tok, x], dim=1)
        x = x + sd[p + "embeddings.position_embedding.weight"][None]
        x = _ln(x, sd, p + "pre_layrnorm", v["layer_norm_eps"])
        H = v["num_attention_heads"]
        D = v["hidden_size"]
        hd = D // H
        scale = hd ** -0.5
        for i in range(v["num_hidden_layers"]):
            q = p + f"encoder.layers.{i}."
            r = x
            h = _ln(x, sd, q + "layer_norm1", v["layer_norm_eps"])
            L = h.shape[1]
            Q = _linear(h, sd, q + "self_attn.q_proj").view(B, L, H, hd).transpose(1, 2)
            K = _linear(h, sd, q + "self_attn.k_proj").view(B, L, H, hd).transpose(1, 2)
            V = _linear(h, sd, q + "self_attn.v_proj").view(B, L, H, hd).transpose(1, 2)
            a = torch.softmax(torch.matmul(Q, K.transpose(-1, -2)) * scale, dim=-1)
            o = torch.matmul(a, V).transpose(1, 2).reshape(B, L, D)
            x = r + _linear(o, sd, q + "self_attn.out_proj")
            r = x
            h = _ln(x, sd, q + "layer_norm2", v["layer_norm_eps"])
            h = _linear(quick_gelu(_linear(h, sd, q + "mlp.fc1")), sd, q + "mlp.fc2")
            x = r + h
        return _ln(x, sd, p + "post_layernorm", v["layer_norm_eps"])

    def visual_features(self, pixel_values, return_parts=False):
        """4D [B,3,H,W] (single image) or 5D [B,F,3,H,W] (video) -> projected [B, N_img, D].

        5D: each frame is encoded separately, the frame's temporal embedding
        git.img_temperal_embedding.{f} is added to its post-LN features, frames are
        concatenated along the sequence axis, then Linear + LayerNorm(eps = vision eps).
        """
        sd, cfg = self.sd, self.cfg
        parts = {}
        if pixel_values.ndim == 4:
            feats = self.vision_encode(pixel_values)
            parts["vision_frame0"] = feats
        elif pixel_values.ndim == 5:
            fl = []
            for f in range(pixel_values.shape[1]):
                vf = self.vision_encode(pixel_values[:, f])
                if f == 0:
                    parts["vision_frame0"] = vf
                vf = vf + sd[f"git.img_temperal_embedding.{f}"]
                fl.append(vf)
            feats = torch.cat(fl, dim=1)
        else:
            raise ValueError("pixel_values must be rank 4 or 5")
        parts["with_temporal"] = feats
        h = _linear(feats, sd, "git.visual_projection.visual_projection.0")
        h = _ln(h, sd, "git.visual_projection.visual_projection.1", cfg.v["layer_norm_eps"])
        return (h, parts) if return_parts else h

    # ---------------- text decoder ----------------
    def _embed(self, input_ids, past_len):
        sd, t = self.sd, self.cfg.t
        T = input_ids.shape[1]
        if past_len + T > t["max_position_embeddings"]:
            raise ValueError("sequence longer than max_position_embeddings")
        pos = torch.arange(past_len, past_len + T)
        e = sd["git.embeddings.word_embeddings.weight"][input_ids] + sd["git.embeddings.position_embeddings.weight"][pos][None]
        return _ln(e, sd, "git.embeddings.LayerNorm", t["layer_norm_eps"])

    def _layer(self, i, x, mask, k_extra=None, v_extra=None, k_suffix=None, v_suffix=None):
        """One BERT post-LN layer. keys = [k_extra ; K(x) ; k_suffix] ... returns (out, K(x), V(x))."""
        sd, t = self.sd, self.cfg.t
        p = f"git.encoder.layer.{i}."
        B, L, D = x.shape
        H = t["num_attention_heads"]
        hd = D // H
        Q = _linear(x, sd, p + "attention.self.query").view(B, L, H, hd).transpose(1, 2)
        K = _linear(x, sd, p + "attention.self.key").view(B, L, H, hd).transpose(1, 2)
        V = _linear(x, sd, p + "attention.self.value").view(B, L, H, hd).transpose(1, 2)
        Ks = [z for z in (k_extra, K, k_suffix) if z is not None]
        Vs = [z for z in (v_extra, V, v_suffix) if z is not None]
        Kall = torch.cat(Ks, dim=2) if len(Ks) > 1 else K
        Vall = torch.cat(Vs, dim=2) if len(Vs) > 1 else V
        s = torch.matmul(Q, Kall.transpose(-1, -2)) / math.sqrt(hd)
        if mask is not None:
            s = s + mask
        a = torch.softmax(s, dim=-1)
        c = torch.matmul(a, Vall).transpose(1, 2).reshape(B, L, D)
        h = _ln(_linear(c, sd, p + "attention.output.dense") + x, sd, p + "attention.output.LayerNorm", t["layer_norm_eps"])
        m = F.gelu(_linear(h, sd, p + "intermediate.dense"))
        out = _ln(_linear(m, sd, p + "output.dense") + h, sd, p + "output.LayerNorm", t["layer_norm_eps"])
        return out, K, V

    def lm_head(self, h):
        return _linear(h, self.sd, "output")

    @staticmethod
    def combined_mask(n_img, n_txt, past_len):
        """GIT additive mask for query rows [img ; new text] and key cols [img ; past text ; new text]."""
        ninf = float("-inf")
        m = torch.zeros(n_img + n_txt, n_img + past_len + n_txt)
        m[:n_img, n_img:] = ninf  # image tokens never see text
        if past_len == 0:
            causal = torch.triu(torch.full((n_txt, n_txt), ninf), diagonal=1)
            m[n_img:, n_img:] = causal
        # with a cache (past_len > 0) HF lets the new text rows see every text key (no causal part)
        return m[None, None]

    def forward_hf(self, pixel_values, input_ids, text_cache=None):
        """Mirror of GitForCausalLM.forward with pixel_values present and an optional text-only cache.

        text_cache: list per layer of (K_text, V_text) for previous text tokens, or None.
        Returns (logits [B, n_img + T, V], new_text_cache, parts)."""
        img, parts = self.visual_features(pixel_values, return_parts=True)
        past = 0 if text_cache is None else text_cache[0][0].shape[2]
        emb = self._embed(input_ids, past)
        B = emb.shape[0]
        img = img.repeat(B // img.shape[0], 1, 1)
        n_img = img.shape[1]
        x = torch.cat([img, emb], dim=1)
        mask = self.combined_mask(n_img, emb.shape[1], past)
        new_cache = []
        for i in range(self.cfg.t["num_hidden_layers"]):
            if text_cache is None:
                x, K, V = self._layer(i, x, mask)
                new_cache.append((K[:, :, n_img:], V[:, :, n_img:]))
            else:
                pk, pv = text_cache[i]
                # keys = [img(current) ; past text ; new text]  (HF concatenates exactly this way)
                sdl = self.sd
                p = f"git.encoder.layer.{i}."
                Dh = x.shape[-1] // self.cfg.t["num_attention_heads"]
                Kx = _linear(x, sdl, p + "attention.self.key").view(B, x.shape[1], -1, Dh).transpose(1, 2)
                Vx = _linear(x, sdl, p + "attention.self.value").view(B, x.shape[1], -1, Dh).transpose(1, 2)
                k_all = torch.cat([Kx[:, :, :n_img], pk, Kx[:, :, n_img:]], dim=2)
                v_all = torch.cat([Vx[:, :, :n_img], pv, Vx[:, :, n_img:]], dim=2)
                x = self._layer_with_keys(i, x, mask, k_all, v_all)
                new_cache.append((torch.cat([pk, Kx[:, :, n_img:]], 2), torch.cat([pv, Vx[:, :, n_img:]], 2)))
        logits = self.lm_head(x)
        parts["projected"] = img
        return logits, new_cache, parts

    def _layer_with_keys(self, i, x, mask, k_all, v_all):
        sd, t = self.sd, self.cfg.t
        p = f"git.encoder.layer.{i}."
        B, L, D = x.shape
        H = t["num_attention_heads"]
        hd = D // H
        Q = _linear(x, sd, p + "attention.self.query").view(B, L, H, hd).transpose(1, 2)
        s = torch.matmul(Q, k_all.transpose(-1, -2)) / math.sqrt(hd) + mask
        a = torch.softmax(s, dim=-1)
        c = torch.matmul(a, v_all).transpose(1, 2).reshape(B, L, D)
        h = _ln(_linear(c, sd, p + "attention.output.dense") + x, sd, p + "attention.output.LayerNorm", t["layer_norm_eps"])
        m = F.gelu(_linear(h, sd, p + "intermediate.dense"))
        return _ln(_linear(m, sd, p + "output.dense") + h, sd, p + "output.LayerNorm", t["layer_norm_eps"])

    # ---------------- efficient path ----------------
    def encode_image_kv(self, pixel_values):
        """Run vision + projection once, then the image tokens through every decoder layer
        (image tokens only attend to image tokens) and keep each layer's image K/V."""
        img = self.visual_features(pixel_values)
        x = img
        kv = []
        for i in range(self.cfg.t["num_hidden_layers"]):
            x, K, V = self._layer(i, x, None)
            kv.append((K, V))
        return kv

    def step_efficient(self, img_kv, input_ids, text_cache):
        past = 0 if text_cache is None else text_cache[0][0].shape[2]
        x = self._embed(input_ids, past)
        T = x.shape[1]
        n_img = img_kv[0][0].shape[2]
        m = torch.zeros(T, n_img + past + T)
        m[:, n_img + past:] = torch.triu(torch.full((T, T), float("-inf")), diagonal=1)
        m = m[None, None]
        new_cache = []
        for i in range(self.cfg.t["num_hidden_layers"]):
            ik, iv = img_kv[i]
            if text_cache is None:
                x, K, V = self._layer(i, x, m, k_extra=ik, v_extra=iv)
                new_cache.append((K, V))
            else:
                pk, pv = text_cache[i]
                sd = self.sd
                p = f"git.encoder.layer.{i}."
                hd = x.shape[-1] // self.cfg.t["num_attention_heads"]
                K = _linear(x, sd, p + "attention.self.key").view(x.shape[0], T, -1, hd).transpose(1, 2)
                V = _linear(x, sd, p + "attention.self.value").view(x.shape[0], T, -1, hd).transpose(1, 2)
                k_all = torch.cat([ik, pk, K], 2)
                v_all = torch.cat([iv, pv, V], 2)
                x = self._layer_with_keys(i, x, m, k_all, v_all)
                new_cache.append((torch.cat([pk, K], 2), torch.cat([pv, V], 2)))
        return self.lm_head(x), new_cache

    # ---------------- full forward without cache (for checking) ----------------
    def forward_full(self, pixel_values, input_ids):
        img = self.visual_features(pixel_values)
        emb = self._embed(input_ids, 0)
        x = torch.cat([img, emb], 1)
        mask = self.combined_mask(img.shape[1], emb.shape[1], 0)
        for i in range(self.cfg.t["num_hidden_layers"]):
            x, _, _ = self._layer(i, x, mask)
        return self.lm_head(x)


def _greedy_pick(logits_row):
    top2 = torch.topk(logits_row, 2)
    tok = int(torch.argmax(logits_row))  # first index among exact ties, like torch.argmax in HF
    return tok, float(top2.values[0] - top2.values[1])


@torch.no_grad()
def generate_hf_style(model, pixel_values, prompt_ids, max_new_tokens, eos_token_id=102, suppress_eos=False,
                      keep_logits=False):
    """Greedy search as HF generate(): step 0 feeds the whole prompt, later steps feed the last
    token + text KV cache, and pixel_values are re-encoded at every step."""
    ids = list(prompt_ids)
    inp = torch.tensor([ids])
    cache = None
    out = {"margins": [], "step_logits": [], "top5": []}
    for step in range(max_new_tokens):
        logits, cache, parts = model.forward_hf(pixel_values, inp, cache)
        row = logits[0, -1].clone()
        if suppress_eos:
            row[eos_token_id] = float("-inf")
        if step == 0:
            out["parts"] = parts
            out["first_logits"] = logits[0, -1].clone()
        if keep_logits:
            out["step_logits"].append(row.clone())
        tv = torch.topk(row, 5)
        out["top5"].append([[int(i), float(v)] for v, i in zip(tv.values, tv.indices)])
        tok, margin = _greedy_pick(row)
        out["margins"].append(margin)
        ids.append(tok)
        inp = torch.tensor([[tok]])
        if tok == eos_token_id:
            break
    out["ids"] = ids
    return out


@torch.no_grad()
def generate_efficient(model, pixel_values, prompt_ids, max_new_tokens, eos_token_id=102, suppress_eos=False,
                       keep_logits=False):
    img_kv = model.encode_image_kv(pixel_values)
    ids = list(prompt_ids)
    inp = torch.tensor([ids])
    cache = None
    out = {"margins": [], "step_logits": []}
    for step in range(max_new_tokens):
        logits, cache = model.step_efficient(img_kv, inp, cache)
        row = logits[0, -1].clone()
        if suppress_eos:
            row[eos_token_id] = float("-inf")
        if step == 0:
            out["first_logits"] = logits[0, -1].clone()
        if keep_logits:
            out["step_logits"].append(row.clone())
        tok, margin = _greedy_pick(row)
        out["margins"].append(margin)
        ids.append(tok)
        inp = torch.tensor([[tok]])
        if tok == eos_token_id:
            break
    out["ids"] = ids
    return out


# ----------------------------------------------------------------------------------------------
# image preprocessing (slow HF image processors, PIL based)
# ----------------------------------------------------------------------------------------------
def resize_output_size(height, width, shortest_edge):
    """transformers.image_transforms.get_resize_output_image_size(default_to_square=False)."""
    short, long = (width, height) if width <= height else (height, width)
    new_short, new_long = shortest_edge, int(shortest_edge * long / short)
    return (new_long, new_short) if width <= height else (new_short, new_long)  # (h, w)


def preprocess_one(img, pp, return_intermediate=False):
    """One PIL image -> float32 [3, crop_h, crop_w], following the configured HF processor."""
    kind = pp.get("image_processor_type", "CLIPImageProcessor")
    if kind == "CLIPImageProcessor":
        if pp.get("do_convert_rgb", True) and img.mode != "RGB":
            img = img.convert("RGB")  # plain PIL conversion: RGBA/LA drop alpha, P -> palette colours, L -> grey
    elif kind == "VideoMAEImageProcessor":
        pass  # VideoMAEImageProcessor has no RGB conversion; frames are expected to be RGB already
    else:
        raise NotImplementedError(kind)
    arr = np.array(img)
    if arr.ndim == 2:
        arr = arr[:, :, None]
    if arr.shape[-1] != 3:
        raise ValueError(f"expected 3 channels, got {arr.shape}")
    if pp.get("do_resize", True):
        size = pp.get("size", {"shortest_edge": 224})
        if "shortest_edge" in size:
            h, w = resize_output_size(arr.shape[0], arr.shape[1], size["shortest_edge"])
        else:
            h, w = size["height"], size["width"]
        resample = pp.get("resample", 3 if kind == "CLIPImageProcessor" else 2)
        arr = np.array(Image.fromarray(arr).resize((w, h), resample=resample))
    if pp.get("do_center_crop", True):
        cs = pp.get("crop_size", {"height": 224, "width": 224})
        ch, cw = int(cs["height"]), int(cs["width"])
        H, W = arr.shape[:2]
        top, left = (H - ch) // 2, (W - cw) // 2
        if top < 0 or left < 0:
            raise NotImplementedError("zero padding branch of center_crop not implemented")
        arr = arr[top:top + ch, left:left + cw]
    u8 = arr.copy()
    x = arr
    if pp.get("do_rescale", True):
        x = (x.astype(np.float64) * pp.get("rescale_factor", 1 / 255)).astype(np.float32)
    if pp.get("do_normalize", True):
        if not np.issubdtype(x.dtype, np.floating):
            x = x.astype(np.float32)
        mean = np.array(pp["image_mean"], dtype=x.dtype)
        std = np.array(pp["image_std"], dtype=x.dtype)
        x = (x - mean) / std
    x = np.ascontiguousarray(x.transpose(2, 0, 1))
    return (x, u8) if return_intermediate else x


def preprocess(images, pp, return_intermediate=False):
    """CLIPImageProcessor: list of images -> [N,3,H,W].
    VideoMAEImageProcessor: list of frames (one video) -> [1,F,3,H,W]."""
    res = [preprocess_one(im, pp, True) for im in images]
    x = np.stack([r[0] for r in res])
    u8 = np.stack([r[1] for r in res])
    if pp.get("image_processor_type") == "VideoMAEImageProcessor":
        x = x[None]
    x = torch.from_numpy(x)
    return (x, u8) if return_intermediate else x
