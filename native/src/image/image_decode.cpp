#include "gitcap_image.h"

#include "image/image_jpeg_check.h"
#include "image/image_stb.h"

#include <climits>
#include <cstring>

namespace gitcap {

namespace {

enum class file_format { png, jpeg, gif, unknown };

[[noreturn]] void fail(const std::string & message) {
    throw error(error_code::input, message);
}

bool starts_with(const uint8_t * d, size_t n, const char * sig, size_t len, size_t at = 0) {
    return n >= at + len && std::memcmp(d + at, sig, len) == 0;
}

file_format detect(const uint8_t * d, size_t n) {
    if (starts_with(d, n, "\x89PNG\r\n\x1a\n", 8)) return file_format::png;
    if (starts_with(d, n, "\xFF\xD8\xFF", 3)) return file_format::jpeg;
    if (starts_with(d, n, "GIF87a", 6) || starts_with(d, n, "GIF89a", 6)) return file_format::gif;
    return file_format::unknown;
}

// Names formats people commonly have but that are not decoded here, for a useful message.
const char * known_unsupported(const uint8_t * d, size_t n) {
    if (starts_with(d, n, "RIFF", 4) && starts_with(d, n, "WEBP", 4, 8)) return "WebP";
    if (starts_with(d, n, "II*\0", 4) || starts_with(d, n, "MM\0*", 4)) return "TIFF";
    if (starts_with(d, n, "ftyp", 4, 4)) {
        if (starts_with(d, n, "avif", 4, 8)) return "AVIF";
        if (starts_with(d, n, "heic", 4, 8) || starts_with(d, n, "heix", 4, 8) || starts_with(d, n, "mif1", 4, 8)) {
            return "HEIF";
        }
    }
    if (starts_with(d, n, "BM", 2) && n >= 18) {
        const uint32_t header = d[14] | d[15] << 8 | d[16] << 16 | uint32_t(d[17]) << 24;
        if (header == 12 || header == 40 || header == 52 || header == 56 || header == 108 || header == 124) return "BMP";
    }
    return nullptr;
}

const char * format_name(file_format f) {
    switch (f) {
        case file_format::png: return "PNG";
        case file_format::jpeg: return "JPEG";
        case file_format::gif: return "GIF";
        case file_format::unknown: break;
    }
    return "unknown";
}

// stb_image's short reasons; two of them are not about corrupt data.
[[noreturn]] void fail_corrupt(file_format f, const char * reason) {
    const std::string why = reason ? reason : "unknown error";
    if (why == "too large") fail(std::string(format_name(f)) + " image is too large to decode (over 1 GiB of pixels)");
    if (why == "outofmem") fail(std::string("Out of memory decoding a ") + format_name(f) + " image");
    fail(std::string("Corrupt or truncated ") + format_name(f) + " image (" + why + ")");
}

uint32_t be32(const uint8_t * p) {
    return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3];
}

struct png_header {
    uint32_t width = 0, height = 0;
    int bit_depth = 0, color_type = 0;
};

// IHDR read here rather than by stb_image, whose header scan refuses images over 1 GiB before
// reporting their size.
png_header read_png_header(const uint8_t * d, size_t n) {
    // signature (8), chunk length (4), "IHDR" (4), width (4), height (4), bit depth, colour type
    if (n < 26 || std::memcmp(d + 12, "IHDR", 4) != 0) fail_corrupt(file_format::png, "no IHDR chunk");
    return {be32(d + 16), be32(d + 20), d[24], d[25]};
}

decoded_image load_8bit(const uint8_t * d, int n, file_format f, int channels, const char * mode) {
    decoded_image out;
    if (!stb::load_8bit(d, n, channels, out.image)) fail_corrupt(f, stb::reason());
    out.mode = mode;
    return out;
}

// 16-bit grey opens in Pillow as mode I; its conversion to L or RGB clips at 255.
decoded_image load_grey16(const uint8_t * d, int n) {
    decoded_image out;
    if (!stb::load_grey16_clipped(d, n, out.image)) fail_corrupt(file_format::png, stb::reason());
    out.mode = "L";
    return out;
}

decoded_image load_jpeg(const uint8_t * d, int n) {
    decoded_image out;
    if (!stb::load_jpeg_libjpeg_exact(d, n, out.image, out.mode)) fail_corrupt(file_format::jpeg, stb::reason());
    return out;
}

decoded_image decode_png(const uint8_t * d, int n) {
    const png_header hdr = read_png_header(d, size_t(n));
    switch (hdr.color_type) {
        case 0: return hdr.bit_depth == 16 ? load_grey16(d, n) : load_8bit(d, n, file_format::png, 1, "L");
        case 2: return load_8bit(d, n, file_format::png, 3, "RGB");
        case 3: return load_8bit(d, n, file_format::png, 3, "P");
        case 4: return load_8bit(d, n, file_format::png, 2, "LA");
        case 6: return load_8bit(d, n, file_format::png, 4, "RGBA");
        default: fail_corrupt(file_format::png, "bad colour type");
    }
}

} // namespace

decoded_image decode_image(const uint8_t * data, size_t size, uint64_t max_pixels) {
    if (!data || size == 0) fail("Image data is empty");
    const file_format f = detect(data, size);
    if (f == file_format::unknown) {
        if (const char * name = known_unsupported(data, size)) {
            throw error(error_code::unsupported, std::string(name) + " images are not supported: convert to PNG or JPEG");
        }
        fail("Unrecognized image data: expected a PNG, JPEG or GIF file");
    }
    if (size > size_t(INT_MAX)) {
        fail("Image data of " + std::to_string(size) + " bytes is too large (at most 2 GiB)");
    }
    const int n = int(size);

    uint64_t w = 0, h = 0;
    if (f == file_format::png) {
        const png_header hdr = read_png_header(data, size);
        w = hdr.width, h = hdr.height;
    } else {
        // before stb_image reads even the header: it parses Huffman tables on the way to the size
        if (f == file_format::jpeg) {
            if (const char * problem = jpeg_structure_problem(data, size)) fail_corrupt(f, problem);
        }
        int iw = 0, ih = 0;
        if (!stb::read_info(f == file_format::jpeg ? stb::format::jpeg : stb::format::gif, data, n, iw, ih)) {
            fail_corrupt(f, stb::reason());
        }
        w = uint64_t(iw), h = uint64_t(ih);
    }
    if (w == 0 || h == 0) fail_corrupt(f, "0-pixel image");
    const uint64_t pixels = w * h;
    if (pixels > max_pixels) {
        fail("Image of " + std::to_string(w) + "x" + std::to_string(h) + " pixels (" + std::to_string(pixels) +
             ") exceeds the limit of " + std::to_string(max_pixels) + " pixels (maxPixels)");
    }

    decoded_image out;
    switch (f) {
        case file_format::png:
            out = decode_png(data, n);
            break;
        case file_format::jpeg:
            out = load_jpeg(data, n);
            break;
        case file_format::gif:
            if (!stb::load_gif_first_frame(data, n, out.image)) fail_corrupt(f, stb::reason());
            out.mode = "P";
            break;
        case file_format::unknown:
            break;
    }
    out.format = f == file_format::png ? "png" : f == file_format::jpeg ? "jpeg" : "gif";
    return out;
}

} // namespace gitcap
