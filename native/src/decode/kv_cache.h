// Decoder keys and values kept between graphs.
//
// image_kv: every layer's K/V of the image tokens, computed once per input by the image prefix
// and shared read-only by all sequences (beams) decoding that input.
// text_kv: one sequence's K/V of its text tokens, appended one step at a time.
// Layouts are the ones ggml_mul_mat wants: K [hd, n, H], V transposed [n, hd, H]; the image V
// is kept as rows [hd, n, H] like K where the decode steps read it with gitcap's CPU operation
// (image_attention_op.h), so that the prefix writes it without a transposing copy.
#pragma once

#include "model/model.h"

#include <memory>
#include <vector>

namespace gitcap {

class kv_store {
public:
    kv_store(const model & m, int n_tokens, ggml_type type, bool v_rows = false);
    ~kv_store();
    kv_store(const kv_store &) = delete;
    kv_store & operator=(const kv_store &) = delete;

    std::vector<ggml_tensor *> k, v; // per layer
    int capacity;

private:
    ggml_context * ctx_ = nullptr;
    ggml_backend_buffer_t buf_ = nullptr;
};

struct image_kv {
    image_kv(const model & m, int n_img, ggml_type type, bool v_rows) : store(m, n_img, type, v_rows), n_img(n_img), v_rows(v_rows) {}
    kv_store store;
    int n_img;
    bool v_rows; // V as [hd, n, H] rows, else transposed
};

struct text_kv {
    text_kv(const model & m, int capacity, ggml_type type) : store(m, capacity, type) {}
    kv_store store;
    int n_past = 0;

    // Copies the first n_past positions of `src` (beam search reorders sequences).
    void copy_from(const text_kv & src);
};

} // namespace gitcap
