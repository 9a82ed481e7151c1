// decodeImage(), preprocessImages(): image decoding and the Hugging Face image processors of
// native/include/gitcap_image.h, for callers that want pixels without a model. Synchronous:
// decoding a 640x480 JPEG or preprocessing six frames takes a few milliseconds.
// Types: lib/native/image-types.ts.
#include "bindings.h"
#include "image_args.h"

#include "gitcap_image.h"

#include <array>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

namespace {

using gitcap_addon::ThrowError;

[[noreturn]] void throw_native(Napi::Env env, const gitcap::error & e) {
    ThrowError(env, e.code_name(), e.what());
}

[[noreturn]] void invalid(Napi::Env env, const std::string & message) {
    ThrowError(env, "E_INVALID_ARG", message);
}

} // namespace

namespace gitcap_addon {

namespace {

// --- preprocessing parameters: { processor, doResize, shortestEdge, ... } ------------------------

int int_member(const Napi::Object & o, const char * key, int fallback, int min, int max) {
    const Napi::Value v = o.Get(key);
    if (v.IsUndefined()) return fallback;
    const double d = v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : NAN;
    if (!(d >= min && d <= max) || d != std::floor(d)) {
        invalid(o.Env(), "Expected integer between " + std::to_string(min) + " and " + std::to_string(max) +
                             " for params." + key);
    }
    return int(d);
}

bool bool_member(const Napi::Object & o, const char * key, bool fallback) {
    const Napi::Value v = o.Get(key);
    if (v.IsUndefined()) return fallback;
    if (!v.IsBoolean()) invalid(o.Env(), std::string("Expected a boolean for params.") + key);
    return v.As<Napi::Boolean>().Value();
}

double number_member(const Napi::Object & o, const char * key, double fallback) {
    const Napi::Value v = o.Get(key);
    if (v.IsUndefined()) return fallback;
    if (!v.IsNumber() || !std::isfinite(v.As<Napi::Number>().DoubleValue())) {
        invalid(o.Env(), std::string("Expected a finite number for params.") + key);
    }
    return v.As<Napi::Number>().DoubleValue();
}

// Three numbers, from an array or a Float32Array; stored as float32 like numpy's np.array(..., float32).
std::array<float, 3> triple_member(const Napi::Object & o, const char * key, const std::array<float, 3> & fallback) {
    const Napi::Value v = o.Get(key);
    if (v.IsUndefined()) return fallback;
    const std::string what = std::string("Expected an array of 3 numbers for params.") + key;
    if (!v.IsArray() && !v.IsTypedArray()) invalid(o.Env(), what);
    Napi::Object a = v.As<Napi::Object>();
    if (a.Get("length").As<Napi::Number>().Uint32Value() != 3) invalid(o.Env(), what);
    std::array<float, 3> out{};
    for (uint32_t i = 0; i < 3; i++) {
        const Napi::Value x = a.Get(i);
        if (!x.IsNumber()) invalid(o.Env(), what);
        out[i] = float(x.As<Napi::Number>().DoubleValue());
    }
    return out;
}

gitcap::resample_filter resample_member(const Napi::Object & o, gitcap::resample_filter fallback) {
    const Napi::Value v = o.Get("resample");
    if (v.IsUndefined()) return fallback;
    if (v.IsString()) {
        const std::string name = v.As<Napi::String>().Utf8Value();
        for (int code = 0; code <= 5; code++) {
            if (name == gitcap::resample_filter_name(gitcap::resample_filter(code))) return gitcap::resample_filter(code);
        }
    } else if (v.IsNumber()) {
        const double d = v.As<Napi::Number>().DoubleValue();
        if (d == std::floor(d) && gitcap::is_resample_filter(int(d))) return gitcap::resample_filter(int(d));
    }
    invalid(o.Env(), "Expected a PIL filter code 0 to 5 or nearest, lanczos, bilinear, bicubic, box or hamming "
                     "for params.resample");
}

} // namespace

gitcap::preprocess_params ReadPreprocessParams(const Napi::Value & v) {
    if (!v.IsObject()) invalid(v.Env(), "Expected an object for params");
    const Napi::Object o = v.As<Napi::Object>();
    constexpr int kMaxSide = (1 << 24) - 1;
    gitcap::preprocess_params p;
    const Napi::Value processor = o.Get("processor");
    if (!processor.IsUndefined()) {
        if (!processor.IsString()) invalid(v.Env(), "Expected a string for params.processor");
        p.processor = processor.As<Napi::String>().Utf8Value();
    }
    p.do_convert_rgb = bool_member(o, "doConvertRgb", p.do_convert_rgb);
    p.do_resize = bool_member(o, "doResize", p.do_resize);
    p.shortest_edge = int_member(o, "shortestEdge", p.shortest_edge, 0, kMaxSide);
    p.resize_height = int_member(o, "resizeHeight", p.resize_height, 0, kMaxSide);
    p.resize_width = int_member(o, "resizeWidth", p.resize_width, 0, kMaxSide);
    p.resample = resample_member(o, p.resample);
    p.do_center_crop = bool_member(o, "doCenterCrop", p.do_center_crop);
    p.crop_height = int_member(o, "cropHeight", p.crop_height, 1, kMaxSide);
    p.crop_width = int_member(o, "cropWidth", p.crop_width, 1, kMaxSide);
    p.do_rescale = bool_member(o, "doRescale", p.do_rescale);
    p.rescale_factor = number_member(o, "rescaleFactor", p.rescale_factor);
    p.do_normalize = bool_member(o, "doNormalize", p.do_normalize);
    p.image_mean = triple_member(o, "mean", p.image_mean);
    p.image_std = triple_member(o, "std", p.image_std);
    try {
        gitcap::check_preprocess_params(p);
    } catch (const gitcap::error & e) {
        throw_native(v.Env(), e);
    }
    return p;
}

// --- images -------------------------------------------------------------------------------------

namespace {

Napi::Uint8Array check_bytes(const Napi::Value & v, const std::string & name) {
    if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
        invalid(v.Env(), "Expected a Uint8Array for " + name);
    }
    return v.As<Napi::Uint8Array>();
}

Napi::Uint8Array copy_bytes(Napi::Env env, const std::vector<uint8_t> & v) {
    Napi::Uint8Array a = Napi::Uint8Array::New(env, v.size());
    if (!v.empty()) std::memcpy(a.Data(), v.data(), v.size());
    return a;
}

} // namespace

