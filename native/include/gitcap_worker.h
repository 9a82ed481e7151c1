// A model's worker thread: runs every request for one model in turn on its own runner, and
// batches the decode steps of all captions in progress into one graph (continuous batching), so
// that N concurrent captions share each pass over the decoder weights.
//
// Requests are queued (bounded); each reports through callbacks invoked on the worker thread.
#pragma once

#include "gitcap.h"
#include "gitcap_image.h"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace gitcap {

// One picture of an input: an encoded file (PNG/JPEG/GIF bytes) or decoded pixels.
struct image_source {
    std::vector<uint8_t> encoded;
    image_u8 pixels; // used when `encoded` is empty
};

struct request_input {
    std::optional<pixel_batch> pixels; // already preprocessed (then `images` is empty)
    std::vector<image_source> images;
    bool is_video = false;          // frames of one video (temporal embeddings), else one image
    uint64_t max_pixels = 0;        // decoding limit; 0 = the decoder's default
};

struct caption_request {
    request_input input;
    std::optional<std::string> prompt;  // VQA question, tokenized without special tokens after [CLS]
    generate_params params;             // its callbacks are set by the worker
};

struct score_request {
    request_input input;
    std::optional<std::string> prompt;
    std::string text;
    std::optional<std::vector<int32_t>> ids; // token ids to score instead of `text`
    bool include_eos = true;
    bool want_logits = false;
};

struct caption_output {
    generation gen;
    std::vector<int32_t> prompt_ids;
    std::string text;       // the new tokens, decoded (skip special tokens, clean-up)
    std::string full_text;  // prompt + new tokens decoded together, as transformers' batch_decode
    double preprocess_ms = 0;
};

struct score_output {
    score_result scores;
    std::vector<int32_t> text_ids;
};

struct job_callbacks {
    std::function<void(int32_t id, const std::string & piece)> on_token; // caption only
    std::function<void()> on_done;                                       // after the result is set
    std::function<void(const error & e)> on_error;
};

class worker {
public:
    worker(std::shared_ptr<const model> m, size_t max_queue);
    ~worker(); // shutdown() + join
    worker(const worker &) = delete;
    worker & operator=(const worker &) = delete;

    // Each returns a job id; throws error(busy) when max_queue requests are already waiting or running.
    uint64_t submit_caption(caption_request req, job_callbacks cb, std::shared_ptr<caption_output> out);
    uint64_t submit_score(score_request req, job_callbacks cb, std::shared_ptr<score_output> out);
    uint64_t submit_preprocess(request_input req, job_callbacks cb, std::shared_ptr<pixel_batch> out);

    // The job ends with error(aborted) at its next stage or token boundary (no-op when finished).
    void cancel(uint64_t id);
    // Rejects queued jobs and stops running ones with error(disposed); returns at once. Joined by ~worker.
    void shutdown();
    size_t in_flight() const;

private:
    struct state; // the queue, the jobs in progress and the thread (decode/worker.cpp)
    std::unique_ptr<state> state_;
};

} // namespace gitcap
