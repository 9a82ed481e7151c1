// gitcap: Microsoft's GIT (GenerativeImage2Text) captioning model on ggml, as a small C++ library.
//
//   auto model = gitcap::load_model("git-base-vatex-q8_0.gguf", gitcap::model_params{});
//   gitcap::runner runner(model);                           // one per worker thread
//   gitcap::pixel_batch pixels = ...;                       // [frames, 3, H, W], see gitcap_image.h;
//                                                           // is_video = true for the frames of a video
//   gitcap::generate_params gp;                             // greedy, 20 new tokens
//   gitcap::generation out = gitcap::generate(runner, pixels, gp);
//   std::string caption = gitcap::get_tokenizer(*model).decode(out.ids);   // gitcap_tokenizer.h
//
// The other public headers: gitcap_tokenizer.h (the BERT tokenizer, streaming detokenizer),
// gitcap_image.h (image decoding, the Hugging Face image processors), gitcap_worker.h (a model's
// job queue with continuous batching), gitcap_quantize.h (ggml's quantizers by row) and
// gitcap_cpu.h (which of gitcap's CPU kernels this machine runs).
//
// A model is read-only once loaded and may be shared by many runners and threads; a runner holds
// the per-call state (scheduler, compute buffers, KV caches) and is used by one thread at a time.
// Graph computations are serialized process-wide: ggml's CPU thread pool busy-waits, so two
// graphs computing at once on the same cores cost far more than running them in turn.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace gitcap {

enum class error_code { model_format, input, unsupported, backend, aborted, invalid_argument, busy, disposed, internal };

// Every failure of the library is a gitcap::error with a code and a message that says what to do.
class error : public std::runtime_error {
public:
    error(error_code code, const std::string & message) : std::runtime_error(message), code_(code) {}
    error_code code() const { return code_; }
    const char * code_name() const;

private:
    error_code code_;
};

using abort_callback = std::function<bool()>; // true = abort now

struct model_params {
    std::string backend = "auto"; // "auto" | "cpu" | "cuda" | "metal" | "vulkan"
    int n_threads = 0;            // CPU threads; 0 = physical cores (at most the available CPUs)
    bool use_mmap = true;         // CPU weights straight from the mapped file, never copied
};

struct model_info {
    std::string name;
    std::string file_type;        // "f32", "q8_0", ...
    std::string backend;          // device actually used for weights, e.g. "CPU", "CUDA0"
    int n_threads = 0;
    // text decoder
    int vocab_size = 0, hidden_size = 0, n_layers = 0, n_heads = 0, intermediate_size = 0, max_positions = 0;
    // vision tower
    int vision_hidden_size = 0, vision_layers = 0, vision_heads = 0, image_size = 0, patch_size = 0;
    int num_frames = 0;           // frames per input (1 for single-image models)
    int image_tokens = 0;         // tokens the decoder sees per input (frames * (1 + patches))
    int bos_id = 0, eos_id = 0, pad_id = 0;
    int max_length = 20;          // generation default (counts the prompt)
    size_t weights_bytes = 0;     // size of the weights in memory or mapped
    // "int8-avx512vnni" when the q8_0 / q4_0 linear layers run on the repacked int8 kernels,
    // "ggml-repack" on ggml's repacked layouts (arm64), else "ggml"
    std::string matmul_kernel = "ggml";
    size_t file_bytes = 0;
};

class Tokenizer;
struct preprocess_params;

class model;
std::shared_ptr<const model> load_model(const std::string & path, const model_params & params);
const model_info & get_info(const model & m);
const Tokenizer & get_tokenizer(const model & m);
const preprocess_params & get_preprocess_params(const model & m);

// Pixel values exactly as the Hugging Face processor makes them: float32 [n_images, 3, H, W].
// A video (is_video) is several frames of one input, each with its temporal embedding, as
// transformers' 5-D pixel_values; otherwise n_images must be 1 (4-D pixel_values).
struct pixel_batch {
    std::vector<float> data;
    int n_images = 0, channels = 3, height = 0, width = 0;
    bool is_video = false;
};

