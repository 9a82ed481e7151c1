// The JS objects Model's methods resolve with (types: lib/native/model-types.ts), built on the JS
// thread from the worker's outputs.
#pragma once

#include "gitcap.h"
#include "gitcap_worker.h"

#include <napi.h>

#include <string>

namespace gitcap_addon {

// RawCaptionResult: ids, texts, score, timings; firstLogits when asked, debug tensors when any.
Napi::Value CaptionResult(Napi::Env env, const gitcap::caption_output & out, bool first_logits);
// RawScoreResult
Napi::Value ScoreResult(Napi::Env env, const gitcap::score_output & out);
// RawPixelValues: { data, dims, isVideo }
Napi::Value PixelsResult(Napi::Env env, const gitcap::pixel_batch & pixels);
// ModelInfo exactly as the package's users see it (lib/native/model-types.ts); `path`: the file loaded.
Napi::Object ModelInfoObject(Napi::Env env, const gitcap::model & m, const std::string & path);

} // namespace gitcap_addon
