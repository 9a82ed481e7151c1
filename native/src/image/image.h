// 8-bit images as the preprocessing and decoding code pass them around.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace gitcap {

// Interleaved 8-bit pixels, rows top to bottom without padding:
// data[(y * width + x) * channels + c]; channels 1 = L, 2 = LA, 3 = RGB, 4 = RGBA.
struct image_view {
    const uint8_t * data = nullptr;
    int width = 0, height = 0, channels = 0;
};

struct image_u8 {
    int width = 0, height = 0, channels = 0;
    std::vector<uint8_t> data;

    image_u8() = default;
    image_u8(int w, int h, int c) : width(w), height(h), channels(c), data(size_t(w) * h * c) {}
    image_view view() const { return {data.data(), width, height, channels}; }
};

} // namespace gitcap
