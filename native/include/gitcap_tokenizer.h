// BERT WordPiece tokenizer, exact to transformers' slow (Python) BertTokenizer, and a streaming
// detokenizer (DecodeStream, at the end).
//
//   gitcap::Tokenizer tok(vocab);                       // vocab[id] = token text (vocab.txt lines)
//   std::vector<int32_t> ids = tok.encode("A dog.");  // [101, 1037, 3899, 1012, 102]
//   std::string text = tok.decode(ids);                 // "a dog."
//
// Encoding, in transformers' order: split the text at the special tokens written in it
// ("[SEP]", ... case-sensitive, leftmost then longest); in each other part drop NUL, U+FFFD and
// control characters and turn whitespace into spaces, put spaces around CJK ideographs, NFC,
// split at str.split() whitespace; each word equal to a special token stays whole, the others
// are lower-cased (str.lower(), final sigma included) and stripped of accents (NFD, drop Mn) as
// the options say and split at punctuation; WordPiece (greedy longest match, "##" continuations,
// words over max_input_chars_per_word code points or with no match become the unknown token).
//
// Text is UTF-8. Ill-formed UTF-8 never fails: each maximal ill-formed subsequence reads as
// U+FFFD, as Python's bytes.decode("utf-8", "replace") gives, and BERT drops U+FFFD, so the
// bad bytes vanish (the characters around them join). Nothing here throws on text.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace gitcap {

struct TokenizerOptions {
    bool do_lower_case = true;
    // Unset: strip accents exactly when lower-casing (transformers' strip_accents=None).
    std::optional<bool> strip_accents;
    bool tokenize_chinese_chars = true;
    int32_t max_input_chars_per_word = 100;
    // Special token ids; -1 looks up "[CLS]", "[SEP]", "[PAD]", "[UNK]", "[MASK]" in the
    // vocabulary. [CLS], [SEP] and [UNK] must exist; [PAD] and [MASK] may be absent.
    int32_t cls_id = -1;
    int32_t sep_id = -1;
    int32_t pad_id = -1;
    int32_t unk_id = -1;
    int32_t mask_id = -1;
};

struct DecodeOptions {
    // Drop the special ids ([PAD], [UNK], [CLS], [SEP], [MASK]); "[unusedN]" are not special.
    bool skip_special_tokens = true;
    // transformers' clean_up_tokenization: " ." -> ".", " ' " -> "'", " n't" -> "n't", ...
    bool clean_up_tokenization_spaces = true;
};

class Tokenizer {
public:
    // Throws std::invalid_argument when the vocabulary or the options cannot be used (empty
    // vocabulary, a token that is not UTF-8, a special id out of range or missing).
    explicit Tokenizer(std::vector<std::string> vocab, const TokenizerOptions& options = {});

    // Token ids of `text`, with [CLS] ... [SEP] around them when add_special_tokens.
    std::vector<int32_t> encode(std::string_view text, bool add_special_tokens = true) const;

    // The WordPiece tokens of `text` (transformers' tokenize()), without [CLS]/[SEP].
    std::vector<std::string> tokens(std::string_view text) const;

    // transformers' decode(): tokens joined by spaces, " ##" removed, stripped, cleaned up.
    std::string decode(const int32_t* ids, size_t count, const DecodeOptions& options = {}) const;
    std::string decode(const std::vector<int32_t>& ids, const DecodeOptions& options = {}) const {
        return decode(ids.data(), ids.size(), options);
    }

    // The token text of `id`; the unknown token's text for ids outside the vocabulary.
    const std::string& piece(int32_t id) const;
    bool is_special(int32_t id) const;

    size_t vocab_size() const { return vocab_.size(); }
    int32_t cls_id() const { return cls_id_; }
    int32_t sep_id() const { return sep_id_; }
    int32_t pad_id() const { return pad_id_; }  // -1 when absent
    int32_t unk_id() const { return unk_id_; }
    int32_t mask_id() const { return mask_id_; }  // -1 when absent

private:
    int32_t resolve_special(int32_t id, const char* name, bool required) const;
    bool is_special_text(std::u32string_view word) const;
    void encode_chunk(std::u32string_view chunk, std::vector<int32_t>& ids) const;
    std::u32string clean(std::u32string_view chunk) const;
    void normalize_word(std::u32string& word) const;
    void word_piece(std::u32string_view word, std::vector<int32_t>& ids) const;

    std::vector<std::string> vocab_;
    std::unordered_map<std::string, int32_t> ids_;
    TokenizerOptions options_;
    bool strip_accents_;
    size_t max_token_chars_ = 0;
    int32_t cls_id_ = -1, sep_id_ = -1, pad_id_ = -1, unk_id_ = -1, mask_id_ = -1;
    struct Special {
        int32_t id;
        std::u32string text;
    };
    std::vector<Special> specials_;  // the present ones, each id once
};

// DecodeStream: decoding token by token while generating, so that text can be shown as it comes.
//
//   gitcap::DecodeStream stream(tokenizer);
//   for (int32_t id : generated) emit(stream.push(id));
//   emit(stream.finish());
//
// The pieces concatenate to exactly tokenizer.decode(all ids, options). A piece holds only
// text that no later token can change: decode() rewrites earlier text when " ##" continuations,
// clean-up rules (" ." -> ".", " ' " -> "'", " n't" -> "n't", ...) or the final strip() meet
// what comes next, so push() keeps back the few characters such a rule could still alter (a
// trailing space, " '", " n'") and returns them once the next token decides. Pieces are whole
// UTF-8 characters.
class DecodeStream {
public:
    // `tokenizer` must outlive the stream.
    explicit DecodeStream(const Tokenizer& tokenizer, const DecodeOptions& options = {});

    // The text that `id` makes final; often empty for a skipped special token.
    std::string push(int32_t id);

    // The rest of the text. The stream is empty again afterwards, ready for a new sequence.
    std::string finish();

private:
    // str.replace fed in pieces: holds back a tail that could still start a match.
    struct ReplaceStage {
        std::string_view from;
        std::string_view to;
        std::string pending;
        std::string feed(std::string_view text, bool end);
    };
    // str.strip() fed in pieces: drops leading spaces, holds back trailing ones.
    struct StripStage {
        bool started = false;
        std::string pending;  // bytes not yet classified (an incomplete character)
        std::string spaces;   // spaces that are trailing so far
        std::string feed(std::string_view text, bool end);
    };

    std::string run(std::string text, bool end);
    void reset();

    const Tokenizer& tokenizer_;
    DecodeOptions options_;
    bool has_token_ = false;
    ReplaceStage continuation_;
    StripStage strip_;
    std::vector<ReplaceStage> cleanup_;
};

}  // namespace gitcap
