#include "gitcap_tokenizer.h"

#include "text/detokenize.h"

namespace gitcap {

DecodeStream::DecodeStream(const Tokenizer& tokenizer, const DecodeOptions& options)
    : tokenizer_(tokenizer), options_(options) {
    reset();
}

void DecodeStream::reset() {
    has_token_ = false;
    continuation_ = {" ##", "", {}};
    strip_ = {};
    cleanup_.clear();
    if (options_.clean_up_tokenization_spaces) {
        for (const detokenize::Replacement& rule : detokenize::kCleanupRules) cleanup_.push_back({rule.from, rule.to, {}});
    }
}

std::string DecodeStream::push(int32_t id) {
    if (options_.skip_special_tokens && tokenizer_.is_special(id)) return {};
    std::string text = has_token_ ? " " : "";  // the separator of " ".join(tokens)
    text += tokenizer_.piece(id);
    has_token_ = true;
    return run(std::move(text), false);
}

std::string DecodeStream::finish() {
    std::string rest = run({}, true);
    reset();
    return rest;
}

// decode()'s steps in order: " ##" removal, strip(), the clean-up replacements.
std::string DecodeStream::run(std::string text, bool end) {
    text = continuation_.feed(text, end);
    text = strip_.feed(text, end);
    for (ReplaceStage& stage : cleanup_) text = stage.feed(text, end);
    return text;
}

std::string DecodeStream::ReplaceStage::feed(std::string_view text, bool end) {
    pending.append(text);
    std::string out;
    size_t i = 0;
    while (i < pending.size()) {
        const size_t rest = pending.size() - i;
        if (rest >= from.size() && pending.compare(i, from.size(), from) == 0) {
            out.append(to);
            i += from.size();
            continue;
        }
        // Too few bytes left to decide: wait if they could begin a match.
        if (!end && rest < from.size() && from.compare(0, rest, pending, i, rest) == 0) break;
        out.push_back(pending[i]);
        ++i;
    }
    pending.erase(0, i);
    return out;
}

std::string DecodeStream::StripStage::feed(std::string_view text, bool end) {
    pending.append(text);
    std::string out;
    size_t i = 0, length = 0;
    while (i < pending.size()) {
        const bool space = detokenize::python_space_at(pending, i, length);
        if (!space && i + length > pending.size() && !end) break;  // incomplete character
        length = std::min(length, pending.size() - i);
        if (space) {
            if (started) spaces.append(pending, i, length);
        } else {
            started = true;
            out += spaces;
            spaces.clear();
            out.append(pending, i, length);
        }
        i += length;
    }
    pending.erase(0, i);
    if (end) spaces.clear();
    return out;
}

}  // namespace gitcap
