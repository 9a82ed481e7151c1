#include "decode/logits_processors.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <unordered_set>

namespace gitcap {

void apply_repetition_penalty(std::vector<float> & scores, const std::vector<int32_t> & context, float penalty) {
    if (penalty == 1.0f) return;
    std::unordered_set<int32_t> seen(context.begin(), context.end());
    for (int32_t id : seen) {
        if (id < 0 || (size_t) id >= scores.size()) continue;
        float & s = scores[id];
        s = s > 0 ? s / penalty : s * penalty;
    }
}

void suppress_eos(std::vector<float> & scores, int32_t eos_id) {
    if (eos_id >= 0 && (size_t) eos_id < scores.size()) scores[eos_id] = -INFINITY;
}

void apply_sampling_warpers(std::vector<float> & logits, float temperature, int top_k, float top_p) {
    if (temperature > 0 && temperature != 1.0f) {
        for (float & l : logits) l /= temperature;
    }
    const size_t n = logits.size();
    if (top_k > 0 && (size_t) top_k < n) {
        std::vector<float> sorted(logits);
        std::nth_element(sorted.begin(), sorted.begin() + (top_k - 1), sorted.end(), std::greater<float>());
        const float kth = sorted[top_k - 1];
        for (float & l : logits) {
            if (l < kth) l = -INFINITY;
        }
    }
    if (top_p < 1.0f) {
        // TopPLogitsWarper: sort ascending, drop the low tail whose cumulative probability <= 1 - top_p
        std::vector<size_t> order(n);
        std::iota(order.begin(), order.end(), 0);
        std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return logits[a] < logits[b]; });
        const float max_l = logits[order.back()];
        double total = 0;
        for (float l : logits) total += std::exp((double) l - max_l);
        double cumulative = 0;
        for (size_t r = 0; r + 1 < n; r++) { // the most likely token is always kept
            const size_t i = order[r];
            cumulative += std::exp((double) logits[i] - max_l) / total;
            if (cumulative <= 1.0 - top_p) logits[i] = -INFINITY;
            else break;
        }
    }
}

int32_t argmax(const std::vector<float> & v) {
    return (int32_t) (std::max_element(v.begin(), v.end()) - v.begin()); // first of equal maxima
}

int32_t sample(const std::vector<float> & logits, std::mt19937_64 & rng) {
    const float max_l = *std::max_element(logits.begin(), logits.end());
    std::vector<double> p(logits.size());
    for (size_t i = 0; i < logits.size(); i++) p[i] = std::exp((double) logits[i] - max_l);
    std::discrete_distribution<int32_t> dist(p.begin(), p.end());
    return dist(rng);
}

std::vector<float> log_softmax(const std::vector<float> & logits) {
    const float max_l = *std::max_element(logits.begin(), logits.end());
    double total = 0;
    for (float l : logits) total += std::exp((double) l - max_l);
    const double log_total = std::log(total) + max_l;
    std::vector<float> out(logits.size());
    for (size_t i = 0; i < logits.size(); i++) out[i] = (float) ((double) logits[i] - log_total);
    return out;
}

} // namespace gitcap
