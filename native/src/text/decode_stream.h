// Decoding token by token while generating, so that text can be shown as it comes.
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
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "text/tokenizer.h"

namespace gitcap {

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
