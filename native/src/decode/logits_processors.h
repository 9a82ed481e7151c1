// What transformers applies to next-token scores: repetition penalty, min_new_tokens, and for
// sampling temperature, top-k and top-p (in that order, as GenerationMixin builds them).
#pragma once

#include "gitcap.h"

#include <cstdint>
#include <random>
#include <vector>

namespace gitcap {

// RepetitionPenaltyLogitsProcessor: each id seen in `context` gets score/p if > 0, else score*p.
void apply_repetition_penalty(std::vector<float> & scores, const std::vector<int32_t> & context, float penalty);

// MinNewTokensLengthLogitsProcessor: eos impossible until min_new_tokens were generated.
void suppress_eos(std::vector<float> & scores, int32_t eos_id);

// Temperature, top-k (keeps ties with the k-th value), top-p (keeps the smallest set whose
// probability reaches p, at least one token); removed entries become -inf.
void apply_sampling_warpers(std::vector<float> & logits, float temperature, int top_k, float top_p);

// First index of the maximum (torch.argmax semantics for ties).
int32_t argmax(const std::vector<float> & v);

// Draws from softmax(logits) (logits may hold -inf).
int32_t sample(const std::vector<float> & logits, std::mt19937_64 & rng);

// log_softmax in double precision accumulation.
std::vector<float> log_softmax(const std::vector<float> & logits);

} // namespace gitcap
