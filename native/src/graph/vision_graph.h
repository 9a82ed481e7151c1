// The vision tower (CLIP ViT) + temporal embeddings + visual projection, all frames in one graph.
#pragma once

#include "graph/graph_context.h"
#include "model/model.h"

namespace gitcap {

// Input "pixels" [W, H, C, frames] (PyTorch [frames, C, H, W]). A video's frames get their
// temporal embeddings; a single image (frames = 1, !video) gets none, as in transformers.
// Output "image_features" [D, frames * tokens_per_image], the decoder's image tokens.
// Debug names: vision.frame0 [Dv, 1+P], vision.temporal [Dv, frames*(1+P)], vision.projected.
ggml_tensor * build_vision_graph(graph_context & g, const model & m, int n_frames, bool video);

} // namespace gitcap