gitcap::image_view ReadImageView(const Napi::Value & v, const std::string & name) {
    if (!v.IsObject()) invalid(v.Env(), "Expected an object { data, width, height, channels } for " + name);
    const Napi::Object o = v.As<Napi::Object>();
    const Napi::Uint8Array data = check_bytes(o.Get("data"), name + ".data");
    auto dim = [&](const char * key, int fallback, int max) {
        const Napi::Value x = o.Get(key);
        if (x.IsUndefined() && fallback > 0) return fallback;
        const double d = x.IsNumber() ? x.As<Napi::Number>().DoubleValue() : NAN;
        if (!(d >= 1 && d <= max) || d != std::floor(d)) {
            invalid(v.Env(), "Expected integer between 1 and " + std::to_string(max) + " for " + name + "." + key);
        }
        return int(d);
    };
    gitcap::image_view view;
    view.width = dim("width", 0, 1 << 24);
    view.height = dim("height", 0, 1 << 24);
    view.channels = dim("channels", 3, 4);
    const double expected = double(view.width) * view.height * view.channels;
    if (double(data.ByteLength()) != expected) {
        ThrowError(v.Env(), "E_INPUT",
                   name + ".data has " + std::to_string(data.ByteLength()) + " bytes but width * height * channels is " +
                       std::to_string(view.width) + " * " + std::to_string(view.height) + " * " +
                       std::to_string(view.channels) + " = " + std::to_string(uint64_t(expected)));
    }
    view.data = data.Data();
    return view;
}

Napi::Object ImageObject(Napi::Env env, const gitcap::image_u8 & im) {
    Napi::Object r = Napi::Object::New(env);
    r.Set("data", copy_bytes(env, im.data));
    r.Set("width", im.width);
    r.Set("height", im.height);
    r.Set("channels", im.channels);
    return r;
}

} // namespace gitcap_addon

namespace {

using namespace gitcap_addon;

// decodeImage(bytes, maxPixels) -> { data, width, height, channels, mode, format }
Napi::Value DecodeImage(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    const Napi::Uint8Array bytes = check_bytes(info[0], "the image bytes");
    const double max_pixels = info[1].IsNumber() ? info[1].As<Napi::Number>().DoubleValue() : NAN;
    if (!(max_pixels >= 1 && max_pixels <= 9007199254740991.0) || max_pixels != std::floor(max_pixels)) {
        invalid(env, "Expected integer between 1 and 9007199254740991 for maxPixels");
    }
    try {
        const gitcap::decoded_image d = gitcap::decode_image(bytes.Data(), bytes.ByteLength(), uint64_t(max_pixels));
        Napi::Object r = ImageObject(env, d.image);
        r.Set("mode", d.mode);
        r.Set("format", d.format);
        return r;
    } catch (const gitcap::error & e) {
        throw_native(env, e);
    }
}

// preprocessImages(images, params) -> { data: Float32Array, dims: [n, 3, height, width] }
Napi::Value PreprocessImages(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    if (!info[0].IsArray() || info[0].As<Napi::Array>().Length() == 0) invalid(env, "Expected a non-empty array for images");
    const Napi::Array arr = info[0].As<Napi::Array>();
    std::vector<gitcap::image_view> views;
    for (uint32_t i = 0; i < arr.Length(); i++) views.push_back(ReadImageView(arr.Get(i), "images[" + std::to_string(i) + "]"));
    const gitcap::preprocess_params p = ReadPreprocessParams(info[1]);
    try {
        const gitcap::pixel_batch px = gitcap::preprocess_images(views, p);
        Napi::Float32Array data = Napi::Float32Array::New(env, px.data.size());
        std::memcpy(data.Data(), px.data.data(), px.data.size() * sizeof(float));
        Napi::Array dims = Napi::Array::New(env, 4);
        dims.Set(0u, px.n_images);
        dims.Set(1u, px.channels);
        dims.Set(2u, px.height);
        dims.Set(3u, px.width);
        Napi::Object r = Napi::Object::New(env);
        r.Set("data", data);
        r.Set("dims", dims);
        return r;
    } catch (const gitcap::error & e) {
        throw_native(env, e);
    }
}

} // namespace

void RegisterImage(Napi::Env env, Napi::Object exports) {
    exports.Set("decodeImage", Napi::Function::New(env, DecodeImage, "decodeImage"));
    exports.Set("preprocessImages", Napi::Function::New(env, PreprocessImages, "preprocessImages"));
}
