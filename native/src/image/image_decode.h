// PNG, JPEG and GIF decoding from memory (stb_image, plus libjpeg-turbo's JPEG reconstruction),
// giving the pixels Pillow's Image.open() would give, with a pixel-count limit checked before
// anything is allocated.
#pragma once

#include "gitcap.h"
#include "image/image.h"

#include <cstddef>
#include <cstdint>
#include <string>

namespace gitcap {

// 100 megapixels: above the largest photos of common cameras (a 100 MP medium-format sensor),
// and at most 400 MB decoded (RGBA). Pillow warns from 89.5 MP and refuses 179 MP.
constexpr uint64_t default_max_pixels = 100000000;

struct decoded_image {
    image_u8 image; // channels 1 = L, 2 = LA, 3 = RGB, 4 = RGBA
    // The Pillow mode of the source, as these pixels present it: "L", "LA", "RGB", "RGBA"; "P" for a
    // palette image, already expanded to RGB (transparency dropped, as convert("RGB") does);
    // "CMYK" for a CMYK/YCCK JPEG, already converted to RGB as convert("RGB") does. 16-bit grey is
    // clipped to 0..255 (Pillow's I -> L/RGB conversion); other 16-bit images keep the high byte
    // (Pillow's ;16B raw modes). JPEG samples are reconstructed as libjpeg-turbo does (Pillow's
    // decoder), so decoded pixels equal Image.open()'s.
    std::string mode;
    std::string format; // "png", "jpeg" or "gif"
};

// Decodes one image file held in memory. GIF: the first frame, transparent pixels in the colour
// of the transparent palette entry as in Pillow; a first frame smaller than the canvas leaves the
// rest black (or the background colour), where Pillow gives a palette colour.
// Throws gitcap::error: input for empty, truncated, corrupt or unrecognized data and for images
// of more than max_pixels pixels; unsupported for known formats other than PNG, JPEG and GIF.
decoded_image decode_image(const uint8_t * data, size_t size, uint64_t max_pixels = default_max_pixels);

} // namespace gitcap
