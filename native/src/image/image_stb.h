// The parts of stb_image that image_decode.cpp uses. The library itself is compiled only in
// image_stb.cpp, static and restricted to PNG, JPEG and GIF.
#pragma once

#include "gitcap_image.h"

#include <cstdint>
#include <string>

namespace gitcap::stb {

enum class format { jpeg, gif };

// Size from the header only, without decoding. False on failure (see reason()).
bool read_info(format f, const uint8_t * data, int size, int & width, int & height);

// The reason of the last failure on this thread (stb_image's short message).
const char * reason();

// Decodes with stb_image's own conversions into `channels` 8-bit channels (16-bit samples keep
// their high byte). False on failure.
bool load_8bit(const uint8_t * data, int size, int channels, image_u8 & out);

// Decodes one channel of 16-bit grey, clipped to 0..255 per sample. False on failure.
bool load_grey16_clipped(const uint8_t * data, int size, image_u8 & out);

// The first frame of a GIF as 3-channel RGB, pixels of the transparent index in that index's
// palette colour (as Pillow's convert("RGB") of the palette image). False on failure.
bool load_gif_first_frame(const uint8_t * data, int size, image_u8 & out);

// Entropy-decodes a JPEG with stb_image, then reconstructs the samples as libjpeg-turbo does
// (image_jpeg.h). Sets `mode` ("L", "RGB" or "CMYK"). False on a decoding failure; throws
// gitcap::error for layouts that are valid but not supported.
bool load_jpeg_libjpeg_exact(const uint8_t * data, int size, image_u8 & out, std::string & mode);

} // namespace gitcap::stb
