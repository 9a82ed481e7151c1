#!/usr/bin/env python3
"""Export microsoft/git-base-vatex (GitForCausalLM layout) to three ONNX graphs for ONNX Runtime.

usage: /usr/bin/python3 export_onnx.py MODEL_DIR OUT_DIR [--opset 17] [--frames DIR]

  vision.onnx : pixel_values [6,3,224,224] -> image_features [1, 6*197, 768]
                (CLIP ViT-B/16 over the 6 frames as one batch, temporal embeddings, visual projection + LN)
  prefix.onnx : image_features [1,N,768] -> per decoder layer image keys (pre-transposed, [1,12,64,N])
                and values ([1,12,N,64]); image tokens only attend to image tokens (GIT mask)
  step.onnx   : input_ids [1,T], img_k{i}/img_v{i} (from prefix), past_k{i}/past_v{i} [1,12,P,64]
                (P may be 0) -> logits [1,T,30522], present_k{i}/present_v{i} [1,12,P+T,64]
                Encode-once style: attention over [image keys ; past text ; new text] is computed as two
                score blocks (image, text) with one softmax, so the 6x2 image K/V are never concatenated.

Every linear layer (the patch embedding included, written as an im2col reshape + MatMul) is a MatMul with
an f32 initializer, so quantize_int8.py can rewrite them. The math follows git_torch.GitRef (../git_torch.py) exactly and
the script checks every module against it; ort-peer.mjs --verify checks the graphs run by ONNX Runtime.
"""
import argparse
import glob
import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
import git_torch as ref_git  # noqa: E402


def P(t):
    return nn.Parameter(t.detach().clone().float(), requires_grad=False)


class Lin(nn.Module):
    def __init__(self, sd, name):
        super().__init__()
        self.wt = P(sd[name + ".weight"].t().contiguous())  # [in, out] -> plain MatMul
        self.b = P(sd[name + ".bias"]) if (name + ".bias") in sd else None

    def forward(self, x):
        y = torch.matmul(x, self.wt)
        return y + self.b if self.b is not None else y


class LN(nn.Module):
    def __init__(self, sd, name, eps):
        super().__init__()
        self.w = P(sd[name + ".weight"])
        self.b = P(sd[name + ".bias"])
        self.eps = eps
        self.d = int(self.w.shape[0])

    def forward(self, x):
        return F.layer_norm(x, (self.d,), self.w, self.b, self.eps)


class VisionLayer(nn.Module):
    def __init__(self, sd, q, v):
        super().__init__()
        eps = v["layer_norm_eps"]
        self.ln1 = LN(sd, q + "layer_norm1", eps)
        self.ln2 = LN(sd, q + "layer_norm2", eps)
        self.q = Lin(sd, q + "self_attn.q_proj")
        self.k = Lin(sd, q + "self_attn.k_proj")
        self.v = Lin(sd, q + "self_attn.v_proj")
        self.o = Lin(sd, q + "self_attn.out_proj")
        self.fc1 = Lin(sd, q + "mlp.fc1")
        self.fc2 = Lin(sd, q + "mlp.fc2")
        self.H = v["num_attention_heads"]
        self.hd = v["hidden_size"] // self.H

    def forward(self, x):
        B, L, D = x.shape
        H, hd = self.H, self.hd
        h = self.ln1(x)
        Q = self.q(h).view(B, L, H, hd).transpose(1, 2)
        K = self.k(h).view(B, L, H, hd).permute(0, 2, 3, 1)  # [B,H,hd,L]
        V = self.v(h).view(B, L, H, hd).transpose(1, 2)
        a = torch.softmax(torch.matmul(Q, K) * (hd ** -0.5), dim=-1)
        o = torch.matmul(a, V).transpose(1, 2).reshape(B, L, D)
        x = x + self.o(o)
        h = self.ln2(x)
        h = self.fc1(h)
        h = h * torch.sigmoid(1.702 * h)
        return x + self.fc2(h)


