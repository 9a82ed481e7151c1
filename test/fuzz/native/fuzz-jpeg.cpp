// libFuzzer target: the JPEG marker walk and the JPEG decoder, on inputs that always start as a
// JPEG (so every execution reaches the JPEG code, whatever the mutation did to the first bytes).
#include "gitcap_image.h"
#include "image/image_jpeg_check.h"

#include <cstddef>
#include <cstdint>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t * data, size_t size) {
    std::vector<uint8_t> jpeg(data, data + size);
    if (jpeg.size() < 3 || jpeg[0] != 0xff || jpeg[1] != 0xd8) jpeg.insert(jpeg.begin(), {0xff, 0xd8, 0xff});
    gitcap::jpeg_structure_problem(jpeg.data(), jpeg.size());
    try {
        gitcap::decode_image(jpeg.data(), jpeg.size(), 4000000);
    } catch (const gitcap::error &) {
    }
    return 0;
}
