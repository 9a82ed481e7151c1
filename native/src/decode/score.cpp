// score(): log-probabilities of a given text under the model, for reranking and zero-shot choice.
#include "decode/logits_processors.h"
#include "decode/runner.h"

namespace gitcap {

score_result detail::score(runner_impl & r, const pixel_batch & pixels, const std::vector<int32_t> & prompt_in,
                           const std::vector<int32_t> & text_ids, bool want_logits, const abort_callback & should_abort) {
    const std::vector<int32_t> prompt = prompt_in.empty() ? std::vector<int32_t>{r.m->info.bos_id} : prompt_in;
    if (text_ids.empty()) throw error(error_code::invalid_argument, "the text to score has no tokens");
    for (int32_t id : text_ids) {
        if (id < 0 || id >= r.m->thp.n_vocab) throw error(error_code::invalid_argument, "token id " + std::to_string(id) + " is outside the vocabulary");
    }
    std::vector<int32_t> all(prompt);
    all.insert(all.end(), text_ids.begin(), text_ids.end() - 1); // the last token is predicted, never fed
    if ((int) all.size() + 1 > r.m->thp.n_ctx) {
        throw error(error_code::invalid_argument, "the text is longer than the model's " + std::to_string(r.m->thp.n_ctx) + " positions");
    }

    detail::encode_result enc = r.encode(pixels, {}, should_abort);
    if (should_abort && should_abort()) throw error(error_code::aborted, "scoring was aborted");
    std::unique_ptr<text_kv> kv = r.new_text_kv((int) all.size());
    const std::vector<std::vector<float>> logits = r.decode({{enc.kv.get(), kv.get(), (int) all.size(), true}}, {all});

    score_result out;
    for (size_t j = 0; j < text_ids.size(); j++) {
        const std::vector<float> & row = logits[prompt.size() - 1 + j];
        const std::vector<float> lp = log_softmax(row);
        out.token_logprobs.push_back(lp[text_ids[j]]);
        out.total += lp[text_ids[j]];
        if (want_logits) out.logits.insert(out.logits.end(), row.begin(), row.end());
    }
    return out;
}

score_result score(runner & rn, const pixel_batch & pixels, const std::vector<int32_t> & prompt_ids,
                   const std::vector<int32_t> & text_ids, bool want_logits, const abort_callback & should_abort) {
    return detail::score(*rn.impl_, pixels, prompt_ids, text_ids, want_logits, should_abort);
}

} // namespace gitcap
