// libFuzzer target: decode_image() on any bytes (PNG, JPEG, GIF and whatever else arrives).
// Anything but a gitcap::error escaping, a sanitizer report or a hang is a finding.
#include "gitcap_image.h"
#include "image/image_jpeg_check.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t * data, size_t size) {
    gitcap::jpeg_structure_problem(data, size);
    try {
        // a 4-megapixel limit keeps each run short; the limit itself is checked before any allocation
        gitcap::decode_image(data, size, 4000000);
    } catch (const gitcap::error &) {
    }
    return 0;
}
