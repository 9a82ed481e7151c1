#include "decode/caption_job.h"

#include "decode/logits_processors.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace gitcap {

static double ms_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

caption_job::caption_job(detail::runner_impl & r, const generate_params & params)
    : runner_(r), params_(params), eos_(r.m->info.eos_id), rng_(params.seed) {
    const auto & info = r.m->info;
    if (params_.prompt_ids.empty()) params_.prompt_ids = {info.bos_id};
    if (params_.max_new_tokens < 0 || params_.min_new_tokens < 0) {
        throw error(error_code::invalid_argument, "max_new_tokens and min_new_tokens must not be negative");
    }
    if (params_.num_beams < 1) throw error(error_code::invalid_argument, "num_beams must be at least 1");
    if (params_.num_beams > 1 && params_.temperature > 0) {
        throw error(error_code::unsupported, "beam search with sampling is not supported: use num_beams = 1 or temperature = 0");
    }
    if ((int) params_.prompt_ids.size() + params_.max_new_tokens > r.m->thp.n_ctx) {
        throw error(error_code::invalid_argument, "prompt plus max_new_tokens exceed the model's " +
                                                      std::to_string(r.m->thp.n_ctx) + " text positions");
    }
}

int caption_job::capacity() const { return (int) params_.prompt_ids.size() + std::max(params_.max_new_tokens, 1); }

void caption_job::abort_if_requested() const {
    if (params_.should_abort && params_.should_abort()) throw error(error_code::aborted, "the caption was aborted");
}

void caption_job::encode(const pixel_batch & pixels) {
    t_start_ = std::chrono::steady_clock::now();
    abort_if_requested();
    detail::encode_result enc = runner_.encode(pixels, params_.debug_tensors, params_.should_abort);
    image_ = enc.kv;
    result_.debug = std::move(enc.debug);
    result_.timings.vision_ms = enc.vision_ms;
    result_.timings.prefix_ms = enc.prefix_ms;
    beam first;
    first.kv = runner_.new_text_kv(capacity());
    beams_.push_back(std::move(first));
    if (params_.max_new_tokens == 0) done_ = true;
    abort_if_requested();
}

void caption_job::collect(std::vector<decode_item> & items, std::vector<std::vector<int32_t>> & tokens) {
    if (!prompt_fed_) {
        items.push_back({image_.get(), beams_[0].kv.get(), (int) params_.prompt_ids.size(), false});
        tokens.push_back(params_.prompt_ids);
        return;
    }
    for (auto & b : beams_) {
        items.push_back({image_.get(), b.kv.get(), 1, false});
        tokens.push_back({b.pending});
    }
}

void caption_job::process_scores(std::vector<float> & scores, const beam & b) const {
    if (params_.repetition_penalty != 1.0f) {
        std::vector<int32_t> context(params_.prompt_ids);
        context.insert(context.end(), b.ids.begin(), b.ids.end());
        apply_repetition_penalty(scores, context, params_.repetition_penalty);
    }
    if ((int) b.ids.size() < params_.min_new_tokens) suppress_eos(scores, eos_);
}

void caption_job::emit(int32_t id) {
    if (params_.on_token && !params_.on_token(id)) throw error(error_code::aborted, "the caption was aborted");
}

void caption_job::advance(std::vector<std::vector<float>>::const_iterator logits, double step_ms) {
    if (!prompt_fed_) {
        prompt_fed_ = true;
        result_.first_logits = *logits;
        if (params_.num_beams > 1) {
            // every beam starts from the prompt: share its cache by copying
            for (int i = 1; i < params_.num_beams; i++) {
                beam b;
                b.kv = runner_.new_text_kv(capacity());
                b.kv->copy_from(*beams_[0].kv);
                b.score = -1e9f; // as transformers: only the first beam is live at the first step
                beams_.push_back(std::move(b));
            }
            std::vector<std::vector<float>> all(params_.num_beams, *logits);
            choose_beams(all);
        } else {
            choose_single(*logits);
        }
    } else if (params_.num_beams > 1) {
        std::vector<std::vector<float>> all(logits, logits + beams_.size());
        choose_beams(all);
    } else {
        choose_single(*logits);
    }
    result_.timings.decode_steps++;
    result_.timings.decode_ms += step_ms;
    if (done_) result_.timings.total_ms = ms_since(t_start_);
}

void caption_job::choose_single(std::vector<float> logits) {
    beam & b = beams_[0];
    process_scores(logits, b);
    int32_t id;
    if (params_.temperature > 0) {
        apply_sampling_warpers(logits, params_.temperature, params_.top_k, params_.top_p);
        id = sample(logits, rng_);
    } else {
        id = argmax(logits);
    }
    b.ids.push_back(id);
    b.pending = id;
    result_.ids = b.ids;
    emit(id);
    if (id == eos_) {
        result_.stopped_by_eos = true;
        done_ = true;
    } else if ((int) b.ids.size() >= params_.max_new_tokens) {
        done_ = true;
    }
}

