#include "text/detokenize.h"

#include "text/unicode_text.h"

namespace gitcap::detokenize {

std::string python_replace(std::string_view text, std::string_view from, std::string_view to) {
    std::string out;
    out.reserve(text.size());
    size_t i = 0;
    while (true) {
        const size_t hit = text.find(from, i);
        if (hit == std::string_view::npos) break;
        out.append(text, i, hit - i);
        out.append(to);
        i = hit + from.size();
    }
    out.append(text, i, std::string_view::npos);
    return out;
}

bool python_space_at(std::string_view text, size_t at, size_t& length) {
    const auto lead = static_cast<unsigned char>(text[at]);
    length = lead < 0xC0 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
    if (at + length > text.size()) return false;  // incomplete: `length` says how much is missing
    const std::u32string cps = unicode::decode_utf8(text.substr(at, length));
    return cps.size() == 1 && unicode::has_flag(cps[0], unicode_data::kPythonSpace);
}

std::string python_strip(std::string_view text) {
    size_t begin = 0, length = 0;
    while (begin < text.size() && python_space_at(text, begin, length)) begin += length;
    // The end of the last non-space character.
    size_t end = begin;
    for (size_t i = begin; i < text.size(); i += length) {
        if (!python_space_at(text, i, length)) end = i + length;
    }
    return std::string(text.substr(begin, end - begin));
}

}  // namespace gitcap::detokenize
