#include "util/printable.h"

namespace gitcap {

std::string printable(const std::string & text, size_t max) {
    static const char hex[] = "0123456789abcdef";
    std::string out;
    for (size_t i = 0; i < text.size(); i++) {
        if (i == max) return out + "... (" + std::to_string(text.size()) + " bytes in all)";
        const unsigned char c = (unsigned char) text[i];
        if (c == '\\') {
            out += "\\\\";
        } else if (c >= 0x20 && c < 0x7f) {
            out += (char) c;
        } else {
            out += "\\x";
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

} // namespace gitcap
