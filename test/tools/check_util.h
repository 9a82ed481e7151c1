// What the kernel check tools share: fp16 conversions and CHECK, which prints a failure and
// leaves the current (void) function after the 21st.
#pragma once

#include <cstdint>
#include <cstdio>
#include <immintrin.h>

__attribute__((target("f16c"))) static inline uint16_t to_fp16(float x) { return _cvtss_sh(x, _MM_FROUND_TO_NEAREST_INT); }
__attribute__((target("f16c"))) static inline float from_fp16(uint16_t h) { return _cvtsh_ss(h); }

static int failures = 0;
#define CHECK(cond, ...)                       \
    do {                                       \
        if (!(cond)) {                         \
            std::printf("FAIL: " __VA_ARGS__); \
            std::printf("\n");                 \
            if (++failures > 20) return;       \
        }                                      \
    } while (0)
