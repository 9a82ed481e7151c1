#include "gitcap_quantize.h"

#include <algorithm>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <vector>

namespace gitcap {

namespace {

constexpr ggml_type kTypes[] = {
    GGML_TYPE_F32,  GGML_TYPE_F16,  GGML_TYPE_Q8_0, GGML_TYPE_Q5_0, GGML_TYPE_Q5_1,
    GGML_TYPE_Q4_0, GGML_TYPE_Q4_1, GGML_TYPE_Q6_K, GGML_TYPE_Q5_K, GGML_TYPE_Q4_K,
};

// Below this many elements per thread, starting a thread costs more than it saves.
constexpr int64_t kMinElementsPerThread = 1 << 16;

void check_rows(ggml_type type, int64_t n_rows, int64_t n_per_row) {
    if (n_rows < 0) throw std::invalid_argument("nRows must not be negative");
    quant_row_size(type, n_per_row);
}

} // namespace

ggml_type quant_type_from_name(const std::string & name) {
    for (ggml_type type : kTypes) {
        if (name == ggml_type_name(type)) return type;
    }
    throw std::invalid_argument("unknown quantization type \"" + name +
                                "\" (expected f32, f16, q8_0, q5_0, q5_1, q4_0, q4_1, q6_K, q5_K or q4_K)");
}

int64_t quant_block_size(ggml_type type) { return ggml_blck_size(type); }

size_t quant_type_size(ggml_type type) { return ggml_type_size(type); }

size_t quant_row_size(ggml_type type, int64_t n_per_row) {
    const int64_t block = ggml_blck_size(type);
    if (n_per_row <= 0 || n_per_row % block != 0) {
        throw std::invalid_argument("rows of " + std::to_string(n_per_row) + " elements cannot be stored as " +
                                    ggml_type_name(type) + " (needs a positive multiple of " +
                                    std::to_string(block) + ")");
    }
    return ggml_row_size(type, n_per_row);
}

void quantize_rows(ggml_type type, const float * src, void * dst, int64_t n_rows, int64_t n_per_row, int n_threads) {
    check_rows(type, n_rows, n_per_row);
    if (ggml_quantize_requires_imatrix(type)) {
        throw std::invalid_argument(std::string(ggml_type_name(type)) + " needs an importance matrix");
    }
    if (n_rows == 0) return;
    ggml_quantize_init(type); // once, before the threads share its tables
    const int64_t by_size = std::max<int64_t>(1, n_rows * n_per_row / kMinElementsPerThread);
    const int64_t n_parts = std::max<int64_t>(1, std::min<int64_t>({int64_t(n_threads), n_rows, by_size}));
    const int64_t rows_per_part = (n_rows + n_parts - 1) / n_parts;
    auto run = [&](int64_t first_row) {
        const int64_t rows = std::min(rows_per_part, n_rows - first_row);
        ggml_quantize_chunk(type, src, dst, first_row * n_per_row, rows, n_per_row, nullptr);
    };
    std::vector<std::thread> workers;
    int64_t part = 1;
    try {
        for (; part < n_parts && part * rows_per_part < n_rows; ++part) workers.emplace_back(run, part * rows_per_part);
    } catch (const std::system_error &) {
        // No thread to be had: quantize the remaining parts here.
        for (; part < n_parts && part * rows_per_part < n_rows; ++part) run(part * rows_per_part);
    }
    run(0);
    for (std::thread & t : workers) t.join();
}

void dequantize_rows(ggml_type type, const void * src, float * dst, int64_t n_rows, int64_t n_per_row) {
    check_rows(type, n_rows, n_per_row);
    const ggml_type_traits * traits = ggml_get_type_traits(type);
    if (type == GGML_TYPE_F32) {
        std::copy_n(static_cast<const float *>(src), n_rows * n_per_row, dst);
        return;
    }
    const size_t row_size = ggml_row_size(type, n_per_row);
    for (int64_t r = 0; r < n_rows; ++r) {
        traits->to_float(static_cast<const char *>(src) + r * row_size, dst + r * n_per_row, n_per_row);
    }
}

} // namespace gitcap