class Vision(nn.Module):
    """pixel_values [F,3,224,224] (the frames of one video) -> projected features [1, F*197, 768]."""

    def __init__(self, cfg, sd, n_frames):
        super().__init__()
        v = cfg.v
        p = "git.image_encoder.vision_model."
        self.ps = v["patch_size"]
        self.ns = v["image_size"] // self.ps
        w = sd[p + "embeddings.patch_embedding.weight"]  # [D, 3, ps, ps]
        self.patch_wt = P(w.reshape(w.shape[0], -1).t().contiguous())  # [3*ps*ps, D]
        self.cls = P(sd[p + "embeddings.class_embedding"])
        self.pos = P(sd[p + "embeddings.position_embedding.weight"])
        self.pre = LN(sd, p + "pre_layrnorm", v["layer_norm_eps"])
        self.layers = nn.ModuleList([VisionLayer(sd, p + f"encoder.layers.{i}.", v) for i in range(v["num_hidden_layers"])])
        self.post = LN(sd, p + "post_layernorm", v["layer_norm_eps"])
        self.temporal = P(torch.stack([sd[f"git.img_temperal_embedding.{f}"].reshape(1, -1) for f in range(n_frames)]))  # [F,1,D]
        self.proj = Lin(sd, "git.visual_projection.visual_projection.0")
        self.proj_ln = LN(sd, "git.visual_projection.visual_projection.1", v["layer_norm_eps"])

    def forward(self, pix):
        Fr = pix.shape[0]
        ps, ns = self.ps, self.ns
        D = self.pos.shape[1]
        # im2col: [F,3,ns,ps,ns,ps] -> [F,ns,ns,3,ps,ps] -> [F, ns*ns, 3*ps*ps]  (same order as the conv weight)
        x = pix.reshape(Fr, 3, ns, ps, ns, ps).permute(0, 2, 4, 1, 3, 5).reshape(Fr, ns * ns, 3 * ps * ps)
        x = torch.matmul(x, self.patch_wt)
        x = torch.cat([self.cls.reshape(1, 1, D).expand(Fr, 1, D), x], dim=1)
        x = x + self.pos[None]
        x = self.pre(x)
        for l in self.layers:
            x = l(x)
        x = self.post(x) + self.temporal
        x = x.reshape(1, Fr * x.shape[1], D)
        return self.proj_ln(self.proj(x))


class DecLayer(nn.Module):
    def __init__(self, sd, i, t):
        super().__init__()
        p = f"git.encoder.layer.{i}."
        eps = t["layer_norm_eps"]
        self.q = Lin(sd, p + "attention.self.query")
        self.k = Lin(sd, p + "attention.self.key")
        self.v = Lin(sd, p + "attention.self.value")
        self.o = Lin(sd, p + "attention.output.dense")
        self.ln1 = LN(sd, p + "attention.output.LayerNorm", eps)
        self.fi = Lin(sd, p + "intermediate.dense")
        self.fo = Lin(sd, p + "output.dense")
        self.ln2 = LN(sd, p + "output.LayerNorm", eps)
        self.H = t["num_attention_heads"]
        self.hd = t["hidden_size"] // self.H

    def ffn(self, c, x):
        h = self.ln1(self.o(c) + x)
        m = F.gelu(self.fi(h))
        return self.ln2(self.fo(m) + h)

    def prefix(self, x):
        B, L, D = x.shape
        H, hd = self.H, self.hd
        Q = self.q(x).view(B, L, H, hd).transpose(1, 2)
        Kt = self.k(x).view(B, L, H, hd).permute(0, 2, 3, 1)  # [B,H,hd,L]
        V = self.v(x).view(B, L, H, hd).transpose(1, 2)
        a = torch.softmax(torch.matmul(Q, Kt) / math.sqrt(hd), dim=-1)
        c = torch.matmul(a, V).transpose(1, 2).reshape(B, L, D)
        return self.ffn(c, x), Kt, V

    def step(self, x, ikt, iv, pk, pv, mask):
        B, T, D = x.shape
        H, hd = self.H, self.hd
        Q = self.q(x).view(B, T, H, hd).transpose(1, 2)
        K = self.k(x).view(B, T, H, hd).transpose(1, 2)
        V = self.v(x).view(B, T, H, hd).transpose(1, 2)
        Kall = torch.cat([pk, K], dim=2)
        Vall = torch.cat([pv, V], dim=2)
        s_img = torch.matmul(Q, ikt) / math.sqrt(hd)  # [B,H,T,N]
        s_txt = torch.matmul(Q, Kall.transpose(-1, -2)) / math.sqrt(hd) + mask  # [B,H,T,P+T]
        n_img = s_img.shape[-1]
        a = torch.softmax(torch.cat([s_img, s_txt], dim=-1), dim=-1)
        c = torch.matmul(a[..., :n_img], iv) + torch.matmul(a[..., n_img:], Vall)
        c = c.transpose(1, 2).reshape(B, T, D)
        return self.ffn(c, x), Kall, Vall


