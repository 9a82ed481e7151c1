// The tile shape of gitcap's AMX kernels (bf16_gemm_amx.cpp, attention_amx.cpp): all eight tile
// registers 16 rows x 64 bytes, palette 1, as LDTILECFG reads it.
#pragma once

#include <cstdint>

namespace gitcap {

struct alignas(64) amx_tile_config {
    uint8_t palette = 1;
    uint8_t start_row = 0;
    uint8_t reserved[14] = {};
    uint16_t colsb[16] = {};
    uint8_t rows[16] = {};
};

inline amx_tile_config full_tiles_config() {
    amx_tile_config c;
    for (int t = 0; t < 8; t++) c.rows[t] = 16, c.colsb[t] = 64;
    return c;
}

} // namespace gitcap
