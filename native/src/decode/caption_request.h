// What a worker's request means in runner calls: the input's pictures decoded and preprocessed,
// the prompt tokenized, then score() or the caption's stages, and the caption's texts at the end.
// The worker (gitcap_worker.h) only queues, batches and reports.
#pragma once

#include "decode/caption_job.h"
#include "decode/runner.h"
#include "gitcap_tokenizer.h"
#include "gitcap_worker.h"

#include <functional>
#include <memory>
#include <string>

namespace gitcap {

// Decodes and preprocesses the input's pictures exactly as the model's image processor does.
pixel_batch request_pixels(const model & m, const request_input & in);

// A score request from start to end.
void run_score_request(detail::runner_impl & r, const score_request & req, const abort_callback & should_abort,
                       score_output & out);

// A caption between its first stage and its end: the resumable job and the detokenizer of the
// pieces it streams.
struct caption_in_progress {
    std::unique_ptr<caption_job> job;
    std::unique_ptr<DecodeStream> stream;
};

// The caption's first stage: pixels, prompt ids, then the vision tower and image prefix. Each new
// token is reported to `on_piece` with the text it makes final. Sets out.prompt_ids and
// out.preprocess_ms.
caption_in_progress start_caption_request(detail::runner_impl & r, const caption_request & req, const abort_callback & should_abort,
                                          std::function<void(int32_t id, const std::string & piece)> on_piece,
                                          caption_output & out);

// Once the job is done: out.gen, out.text and out.full_text. Returns the text the stream still
// held back (reported as a last piece).
std::string finish_caption_request(const model & m, caption_in_progress & c, caption_output & out);

} // namespace gitcap
