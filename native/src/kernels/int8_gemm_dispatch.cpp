#include "kernels/int8_gemm_dispatch.h"

#include "gitcap.h"
#include "kernels/bf16_gemm_amx.h"
#include "kernels/int8_gemm_avx2.h"

#include <cstdlib>

namespace gitcap {

using avx2_variant = int8_gemm_avx2::variant;

static bool runs(int8_kernel k) {
    switch (k) {
        case int8_kernel::ggml: return true;
        case int8_kernel::avx512vnni: return int8_gemm::available();
        case int8_kernel::avxvnni: return int8_gemm_avx2::available(avx2_variant::avxvnni);
        case int8_kernel::avx2: return int8_gemm_avx2::available(avx2_variant::avx2);
        case int8_kernel::amx: return bf16_amx::available(); // implies int8_gemm's, which it uses for few rows
    }
    return false;
}

static constexpr int8_kernel fastest_first[] = {int8_kernel::amx, int8_kernel::avx512vnni, int8_kernel::avxvnni, int8_kernel::avx2};

const char * int8_kernel_name(int8_kernel k) {
    switch (k) {
        case int8_kernel::avx512vnni: return "int8-avx512vnni";
        case int8_kernel::avxvnni: return "int8-avxvnni";
        case int8_kernel::avx2: return "int8-avx2";
        case int8_kernel::amx: return "amx-bf16";
        case int8_kernel::ggml: break;
    }
    return "ggml";
}

std::vector<std::string> runnable_int8_kernels() {
    std::vector<std::string> out;
    for (int8_kernel k : fastest_first) {
        if (runs(k)) out.emplace_back(int8_kernel_name(k));
    }
    return out;
}

int8_kernel chosen_int8_kernel() {
    const char * env = std::getenv("GITCAP_GEMM");
    const std::string forced = env ? env : "";
    if (forced.empty()) {
        for (int8_kernel k : fastest_first) {
            if (runs(k)) return k;
        }
        return int8_kernel::ggml;
    }
    for (int8_kernel k : {int8_kernel::ggml, int8_kernel::amx, int8_kernel::avx512vnni, int8_kernel::avxvnni, int8_kernel::avx2}) {
        const std::string name = int8_kernel_name(k);
        if (forced != name && "int8-" + forced != name && !(k == int8_kernel::amx && forced == "amx")) continue;
        if (!runs(k)) throw error(error_code::invalid_argument, "GITCAP_GEMM=" + forced + ": this CPU lacks the instructions of that kernel");
        return k;
    }
    throw error(error_code::invalid_argument, "GITCAP_GEMM=" + forced + ": expected ggml, amx, avx512vnni, avxvnni or avx2");
}

void quantize_rows(int8_kernel k, const float * x, size_t x_row_stride, int64_t n, uint8_t * dst, int64_t row_begin, int64_t row_end) {
    if (k == int8_kernel::avx512vnni || k == int8_kernel::amx) {
        int8_gemm::quantize_rows(x, x_row_stride, n, dst, row_begin, row_end);
    } else {
        int8_gemm_avx2::quantize_rows(x, x_row_stride, n, dst, row_begin, row_end);
    }
}

void int8_gemm_run(int8_kernel k, int8_gemm::weight_format f, int8_gemm::epilogue act, const uint8_t * w_packed, int64_t n, int64_t k_in,
                   const uint8_t * xq, int64_t m, float * y, size_t y_row_stride, const float * bias, int ith, int nth) {
    if (k == int8_kernel::avx512vnni || k == int8_kernel::amx) {
        int8_gemm::gemm(f, act, w_packed, n, k_in, xq, m, y, y_row_stride, bias, ith, nth);
    } else {
        int8_gemm_avx2::gemm(k == int8_kernel::avxvnni ? avx2_variant::avxvnni : avx2_variant::avx2, f, act, w_packed, n, k_in, xq, m, y,
                             y_row_stride, bias, ith, nth);
    }
}

} // namespace gitcap
