// Scaled dot-product attention for x86 CPUs with AVX-512, used in place of ggml's CPU flash
// attention for the vision tower and the image prefix (no mask: every query sees every key).
// ggml's version re-packs K and V for every tile of queries; this one works on 32 queries at a
// time with the queries in the vector lanes, so that scores, the online softmax and the
// weighted sum of values are all lane-wise (broadcasts, no transposes, no horizontal sums).
// Each head's K and V are copied once to contiguous rows, which every tile of queries then walks.
// f32 throughout, with the running-max (flash) softmax. On CPUs with AMX-BF16, models with
// quantized weights use attention_amx.h instead (same interface, bf16 tile products, several
// times faster); models with f32 weights keep this one unless GITCAP_ATTENTION=amx.
#pragma once

#include <cstddef>
#include <cstdint>

namespace gitcap::attention_kernel {

constexpr int max_head_dim = 256; // head sizes: multiples of 16 up to this

// Rows of one of q, k, v: token t of head h in batch b starts at data + t*token_stride +
// h*head_stride + b*batch_stride (bytes) and holds head_dim contiguous floats.
struct view {
    const uint8_t * data;
    size_t token_stride, head_stride, batch_stride;
    const float * row(int64_t token, int64_t head, int64_t batch) const {
        return reinterpret_cast<const float *>(data + token * token_stride + head * head_stride + batch * batch_stride);
    }
};

// Whether this CPU runs it (AVX-512 F) and this build has it.
bool available();

// out[b*n + t][h*head_dim + d] = softmax_j(q_t . k_j * scale) . v_j[d], for every head and
// batch; out rows are out_token_stride bytes apart. Thread `ith` of `nth` computes its share.
void run(const view & q, const view & k, const view & v, float * out, size_t out_token_stride, int64_t n,
         int64_t heads, int64_t batch, int head_dim, float scale, int ith, int nth);

} // namespace gitcap::attention_kernel