// Named intermediate tensors (vision.frame0, vision.temporal, vision.projected) copied out for checks.
struct debug_tensor {
    std::string name;
    std::vector<int64_t> shape; // outermost first, as PyTorch prints it
    std::vector<float> data;
};

struct generate_params {
    std::vector<int32_t> prompt_ids;  // empty = [bos]; VQA: [bos] + question ids
    int max_new_tokens = 20;
    int min_new_tokens = 0;           // eos suppressed until reached
    int num_beams = 1;
    float length_penalty = 1.0f;      // beam search: score / length^penalty
    bool early_stopping = false;      // beam search: transformers' default heuristic when false
    float temperature = 0.0f;         // 0 = greedy / beam; > 0 = sampling
    int top_k = 0;                    // sampling: 0 = off
    float top_p = 1.0f;               // sampling: 1 = off
    uint64_t seed = 0;
    float repetition_penalty = 1.0f;  // transformers' RepetitionPenaltyLogitsProcessor
    // called with each new token of the (best) sequence; return false to abort
    std::function<bool(int32_t id)> on_token;
    abort_callback should_abort;
    std::vector<std::string> debug_tensors; // names to copy out (tests)
};

// The numeric and boolean fields of generate_params under the names callers outside C++ use
// (the Node addon's caption options): visit(name, field) for each. A new option is a member above
// and one line here; prompt_ids, the callbacks and debug_tensors are not plain values and are
// set by hand.
template <typename Params, typename Visit> void for_each_generate_field(Params & p, Visit && visit) {
    visit("maxNewTokens", p.max_new_tokens);
    visit("minNewTokens", p.min_new_tokens);
    visit("numBeams", p.num_beams);
    visit("lengthPenalty", p.length_penalty);
    visit("earlyStopping", p.early_stopping);
    visit("temperature", p.temperature);
    visit("topK", p.top_k);
    visit("topP", p.top_p);
    visit("seed", p.seed);
    visit("repetitionPenalty", p.repetition_penalty);
}

struct stage_timings {
    double vision_ms = 0, prefix_ms = 0, decode_ms = 0, total_ms = 0;
    int decode_steps = 0;
};

struct generation {
    std::vector<int32_t> ids;         // new tokens only (eos kept when produced)
    bool stopped_by_eos = false;
    float score = 0;                  // beam search: the sequence score
    std::vector<float> first_logits;  // logits at the first step (before any processor)
    std::vector<debug_tensor> debug;
    stage_timings timings;
};

struct score_result {
    std::vector<float> token_logprobs; // log P(text[i] | image, prompt, text[<i])
    float total = 0;
    std::vector<float> logits;         // [n_text, vocab] when requested
};

namespace detail { struct runner_impl; }

class runner;

// Captions `pixels`: greedy, beam search or sampling as `params` say.
generation generate(runner & r, const pixel_batch & pixels, const generate_params & params);
// Log-probabilities of `text_ids` after the image and `prompt_ids` (empty = [bos]).
score_result score(runner & r, const pixel_batch & pixels, const std::vector<int32_t> & prompt_ids,
                   const std::vector<int32_t> & text_ids, bool want_logits, const abort_callback & should_abort);

// Per-thread working state for one model: backend scheduler, compute buffers and the KV caches
// of the sequences it decodes. Not thread-safe: use one runner per thread.
class runner {
public:
    explicit runner(std::shared_ptr<const model> m);
    ~runner();
    runner(const runner &) = delete;
    runner & operator=(const runner &) = delete;

private:
    friend generation generate(runner &, const pixel_batch &, const generate_params &);
    friend score_result score(runner &, const pixel_batch &, const std::vector<int32_t> &, const std::vector<int32_t> &, bool,
                              const abort_callback &);
    std::unique_ptr<detail::runner_impl> impl_;
};

} // namespace gitcap
