#include "gitcap_tokenizer.h"

#include <algorithm>
#include <stdexcept>

#include "text/detokenize.h"
#include "text/unicode_text.h"

namespace gitcap {

namespace uni = unicode;
namespace ud = unicode_data;

namespace {

// BERT's _is_chinese_char: the CJK Unified Ideographs blocks, not all CJK scripts.
bool is_cjk_ideograph(char32_t cp) {
    return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x20000 && cp <= 0x2A6DF) ||
           (cp >= 0x2A700 && cp <= 0x2B73F) || (cp >= 0x2B740 && cp <= 0x2B81F) || (cp >= 0x2B820 && cp <= 0x2CEAF) ||
           (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);
}

std::u32string strip_accents(std::u32string_view word) {
    std::u32string out;
    for (char32_t cp : uni::nfd(word)) {
        if (!uni::has_flag(cp, ud::kNonspacingMark)) out.push_back(cp);
    }
    return out;
}

}  // namespace

Tokenizer::Tokenizer(std::vector<std::string> vocab, const TokenizerOptions& options)
    : vocab_(std::move(vocab)), options_(options) {
    if (vocab_.empty()) throw std::invalid_argument("The tokenizer vocabulary is empty");
    if (vocab_.size() > static_cast<size_t>(INT32_MAX)) {
        throw std::invalid_argument("The tokenizer vocabulary has more than 2^31-1 tokens");
    }
    if (options_.max_input_chars_per_word < 1) {
        throw std::invalid_argument("max_input_chars_per_word must be at least 1, got " +
                                    std::to_string(options_.max_input_chars_per_word));
    }
    ids_.reserve(vocab_.size());
    for (size_t id = 0; id < vocab_.size(); ++id) {
        const std::string& token = vocab_[id];
        if (!uni::is_valid_utf8(token)) {
            throw std::invalid_argument("Token " + std::to_string(id) + " of the vocabulary is not valid UTF-8");
        }
        ids_[token] = static_cast<int32_t>(id);  // a repeated token keeps its last id, as load_vocab does
        max_token_chars_ = std::max(max_token_chars_, uni::decode_utf8(token).size());
    }
    strip_accents_ = options_.strip_accents.value_or(options_.do_lower_case);
    unk_id_ = resolve_special(options_.unk_id, "[UNK]", true);
    sep_id_ = resolve_special(options_.sep_id, "[SEP]", true);
    pad_id_ = resolve_special(options_.pad_id, "[PAD]", false);
    cls_id_ = resolve_special(options_.cls_id, "[CLS]", true);
    mask_id_ = resolve_special(options_.mask_id, "[MASK]", false);
    for (int32_t id : {unk_id_, sep_id_, pad_id_, cls_id_, mask_id_}) {
        if (id >= 0 && !is_special(id)) specials_.push_back({id, uni::decode_utf8(vocab_[static_cast<size_t>(id)])});
    }
}

int32_t Tokenizer::resolve_special(int32_t id, const char* name, bool required) const {
    if (id >= 0) {
        if (static_cast<size_t>(id) >= vocab_.size()) {
            throw std::invalid_argument(std::string("The id of ") + name + " (" + std::to_string(id) +
                                        ") is outside the vocabulary of " + std::to_string(vocab_.size()) +
                                        " tokens");
        }
        return id;
    }
    if (id != -1) {
        throw std::invalid_argument(std::string("The id of ") + name + " must be -1 or a token id, got " +
                                    std::to_string(id));
    }
    const auto it = ids_.find(name);
    if (it != ids_.end()) return it->second;
    if (required) throw std::invalid_argument(std::string("The vocabulary has no ") + name + " token");
    return -1;
}

std::vector<int32_t> Tokenizer::encode(std::string_view text, bool add_special_tokens) const {
    std::vector<int32_t> ids;
    if (add_special_tokens) ids.push_back(cls_id_);
    const std::u32string cps = uni::decode_utf8(text);
    const std::u32string_view all(cps);
    // Special tokens written in the text stay whole: leftmost match, longest at that position.
    size_t chunk_start = 0, i = 0;
    while (i < all.size()) {
        const Special* best = nullptr;
        size_t best_len = 0;
        for (const Special& special : specials_) {
            const size_t len = special.text.size();
            if (len > best_len && all.compare(i, len, special.text) == 0) {
                best = &special;
                best_len = len;
            }
        }
        if (best_len == 0) {
            ++i;
            continue;
        }
        encode_chunk(all.substr(chunk_start, i - chunk_start), ids);
        ids.push_back(best->id);
        i += best_len;
        chunk_start = i;
    }
    encode_chunk(all.substr(chunk_start), ids);
    if (add_special_tokens) ids.push_back(sep_id_);
    return ids;
}

std::vector<std::string> Tokenizer::tokens(std::string_view text) const {
    std::vector<std::string> out;
    for (int32_t id : encode(text, false)) out.push_back(vocab_[static_cast<size_t>(id)]);
    return out;
}

