// The string steps of transformers' decode(), with Python's semantics, shared by
// Tokenizer::decode and DecodeStream.
#pragma once

#include <string>
#include <string_view>

namespace gitcap::detokenize {

struct Replacement {
    std::string_view from;
    std::string_view to;
};

// clean_up_tokenization's str.replace calls, in the order it makes them.
inline constexpr Replacement kCleanupRules[] = {
    {" .", "."},   {" ?", "?"},     {" !", "!"},     {" ,", ","},     {" ' ", "'"},
    {" n't", "n't"}, {" 'm", "'m"}, {" 's", "'s"}, {" 've", "'ve"}, {" 're", "'re"},
};

// str.replace(from, to): leftmost, non-overlapping. `from` is never empty.
std::string python_replace(std::string_view text, std::string_view from, std::string_view to);

// str.strip(): removes str.isspace() characters at both ends of UTF-8 text.
std::string python_strip(std::string_view text);

// Whether the UTF-8 sequence at text[at] is a str.isspace() character; `length` gets its size.
bool python_space_at(std::string_view text, size_t at, size_t& length);

}  // namespace gitcap::detokenize
