// The BERT-style decoder: the image prefix (once per input) and the text steps (per token).
#pragma once

#include "graph/graph_context.h"
#include "decode/kv_cache.h"

#include <vector>

namespace gitcap {

// Input "image_features" [D, n_img]. Runs the image tokens through the decoder layers (they attend
// only to each other) and writes every layer's image K/V into `kv`. The last layer's image outputs
// are never used by text tokens, so only its K/V are computed.
void build_prefix_graph(graph_context & g, const model & m, const image_kv & kv);

// One sequence's share of a decode step: n_new tokens appended after its n_past text tokens.
struct decode_item {
    const image_kv * image = nullptr;
    text_kv * text = nullptr;
    int n_new = 1;
    bool all_logits = false; // logits of every new token (scoring), else only of the last
};

// Inputs "tokens" [T] and "positions" [T] (i32, T = sum of n_new), "mask.<i>" for items with
// n_new > 1, "out_rows" [n_out]. Output "logits" [vocab, n_out], items in order.
// Writes the new tokens' K/V into each item's text cache (the caller advances n_past).
ggml_tensor * build_decode_graph(graph_context & g, const model & m, const std::vector<decode_item> & items);

// Additive mask for an item with n_new > 1: image keys visible, text keys causal.
std::vector<float> decode_mask(const decode_item & item);

} // namespace gitcap
