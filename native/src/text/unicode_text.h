// The pieces of Python's text handling the BERT tokenizer relies on, over code points:
// UTF-8 decoding, character classes, str.lower(), NFC and NFD (Unicode 14.0, as in Python 3.11).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "text/unicode_data.h"

namespace gitcap::unicode {

using unicode_data::CharFlag;

// Decodes UTF-8. Each maximal ill-formed subsequence becomes one U+FFFD, as Python's
// bytes.decode("utf-8", "replace") and WHATWG decoders do; surrogates and overlongs are ill-formed.
std::u32string decode_utf8(std::string_view text);

bool is_valid_utf8(std::string_view text);

void append_utf8(std::string& out, char32_t cp);

// The CharFlag bits of a code point (0 for values past U+10FFFF).
uint32_t char_flags(char32_t cp);

inline bool has_flag(char32_t cp, CharFlag flag) {
    return (char_flags(cp) & flag) != 0;
}

// Canonical combining class (unicodedata.combining).
uint8_t combining_class(char32_t cp);

// str.lower(), including multi-code-point mappings and the final-sigma rule.
std::u32string to_lower(std::u32string_view text);

// unicodedata.normalize("NFD", text) and ("NFC", text).
std::u32string nfd(std::u32string_view text);
std::u32string nfc(std::u32string_view text);

}  // namespace gitcap::unicode
