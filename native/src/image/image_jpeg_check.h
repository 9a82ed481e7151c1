// A walk over a JPEG file's markers before stb_image decodes it: catches the files stb_image
// would decode wrongly or unsafely rather than reject.
#pragma once

#include <cstddef>
#include <cstdint>

namespace gitcap {

// nullptr when the marker structure is sound as far as it can be followed; otherwise the reason:
// "missing end-of-image marker" (a truncated file: libjpeg, and so Pillow, refuses it, stb_image
// would pad it with grey) or "bad DHT header" (Huffman tables of more than 256 symbols, which
// stb_image v2.27 writes past its table for).
const char * jpeg_structure_problem(const uint8_t * data, size_t size);

} // namespace gitcap
