// The runner's internals: scheduler, the two stages (encode an input, decode a step).
#pragma once

#include "gitcap.h"
#include "decode/kv_cache.h"
#include "graph/text_graph.h"

#include <functional>
#include <memory>
#include <vector>

namespace gitcap::detail {

struct encode_result {
    std::shared_ptr<image_kv> kv;
    std::vector<debug_tensor> debug;
    double vision_ms = 0, prefix_ms = 0;
};

struct runner_impl {
    explicit runner_impl(std::shared_ptr<const model> m);
    ~runner_impl();

    // Vision tower + projection, then the image prefix through the decoder.
    encode_result encode(const pixel_batch & pixels, const std::vector<std::string> & debug_names,
                         const abort_callback & should_abort);

    // Appends items[i].n_new tokens (tokens[i]) to each sequence and returns the logits,
    // [n_out][vocab] in item order (n_out = 1, or n_new when all_logits). Advances n_past.
    std::vector<std::vector<float>> decode(const std::vector<decode_item> & items,
                                           const std::vector<std::vector<int32_t>> & tokens);

    std::unique_ptr<text_kv> new_text_kv(int capacity) const;
    // Most sequences one decode graph may hold (graph_context::max_nodes bounds its size).
    size_t max_batch_items() const;

    std::shared_ptr<const model> m;

private:
    // Allocates and computes `g` while holding the process-wide compute lock: `inputs` fills the
    // graph's inputs once allocated, `outputs` reads the results. `should_abort` may stop the CPU
    // backend between two operations (error aborted).
    void compute(graph_context & g, const char * what, const std::function<void(ggml_cgraph *)> & inputs,
                 const std::function<void()> & outputs, const abort_callback & should_abort = {});

    ggml_backend_sched_t sched_ = nullptr;
    const abort_callback * active_abort_ = nullptr; // read by the CPU backend during compute()
    ggml_type kv_type_;
    bool fused_attention_ = true;
    attention_kind cpu_attention_ = attention_kind::none;
};

// score() on a runner's internals (decode/score.cpp), for the worker, which owns a runner_impl.
score_result score(runner_impl & r, const pixel_batch & pixels, const std::vector<int32_t> & prompt_ids,
                   const std::vector<int32_t> & text_ids, bool want_logits, const abort_callback & should_abort);

} // namespace gitcap::detail
