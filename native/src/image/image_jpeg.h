// JPEG sample reconstruction exactly as libjpeg-turbo does it with its defaults (accurate integer
// IDCT, "fancy" triangle-filter chroma upsampling, table-driven YCbCr -> RGB), the library behind
// Pillow's JPEG decoder, so that decoded pixels match Image.open(). Entropy decoding is stb_image's;
// these functions take over from its IDCT on.
#pragma once

#include "gitcap_image.h"

#include <string>
#include <vector>

namespace gitcap {

// jpeg_idct_islow (jidctint.c): dequantized coefficients in natural order -> 8x8 samples.
// Has the signature of stb_image's idct_block_kernel.
void jpeg_idct_islow(uint8_t * out, int out_stride, short coef[64]);

// One decoded component plane, before upsampling.
struct jpeg_component {
    int id = 0;                   // component identifier from the frame header
    int h_samp = 1, v_samp = 1;   // sampling factors
    int width = 0, height = 0;    // real samples: ceil(image size * samp / max samp)
    int stride = 0;               // bytes per row of `data`
    const uint8_t * data = nullptr;
};

struct jpeg_planes {
    int width = 0, height = 0;
    std::vector<jpeg_component> components;
    bool saw_jfif = false;        // APP0 "JFIF"
    int adobe_transform = -1;     // APP14 "Adobe" transform flag, -1 without the marker
};

// Upsamples and colour-converts the planes as libjpeg-turbo does for Pillow, then applies what
// Pillow's convert("RGB") does to CMYK. Sets `mode` to "L" (1 channel), "RGB" or "CMYK"
// (both 3 channels RGB). Throws gitcap::error(unsupported) for layouts libjpeg rejects.
image_u8 jpeg_to_pixels(const jpeg_planes & planes, std::string & mode);

} // namespace gitcap
