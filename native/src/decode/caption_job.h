// One captioning request as a resumable state machine, so that a worker can interleave or batch
// the decode steps of many requests:  encode() once, then step_jobs() until every job is done().
#pragma once

#include "decode/runner.h"

#include <chrono>
#include <random>

namespace gitcap {

class caption_job {
public:
    caption_job(detail::runner_impl & r, const generate_params & params);

    // Stage 1: vision tower and image prefix (throws gitcap::error).
    void encode(const pixel_batch & pixels);
    bool done() const { return done_; }
    const generation & result() const { return result_; }

    // How many sequences the next step extends (1, or the live beams).
    size_t pending_items() const { return prompt_fed_ ? beams_.size() : 1; }
    // Sequences to extend in the next step and their new tokens.
    void collect(std::vector<decode_item> & items, std::vector<std::vector<int32_t>> & tokens);
    // Consumes the logits of the items collect() added (same order); step_ms: the step's compute time.
    void advance(std::vector<std::vector<float>>::const_iterator logits, double step_ms);
    void abort_if_requested() const;

private:
    struct beam {
        std::unique_ptr<text_kv> kv;
        std::vector<int32_t> ids;   // new tokens
        float score = 0;            // sum of log-probs (beam search)
        int32_t pending = -1;       // token to feed at the next step
    };
    struct hypothesis {
        std::vector<int32_t> ids;
        float score;
    };

    void choose_single(std::vector<float> logits);
    void choose_beams(const std::vector<std::vector<float>> & logits);
    void process_scores(std::vector<float> & scores, const beam & b) const;
    void finish_beams(bool add_running);
    void emit(int32_t id);
    int capacity() const;

    detail::runner_impl & runner_;
    generate_params params_;
    int32_t eos_;
    std::shared_ptr<image_kv> image_;
    std::vector<beam> beams_;
    std::vector<hypothesis> finished_;
    std::mt19937_64 rng_;
    bool prompt_fed_ = false;
    bool done_ = false;
    generation result_;
    std::chrono::steady_clock::time_point t_start_;
};

// One decode step for every job that is not done, in a single batched graph.
void step_jobs(detail::runner_impl & r, const std::vector<caption_job *> & jobs);

} // namespace gitcap