class Prefix(nn.Module):
    def __init__(self, cfg, sd):
        super().__init__()
        self.layers = nn.ModuleList([DecLayer(sd, i, cfg.t) for i in range(cfg.t["num_hidden_layers"])])

    def forward(self, feats):
        x = feats
        outs = []
        for l in self.layers:
            x, Kt, V = l.prefix(x)
            outs += [Kt, V]
        return tuple(outs)


class Step(nn.Module):
    def __init__(self, cfg, sd):
        super().__init__()
        t = cfg.t
        self.nl = t["num_hidden_layers"]
        self.wemb = P(sd["git.embeddings.word_embeddings.weight"])
        self.pemb = P(sd["git.embeddings.position_embeddings.weight"])
        self.eln = LN(sd, "git.embeddings.LayerNorm", t["layer_norm_eps"])
        self.layers = nn.ModuleList([DecLayer(sd, i, t) for i in range(self.nl)])
        self.head = Lin(sd, "output")

    def forward(self, input_ids, *kv):
        # kv = img_k0, img_v0, ..., img_k5, img_v5, past_k0, past_v0, ..., past_k5, past_v5
        nl = self.nl
        img = kv[:2 * nl]
        past = kv[2 * nl:]
        T = input_ids.shape[1]
        P_ = past[0].shape[2]
        pos = torch.arange(T) + P_
        x = self.eln(self.wemb[input_ids] + self.pemb[pos][None])
        # causal part among the new tokens (past tokens are all visible)
        r = torch.arange(T)
        c = torch.arange(T + P_) - P_
        mask = torch.where(c[None, :] > r[:, None], torch.tensor(float("-inf")), torch.tensor(0.0))[None, None]
        presents = []
        for i, l in enumerate(self.layers):
            x, K, V = l.step(x, img[2 * i], img[2 * i + 1], past[2 * i], past[2 * i + 1], mask)
            presents += [K, V]
        return (self.head(x),) + tuple(presents)


def load_frames(d):
    from PIL import Image
    files = sorted(glob.glob(os.path.join(d, "clip_frame*.png")))[:6]
    assert len(files) == 6, files
    return [Image.open(f).convert("RGB") for f in files]


