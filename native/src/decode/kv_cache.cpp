#include "decode/kv_cache.h"

#include <cstring>

namespace gitcap {

kv_store::kv_store(const model & m, int n_tokens, ggml_type type, bool v_rows) : capacity(n_tokens) {
    const int n_layer = m.thp.n_layer, H = m.thp.n_head, hd = m.thp.n_embd / H;
    ggml_init_params params{ggml_tensor_overhead() * 2 * n_layer, nullptr, /*no_alloc =*/true};
    ctx_ = ggml_init(params);
    if (!ctx_) throw error(error_code::internal, "could not create a KV context");
    for (int il = 0; il < n_layer; il++) {
        k.push_back(ggml_new_tensor_3d(ctx_, type, hd, n_tokens, H));
        v.push_back(v_rows ? ggml_new_tensor_3d(ctx_, type, hd, n_tokens, H) : ggml_new_tensor_3d(ctx_, type, n_tokens, hd, H));
    }
    buf_ = ggml_backend_alloc_ctx_tensors(ctx_, m.backends[0]);
    if (!buf_) {
        ggml_free(ctx_);
        throw error(error_code::backend, "not enough memory for the decoder's key/value cache");
    }
    // not cleared: a position is always written before any graph reads it
}

kv_store::~kv_store() {
    ggml_backend_buffer_free(buf_);
    ggml_free(ctx_);
}


void text_kv::copy_from(const text_kv & src) {
    for (size_t il = 0; il < store.k.size(); il++) {
        ggml_backend_tensor_copy(src.store.k[il], store.k[il]);
        ggml_backend_tensor_copy(src.store.v[il], store.v[il]);
    }
    n_past = src.n_past;
}

} // namespace gitcap