// transformers' BeamSearchScorer: 2*num_beams candidates by total log-prob; eos candidates
// within the first num_beams ranks become hypotheses scored sum/len^length_penalty.
void caption_job::choose_beams(const std::vector<std::vector<float>> & logits) {
    const int B = params_.num_beams;
    const size_t V = logits[0].size();
    struct candidate {
        float score;
        int beam;
        int32_t token;
    };
    std::vector<candidate> cands;
    cands.reserve(B * V);
    for (int bi = 0; bi < B; bi++) {
        std::vector<float> scores = log_softmax(logits[bi]);
        process_scores(scores, beams_[bi]);
        for (size_t t = 0; t < V; t++) cands.push_back({scores[t] + beams_[bi].score, bi, (int32_t) t});
    }
    const size_t keep = std::min<size_t>(2 * B, cands.size());
    std::partial_sort(cands.begin(), cands.begin() + keep, cands.end(), [](const candidate & a, const candidate & b) {
        return a.score != b.score ? a.score > b.score : (a.beam * 1e9 + a.token) < (b.beam * 1e9 + b.token);
    });
    const int cur_new = (int) beams_[0].ids.size() + 1; // new-token count including this step

    auto add_hypothesis = [&](std::vector<int32_t> ids, float sum_logprobs, int gen_len) {
        const float score = sum_logprobs / std::pow((float) gen_len, params_.length_penalty);
        if ((int) finished_.size() < B || score > finished_.back().score) {
            finished_.push_back({std::move(ids), score});
            std::stable_sort(finished_.begin(), finished_.end(), [](auto & a, auto & b) { return a.score > b.score; });
            if ((int) finished_.size() > B) finished_.pop_back();
        }
    };

    std::vector<candidate> next;
    for (size_t rank = 0; rank < keep && (int) next.size() < B; rank++) {
        const candidate & c = cands[rank];
        if (c.token == eos_) {
            if ((int) rank >= B) continue;
            std::vector<int32_t> ids = beams_[c.beam].ids;
            ids.push_back(eos_);
            add_hypothesis(std::move(ids), c.score, cur_new);
        } else {
            next.push_back(c);
        }
    }

    // is_done: enough hypotheses and none of the running beams can beat the worst of them
    bool finished_search = false;
    if ((int) finished_.size() >= B) {
        if (params_.early_stopping) {
            finished_search = true;
        } else {
            const float best_possible = cands[0].score / std::pow((float) cur_new, params_.length_penalty);
            finished_search = finished_.back().score >= best_possible;
        }
    }

    // reorder the running beams: new beam i continues old beam next[i].beam
    std::vector<beam> reordered(next.size());
    for (size_t i = 0; i < next.size(); i++) {
        const beam & src = beams_[next[i].beam];
        beam & dst = reordered[i];
        dst.kv = runner_.new_text_kv(capacity());
        dst.kv->copy_from(*src.kv);
        dst.ids = src.ids;
        dst.ids.push_back(next[i].token);
        dst.score = next[i].score;
        dst.pending = next[i].token;
    }
    beams_ = std::move(reordered);

    if (finished_search) finish_beams(false);
    else if (cur_new >= params_.max_new_tokens || beams_.empty()) finish_beams(true);
}

// transformers' finalize(): running beams count as hypotheses only when the search was cut by length
void caption_job::finish_beams(bool add_running) {
    const int B = params_.num_beams;
    for (const beam & b : beams_) {
        if (!add_running) break;
        const float score = b.score / std::pow((float) b.ids.size(), params_.length_penalty);
        if ((int) finished_.size() < B || score > finished_.back().score) {
            finished_.push_back({b.ids, score});
            std::stable_sort(finished_.begin(), finished_.end(), [](auto & a, auto & b) { return a.score > b.score; });
            if ((int) finished_.size() > B) finished_.pop_back();
        }
    }
    const hypothesis & best = finished_.front();
    result_.ids = best.ids;
    result_.score = best.score;
    result_.stopped_by_eos = !best.ids.empty() && best.ids.back() == eos_;
    for (int32_t id : best.ids) emit(id);
    done_ = true;
}

// One batched decode for a group of jobs.
static void step_group(detail::runner_impl & r, const std::vector<caption_job *> & jobs) {
    std::vector<decode_item> items;
    std::vector<std::vector<int32_t>> tokens;
    std::vector<size_t> first_item;
    for (caption_job * job : jobs) {
        first_item.push_back(items.size());
        job->collect(items, tokens);
    }
    if (items.empty()) return;
    const auto t0 = std::chrono::steady_clock::now();
    const std::vector<std::vector<float>> logits = r.decode(items, tokens);
    const double step_ms = ms_since(t0);
    // items of one job are consecutive and each yields one row of logits
    for (size_t j = 0; j < jobs.size(); j++) jobs[j]->advance(logits.begin() + (long) first_item[j], step_ms);
}

void step_jobs(detail::runner_impl & r, const std::vector<caption_job *> & jobs) {
    // a graph holds a bounded number of sequences: larger batches run as several graphs
    const size_t limit = r.max_batch_items();
    std::vector<caption_job *> group;
    size_t group_items = 0;
    for (caption_job * job : jobs) {
        if (job->done()) continue;
        const size_t n = job->pending_items();
        if (!group.empty() && group_items + n > limit) {
            step_group(r, group);
            group.clear();
            group_items = 0;
        }
        group.push_back(job);
        group_items += n;
    }
    if (!group.empty()) step_group(r, group);
}

generation generate(runner & rn, const pixel_batch & pixels, const generate_params & params) {
    detail::runner_impl & r = *rn.impl_;
    caption_job job(r, params);
    job.encode(pixels);
    while (!job.done()) {
        job.abort_if_requested();
        step_jobs(r, {&job});
    }
    return job.result();
}

} // namespace gitcap
