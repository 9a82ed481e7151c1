// CPU features that compilers' __builtin_cpu_supports does not name everywhere (clang 14 knows
// neither "f16c" nor "avxvnni"; GCC 12 no AMX), read from CPUID. x86 only. The OS's support for
// the wider registers is what __builtin_cpu_supports("avx2") / ("avx512f") already check.
#pragma once

#include <cpuid.h>

namespace gitcap::cpu_features {

// CPUID.1:ECX bit 29
inline bool f16c() {
    unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
    return __get_cpuid(1, &eax, &ebx, &ecx, &edx) && (ecx & (1u << 29)) != 0;
}

// CPUID.(EAX=7,ECX=1):EAX bit 4
inline bool avx_vnni() {
    unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
    return __get_cpuid_count(7, 1, &eax, &ebx, &ecx, &edx) && (eax & (1u << 4)) != 0;
}

} // namespace gitcap::cpu_features
