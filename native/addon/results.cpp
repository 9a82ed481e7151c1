#include "results.h"

#include "gitcap_image.h"

#include <algorithm>
#include <vector>

namespace gitcap_addon {

namespace {

Napi::Array int_array(Napi::Env env, const std::vector<int32_t> & v) {
    Napi::Array a = Napi::Array::New(env, v.size());
    for (size_t i = 0; i < v.size(); i++) a.Set((uint32_t) i, Napi::Number::New(env, v[i]));
    return a;
}

Napi::Float32Array float_array(Napi::Env env, const std::vector<float> & v) {
    Napi::Float32Array a = Napi::Float32Array::New(env, v.size());
    std::copy(v.begin(), v.end(), a.Data());
    return a;
}

Napi::Object timings_object(Napi::Env env, const gitcap::caption_output & o) {
    const auto & t = o.gen.timings;
    Napi::Object r = Napi::Object::New(env);
    r.Set("preprocessMs", o.preprocess_ms);
    r.Set("visionMs", t.vision_ms);
    r.Set("prefixMs", t.prefix_ms);
    r.Set("decodeMs", t.decode_ms);
    r.Set("decodeSteps", t.decode_steps);
    r.Set("totalMs", o.preprocess_ms + t.total_ms);
    return r;
}

Napi::Array debug_array(Napi::Env env, const std::vector<gitcap::debug_tensor> & debug) {
    Napi::Array dbg = Napi::Array::New(env, debug.size());
    for (size_t i = 0; i < debug.size(); i++) {
        const auto & d = debug[i];
        Napi::Object t = Napi::Object::New(env);
        t.Set("name", d.name);
        Napi::Array shape = Napi::Array::New(env, d.shape.size());
        for (size_t k = 0; k < d.shape.size(); k++) shape.Set((uint32_t) k, Napi::Number::New(env, (double) d.shape[k]));
        t.Set("shape", shape);
        t.Set("data", float_array(env, d.data));
        dbg.Set((uint32_t) i, t);
    }
    return dbg;
}

} // namespace

Napi::Value CaptionResult(Napi::Env env, const gitcap::caption_output & o, bool first_logits) {
    Napi::Object r = Napi::Object::New(env);
    r.Set("tokenIds", int_array(env, o.gen.ids));
    r.Set("promptIds", int_array(env, o.prompt_ids));
    r.Set("text", o.text);
    r.Set("fullText", o.full_text);
    r.Set("stoppedByEos", o.gen.stopped_by_eos);
    r.Set("score", o.gen.score);
    r.Set("timings", timings_object(env, o));
    if (first_logits) r.Set("firstLogits", float_array(env, o.gen.first_logits));
    if (!o.gen.debug.empty()) r.Set("debug", debug_array(env, o.gen.debug));
    return r;
}

Napi::Value ScoreResult(Napi::Env env, const gitcap::score_output & out) {
    Napi::Object r = Napi::Object::New(env);
    r.Set("tokenIds", int_array(env, out.text_ids));
    r.Set("tokenLogprobs", float_array(env, out.scores.token_logprobs));
    r.Set("total", out.scores.total);
    if (!out.scores.logits.empty()) r.Set("logits", float_array(env, out.scores.logits));
    return r;
}

Napi::Value PixelsResult(Napi::Env env, const gitcap::pixel_batch & px) {
    Napi::Object r = Napi::Object::New(env);
    r.Set("data", float_array(env, px.data));
    r.Set("dims", int_array(env, {px.n_images, px.channels, px.height, px.width}));
    r.Set("isVideo", px.is_video);
    return r;
}

Napi::Object ModelInfoObject(Napi::Env env, const gitcap::model & m, const std::string & path) {
    const gitcap::model_info & i = gitcap::get_info(m);
    const gitcap::preprocess_params & p = gitcap::get_preprocess_params(m);
    Napi::Object r = Napi::Object::New(env);
    r.Set("architecture", "git");
    r.Set("kind", i.num_frames > 1 ? "video" : "image");
    r.Set("name", i.name);
    r.Set("quantization", i.file_type);
    r.Set("backend", i.backend);
    r.Set("threads", i.n_threads);
    r.Set("path", path);
    Napi::Object text = Napi::Object::New(env);
    text.Set("vocabSize", i.vocab_size);
    text.Set("hiddenSize", i.hidden_size);
    text.Set("layers", i.n_layers);
    text.Set("heads", i.n_heads);
    text.Set("intermediateSize", i.intermediate_size);
    text.Set("maxPositions", i.max_positions);
    r.Set("text", text);
    Napi::Object vision = Napi::Object::New(env);
    vision.Set("hiddenSize", i.vision_hidden_size);
    vision.Set("layers", i.vision_layers);
    vision.Set("heads", i.vision_heads);
    vision.Set("imageSize", i.image_size);
    vision.Set("patchSize", i.patch_size);
    vision.Set("numFrames", i.num_frames);
    r.Set("vision", vision);
    r.Set("imageTokens", i.image_tokens);
    Napi::Object special = Napi::Object::New(env);
    special.Set("bos", i.bos_id);
    special.Set("eos", i.eos_id);
    special.Set("pad", i.pad_id);
    r.Set("special", special);
    r.Set("maxLength", i.max_length);
    Napi::Object pre = Napi::Object::New(env);
    pre.Set("processor", p.processor);
    pre.Set("resample", gitcap::resample_filter_name(p.resample));
    pre.Set("shortestEdge", p.shortest_edge);
    pre.Set("cropHeight", p.crop_height);
    pre.Set("cropWidth", p.crop_width);
    pre.Set("doConvertRgb", p.do_convert_rgb);
    pre.Set("rescaleFactor", p.rescale_factor);
    pre.Set("mean", float_array(env, {p.image_mean.begin(), p.image_mean.end()}));
    pre.Set("std", float_array(env, {p.image_std.begin(), p.image_std.end()}));
    r.Set("preprocessing", pre);
    Napi::Object memory = Napi::Object::New(env);
    memory.Set("weightsBytes", (double) i.weights_bytes);
    memory.Set("fileBytes", (double) i.file_bytes);
    r.Set("memory", memory);
    r.Set("matmulKernel", i.matmul_kernel);
    return r;
}

} // namespace gitcap_addon