def diff(a, b):
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    d = np.abs(a - b)
    return float(d.max()), float(d.max() / max(np.abs(b).max(), 1e-30)), float(np.median(d / (np.abs(b) + 1e-6)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model_dir")
    ap.add_argument("out_dir")
    ap.add_argument("--opset", type=int, default=17)
    ap.add_argument("--frames", default=os.path.join(HERE, "..", "..", "..", "test", "fixtures", "inputs"))
    ap.add_argument("--only", default="vision,prefix,step", help="graphs to export")
    ap.add_argument("--skip-check", action="store_true", help="skip the PyTorch checks and reference outputs")
    a = ap.parse_args()
    only = a.only.split(",")
    os.makedirs(a.out_dir, exist_ok=True)
    torch.set_num_threads(2)
    cfg = ref_git.Cfg.load(os.path.join(a.model_dir, "config.json"))
    sd = ref_git.load_safetensors(os.path.join(a.model_dir, "model.safetensors"))
    n_frames = cfg.t["num_image_with_embedding"] or 1
    ref = ref_git.GitRef(cfg, sd)
    with open(os.path.join(a.model_dir, "preprocessor_config.json")) as f:
        pp = json.load(f)
    pix5 = ref_git.preprocess(load_frames(a.frames), pp)  # [1,6,3,224,224]
    pix = pix5[0].contiguous()
    np.save(os.path.join(a.out_dir, "pixel_values.npy"), pix.numpy())
    pix.numpy().astype("<f4").tofile(os.path.join(a.out_dir, "pixel_values.f32"))

    vis = Vision(cfg, sd, n_frames).eval()
    pre = Prefix(cfg, sd).eval()
    stp = Step(cfg, sd).eval()
    nl = cfg.t["num_hidden_layers"]
    H = cfg.t["num_attention_heads"]
    hd = cfg.t["hidden_size"] // H
    report = {}
    kv_names, past_names, pres_names = [], [], []
    for i in range(nl):
        kv_names += [f"img_k{i}", f"img_v{i}"]
        past_names += [f"past_k{i}", f"past_v{i}"]
        pres_names += [f"present_k{i}", f"present_v{i}"]
    with torch.no_grad():
        if not a.skip_check:
            # --- PyTorch-level check of the rewritten modules against GitRef ---
            f_ref = ref.visual_features(pix5)
            f_mod = vis(pix)
            report["torch_module_vs_ref_features"] = diff(f_mod, f_ref)
            kv_ref = ref.encode_image_kv(pix5)
            kv_mod = pre(f_ref)
            report["torch_module_vs_ref_imgK_layer5"] = diff(kv_mod[2 * nl - 2].permute(0, 1, 3, 2), kv_ref[-1][0])
            ids = torch.tensor([[101]])
            empty = [torch.zeros(1, H, 0, hd) for _ in range(2 * nl)]
            out = stp(ids, *kv_mod, *empty)
            lg_ref, cache_ref = ref.step_efficient(kv_ref, ids, None)
            report["torch_module_vs_ref_logits_step0"] = diff(out[0], lg_ref)
            tok = int(torch.argmax(out[0][0, -1]))
            out2 = stp(torch.tensor([[tok]]), *kv_mod, *out[1:])
            lg_ref2, _ = ref.step_efficient(kv_ref, torch.tensor([[tok]]), cache_ref)
            report["torch_module_vs_ref_logits_step1"] = diff(out2[0], lg_ref2)
            print(json.dumps(report, indent=1), flush=True)
            # reference outputs for the ORT check (ort_bench.mjs --verify)
            f_ref.numpy().astype("<f4").tofile(os.path.join(a.out_dir, "ref_features.f32"))
            kv_ref[-1][1].numpy().astype("<f4").tofile(os.path.join(a.out_dir, "ref_img_v5.f32"))
            g = ref_git.generate_efficient(ref, pix5, [101], 20, suppress_eos=True, keep_logits=True)
            torch.stack(g["step_logits"]).numpy().astype("<f4").tofile(os.path.join(a.out_dir, "ref_step_logits.f32"))
            with open(os.path.join(a.out_dir, "ref_ids.json"), "w") as f:
                json.dump({"ids": g["ids"], "margins": g["margins"]}, f)
            print("reference ids (eos suppressed):", g["ids"], flush=True)
            with open(os.path.join(a.out_dir, "export_report.json"), "w") as f:
                json.dump(report, f, indent=1)
        else:
            f_ref = torch.from_numpy(np.fromfile(os.path.join(a.out_dir, "ref_features.f32"), dtype="<f4")).reshape(1, -1, cfg.t["hidden_size"])
            kv_mod = pre(f_ref)

        # --- export ---
        if "vision" in only:
            torch.onnx.export(vis, (pix,), os.path.join(a.out_dir, "vision.onnx"), opset_version=a.opset,
                              input_names=["pixel_values"], output_names=["image_features"],
                              dynamic_axes=None, do_constant_folding=True)
            print("exported vision.onnx", flush=True)
        if "prefix" in only:
            torch.onnx.export(pre, (f_ref,), os.path.join(a.out_dir, "prefix.onnx"), opset_version=a.opset,
                              input_names=["image_features"], output_names=kv_names,
                              dynamic_axes={"image_features": {1: "n_img"},
                                            **{n: {(3 if n.startswith("img_k") else 2): "n_img"} for n in kv_names}},
                              do_constant_folding=True)
            print("exported prefix.onnx", flush=True)
        if "step" in only:
            # trace with a non-empty past so that no shape gets specialised to 0
            past3 = [torch.randn(1, H, 3, hd) for _ in range(2 * nl)]
            dyn = {"input_ids": {1: "T"}, "logits": {1: "T"}}
            for n in kv_names:
                dyn[n] = {(3 if n.startswith("img_k") else 2): "n_img"}
            for n in past_names:
                dyn[n] = {2: "P"}
            for n in pres_names:
                dyn[n] = {2: "PT"}
            torch.onnx.export(stp, (torch.tensor([[2000]]), *kv_mod, *past3), os.path.join(a.out_dir, "step.onnx"),
                              opset_version=a.opset, input_names=["input_ids"] + kv_names + past_names,
                              output_names=["logits"] + pres_names, dynamic_axes=dyn, do_constant_folding=True)
            print("exported step.onnx", flush=True)

if __name__ == "__main__":
    main()
