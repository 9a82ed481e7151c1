// One graph under construction: its ggml context (metadata only), the graph, and which named
// intermediates the caller wants copied out after compute (for layer-by-layer comparisons).
#pragma once

#include "kernels/attention_op.h"

#include "ggml.h"

#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

namespace gitcap {

class packed_weights;

class graph_context {
public:
    // Upper bound of any graph's node count; the scheduler is sized for it once.
    static constexpr size_t max_nodes = 16384;

    // `nodes`: a bound on this graph's nodes (its metadata is allocated for that many).
    explicit graph_context(size_t nodes, const std::vector<std::string> & wanted = {});
    ~graph_context();
    graph_context(const graph_context &) = delete;
    graph_context & operator=(const graph_context &) = delete;

    // Whether the backend computes attention with ggml_flash_attn_ext (set by the runner).
    bool fused_attention = true;
    // Whether attention runs on gitcap's AVX-512 CPU kernel (attention_op.h; set by the runner).
    attention_kind cpu_attention = attention_kind::none; // gitcap's attention kernel, if any
    // Whether LayerNorm (layer_norm_op.h) and the decode steps' image attention products
    // (image_attention_op.h) run as gitcap's CPU operations (set by the runner).
    bool cpu_fused_ops = false;
    // Linear weights repacked for the int8 kernel (set by the runner on the CPU), or null.
    const packed_weights * packed = nullptr;
    // Activations already quantized for the int8 kernel in this graph, by their f32 tensor: the
    // q, k and v projections (and the decode steps' three) read one copy.
    std::unordered_map<const ggml_tensor *, ggml_tensor *> int8_inputs;

    ggml_context * ctx() const { return ctx_; }
    ggml_cgraph * graph() const { return gf_; }

    // A graph input, filled after allocation by name.
    ggml_tensor * input(const char * name, ggml_type type, int64_t ne0, int64_t ne1 = 1, int64_t ne2 = 1, int64_t ne3 = 1);
    bool wants(const char * name) const { return wanted_.count(name) != 0; }
    // Names an intermediate; when the caller asked for it, copies it out of the allocator's reach.
    ggml_tensor * named(ggml_tensor * t, const char * name);
    void output(ggml_tensor * t, const char * name);
    const std::vector<ggml_tensor *> & debug_outputs() const { return debug_; }

private:
    std::unique_ptr<uint8_t[]> meta_; // tensor and graph metadata only, never zeroed
    size_t meta_size_;
    ggml_context * ctx_ = nullptr;
    ggml_cgraph * gf_ = nullptr;
    std::set<std::string> wanted_;
    std::vector<ggml_tensor *> debug_;
};

} // namespace gitcap
