// The arguments of Model's job methods as the worker's requests (gitcap_worker.h): the input
// object, and the caption and score options (keys: RawCaptionOptions and RawScoreOptions in
// lib/native/model-types.ts).
#pragma once

#include "gitcap_worker.h"

#include <napi.h>

namespace gitcap_addon {

// { images: Array<Uint8Array | { data, width, height, channels }>, video, maxPixels? } or
// { pixels: { data: Float32Array, dims: [n, c, h, w] }, video }
gitcap::request_input ReadInput(const Napi::Object & in);

struct CaptionArgs {
    gitcap::caption_request request;
    bool return_first_logits = false;
};

// The numeric and boolean options through generate_params' field table (gitcap.h), then prompt,
// debugTensors and returnFirstLogits; any other key is E_INVALID_ARG.
CaptionArgs ReadCaptionOptions(const Napi::Object & options, gitcap::request_input input);

// { text } or { ids }, then prompt, includeEos, returnLogits; any other key is E_INVALID_ARG.
gitcap::score_request ReadScoreOptions(const Napi::Object & options, gitcap::request_input input);

} // namespace gitcap_addon