// BasicTokenizer._clean_text and _tokenize_chinese_chars.
std::u32string Tokenizer::clean(std::u32string_view chunk) const {
    std::u32string out;
    out.reserve(chunk.size());
    for (char32_t cp : chunk) {
        const bool tab_or_newline = cp == '\t' || cp == '\n' || cp == '\r';
        const uint32_t flags = uni::char_flags(cp);
        if (cp == 0 || cp == 0xFFFD || ((flags & ud::kControl) && !tab_or_newline)) continue;
        if (tab_or_newline || (flags & ud::kSpaceSeparator)) {
            out.push_back(' ');
        } else if (options_.tokenize_chinese_chars && is_cjk_ideograph(cp)) {
            out.push_back(' ');
            out.push_back(cp);
            out.push_back(' ');
        } else {
            out.push_back(cp);
        }
    }
    return out;
}

// Lower case and accent stripping of one whitespace-separated word, as the options say.
void Tokenizer::normalize_word(std::u32string& word) const {
    if (options_.do_lower_case) word = uni::to_lower(word);
    if (strip_accents_) word = strip_accents(word);
}

// BasicTokenizer.tokenize followed by WordPiece on one part of the text without special tokens.
void Tokenizer::encode_chunk(std::u32string_view chunk, std::vector<int32_t>& ids) const {
    if (chunk.empty()) return;
    const std::u32string text = uni::nfc(clean(chunk));
    size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && uni::has_flag(text[i], ud::kPythonSpace)) ++i;
        size_t end = i;
        while (end < text.size() && !uni::has_flag(text[end], ud::kPythonSpace)) ++end;
        if (end == i) break;
        std::u32string word(text.substr(i, end - i));
        i = end;
        if (is_special_text(word)) {
            word_piece(word, ids);  // never split nor lower-cased; WordPiece finds it whole
            continue;
        }
        normalize_word(word);
        // Punctuation characters become words of their own.
        size_t start = 0;
        for (size_t k = 0; k <= word.size(); ++k) {
            if (k < word.size() && !uni::has_flag(word[k], ud::kPunctuation)) continue;
            if (k > start) word_piece(std::u32string_view(word).substr(start, k - start), ids);
            if (k < word.size()) word_piece(std::u32string_view(word).substr(k, 1), ids);
            start = k + 1;
        }
    }
}

// WordpieceTokenizer.tokenize of one word: greedy longest match from the left.
void Tokenizer::word_piece(std::u32string_view word, std::vector<int32_t>& ids) const {
    if (word.size() > static_cast<size_t>(options_.max_input_chars_per_word)) {
        ids.push_back(unk_id_);
        return;
    }
    // Byte offset of every code point, so that substrings are slices of one UTF-8 string.
    std::string utf8;
    std::vector<size_t> offsets;
    offsets.reserve(word.size() + 1);
    for (char32_t cp : word) {
        offsets.push_back(utf8.size());
        uni::append_utf8(utf8, cp);
    }
    offsets.push_back(utf8.size());
    const size_t first = ids.size();
    std::string key;
    size_t start = 0;
    while (start < word.size()) {
        size_t end = std::min(word.size(), start + max_token_chars_);
        int32_t found = -1;
        for (; end > start; --end) {
            key.assign(start > 0 ? "##" : "");
            key.append(utf8, offsets[start], offsets[end] - offsets[start]);
            const auto it = ids_.find(key);
            if (it != ids_.end()) {
                found = it->second;
                break;
            }
        }
        if (found < 0) {
            ids.resize(first);
            ids.push_back(unk_id_);
            return;
        }
        ids.push_back(found);
        start = end;
    }
}

std::string Tokenizer::decode(const int32_t* ids, size_t count, const DecodeOptions& options) const {
    std::string joined;
    bool first = true;
    for (size_t i = 0; i < count; ++i) {
        if (options.skip_special_tokens && is_special(ids[i])) continue;
        if (!first) joined.push_back(' ');
        joined += piece(ids[i]);
        first = false;
    }
    std::string text = detokenize::python_strip(detokenize::python_replace(joined, " ##", ""));
    if (!options.clean_up_tokenization_spaces) return text;
    for (const detokenize::Replacement& rule : detokenize::kCleanupRules) {
        text = detokenize::python_replace(text, rule.from, rule.to);
    }
    return text;
}

const std::string& Tokenizer::piece(int32_t id) const {
    if (id < 0 || static_cast<size_t>(id) >= vocab_.size()) return vocab_[static_cast<size_t>(unk_id_)];
    return vocab_[static_cast<size_t>(id)];
}

bool Tokenizer::is_special(int32_t id) const {
    return std::any_of(specials_.begin(), specials_.end(), [id](const Special& s) { return s.id == id; });
}

bool Tokenizer::is_special_text(std::u32string_view word) const {
    return std::any_of(specials_.begin(), specials_.end(), [word](const Special& s) { return s.text == word; });
}

}  // namespace gitcap
