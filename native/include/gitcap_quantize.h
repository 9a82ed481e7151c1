// Row-wise quantization of float32 weights to ggml's block types, and back, for the converter
// (weights-convert/ through the addon's quantize()/dequantize()). Plain C++ over ggml's
// ggml_quantize_chunk and type traits; every size is checked here, so ggml never asserts.
#pragma once

#include "ggml.h"

#include <cstddef>
#include <cstdint>
#include <string>

namespace gitcap {

// The types the converter writes: f32, f16, q8_0, q5_0, q5_1, q4_0, q4_1, q6_K, q5_K, q4_K
// (ggml_type_name spelling). Throws std::invalid_argument for any other name.
ggml_type quant_type_from_name(const std::string & name);

// Elements per block and bytes per block of `type`.
int64_t quant_block_size(ggml_type type);
size_t quant_type_size(ggml_type type);

// Bytes of one row of n_per_row elements. Throws std::invalid_argument unless n_per_row is a
// positive multiple of the block size.
size_t quant_row_size(ggml_type type, int64_t n_per_row);

// src: n_rows * n_per_row floats; dst: n_rows * quant_row_size(type, n_per_row) bytes.
// Rows are split over up to n_threads threads (ggml's quantizers are thread-safe once initialized).
void quantize_rows(ggml_type type, const float * src, void * dst, int64_t n_rows, int64_t n_per_row, int n_threads);

// The inverse: src holds n_rows rows of `type`, dst receives n_rows * n_per_row floats.
void dequantize_rows(ggml_type type, const void * src, float * dst, int64_t n_rows, int64_t n_per_row);

} // namespace gitcap
