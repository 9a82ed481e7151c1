#include "image/image_jpeg_check.h"

namespace gitcap {

namespace {

constexpr const char * kTruncated = "missing end-of-image marker";

size_t be16(const uint8_t * p) {
    return size_t(p[0]) << 8 | p[1];
}

// DHT payload: tables of (class/id, 16 code-length counts, symbols).
bool huffman_tables_fit(const uint8_t * p, size_t len) {
    while (len > 0) {
        if (len < 17) return false;
        size_t symbols = 0;
        for (int i = 1; i <= 16; i++) symbols += p[i];
        if (symbols > 256 || 17 + symbols > len) return false;
        p += 17 + symbols;
        len -= 17 + symbols;
    }
    return true;
}

bool is_restart(uint8_t m) {
    return m >= 0xD0 && m <= 0xD7;
}

} // namespace

const char * jpeg_structure_problem(const uint8_t * d, size_t n) {
    size_t i = 2; // after SOI
    for (;;) {
        // Bytes where a marker belongs are skipped up to the next 0xFF, as stb_image does.
        while (i < n && d[i] != 0xFF) i++;
        while (i < n && d[i] == 0xFF) i++; // fill bytes
        if (i >= n) return kTruncated;
        const uint8_t marker = d[i++];
        if (marker == 0xD9) return nullptr; // EOI
        if (marker == 0x01 || marker == 0xD8 || is_restart(marker)) continue; // no length field
        if (i + 2 > n) return kTruncated;
        const size_t len = be16(d + i);
        if (len < 2) return nullptr;
        if (i + len > n) return kTruncated;
        if (marker == 0xC4 && !huffman_tables_fit(d + i + 2, len - 2)) return "bad DHT header";
        i += len;
        if (marker == 0xDA) { // entropy-coded data runs to the next marker that is not a restart
            while (i + 1 < n && !(d[i] == 0xFF && d[i + 1] != 0x00 && d[i + 1] != 0xFF && !is_restart(d[i + 1]))) i++;
            if (i + 1 >= n) return kTruncated;
        }
    }
}

} // namespace gitcap
