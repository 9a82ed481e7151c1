// runnable_cpu_kernels(): the kernels' own checks of this CPU, in one list.
#include "gitcap_cpu.h"

#include "kernels/attention_amx.h"
#include "kernels/attention_kernel.h"
#include "kernels/attention_kernel_avx2.h"
#include "kernels/int8_gemm_dispatch.h"

namespace gitcap {

std::vector<std::string> runnable_cpu_kernels() {
    std::vector<std::string> names = runnable_int8_kernels();
    if (attention_amx::available()) names.push_back("attention-amx");
    if (attention_kernel::available()) names.push_back("attention-avx512");
    if (attention_kernel_avx2::available()) names.push_back("attention-avx2");
    return names;
}

} // namespace gitcap
