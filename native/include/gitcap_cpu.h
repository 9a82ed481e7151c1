// Which of gitcap's own CPU kernels this machine runs (the x86 matrix products for q8_0 and q4_0
// weights, and the attention
// kernels; ggml's kernels are reported by ggml itself).
#pragma once

#include <string>
#include <vector>

namespace gitcap {

// Fastest first among each kind: "amx-bf16", "int8-avx512vnni", "int8-avxvnni", "int8-avx2", then
// "attention-avx512", "attention-avx2". Empty where none runs (arm64, older x86 CPUs).
std::vector<std::string> runnable_cpu_kernels();

} // namespace gitcap
