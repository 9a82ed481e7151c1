#include "request_args.h"

#include "arg_reader.h"
#include "bindings.h"

namespace gitcap_addon {

namespace {

std::vector<uint8_t> bytes_of(const Napi::Value & v, const char * what) {
    if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
        ThrowError(v.Env(), "E_INVALID_ARG", std::string("Expected a Uint8Array for ") + what);
    }
    Napi::Uint8Array a = v.As<Napi::Uint8Array>();
    return std::vector<uint8_t>(a.Data(), a.Data() + a.ByteLength());
}

// { data: Float32Array, dims: [n, c, h, w] }, e.g. what preprocess() returned
gitcap::pixel_batch read_pixels(const Napi::Value & pixels) {
    Napi::Env env = pixels.Env();
    Napi::Object po = pixels.As<Napi::Object>();
    const Napi::Value data = po.Get("data");
    const Napi::Value dims = po.Get("dims");
    if (!data.IsTypedArray() || data.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array || !dims.IsArray() ||
        dims.As<Napi::Array>().Length() != 4) {
        ThrowError(env, "E_INVALID_ARG", "Expected { data: Float32Array, dims: [n, 3, height, width] } for input.pixels");
    }
    Napi::Float32Array f = data.As<Napi::Float32Array>();
    Napi::Array d = dims.As<Napi::Array>();
    gitcap::pixel_batch px;
    px.n_images = d.Get(0u).As<Napi::Number>().Int32Value();
    px.channels = d.Get(1u).As<Napi::Number>().Int32Value();
    px.height = d.Get(2u).As<Napi::Number>().Int32Value();
    px.width = d.Get(3u).As<Napi::Number>().Int32Value();
    if (px.n_images < 1 || px.channels < 1 || px.height < 1 || px.width < 1 ||
        (double) px.n_images * px.channels * px.height * px.width != (double) f.ElementLength()) {
        ThrowError(env, "E_INPUT", "input.pixels: data has " + std::to_string(f.ElementLength()) + " values, dims do not match");
    }
    px.data.assign(f.Data(), f.Data() + f.ElementLength());
    return px;
}

// A raw image { data, width, height, channels = 3 }; its size is checked by the worker.
gitcap::image_u8 read_raw_image(const Napi::Object & raw) {
    gitcap::image_u8 im;
    im.channels = 3;
    OptionsReader r(raw, "raw image member");
    r.read("width", im.width);
    r.read("height", im.height);
    r.read("channels", im.channels);
    im.data = bytes_of(raw.Get("data"), "raw image data");
    return im;
}

} // namespace

gitcap::request_input ReadInput(const Napi::Object & in) {
    Napi::Env env = in.Env();
    gitcap::request_input out;
    OptionsReader r(in, "input member");
    r.read("video", out.is_video);
    const Napi::Value pixels = in.Get("pixels");
    if (pixels.IsObject()) {
        gitcap::pixel_batch px = read_pixels(pixels);
        px.is_video = out.is_video;
        out.pixels = std::move(px);
        return out;
    }
    const Napi::Value images = in.Get("images");
    if (!images.IsArray()) ThrowError(env, "E_INVALID_ARG", "Expected an array for input.images");
    Napi::Array arr = images.As<Napi::Array>();
    for (uint32_t i = 0; i < arr.Length(); i++) {
        const Napi::Value item = arr.Get(i);
        gitcap::image_source src;
        if (item.IsTypedArray()) {
            src.encoded = bytes_of(item, "an encoded image");
            if (src.encoded.empty()) ThrowError(env, "E_INPUT", "image " + std::to_string(i) + " is empty (0 bytes)");
        } else if (item.IsObject()) {
            src.pixels = read_raw_image(item.As<Napi::Object>());
        } else {
            ThrowError(env, "E_INVALID_ARG", "Expected a Uint8Array or a raw image for input.images[" + std::to_string(i) + "]");
        }
        out.images.push_back(std::move(src));
    }
    r.read("maxPixels", out.max_pixels);
    return out;
}

CaptionArgs ReadCaptionOptions(const Napi::Object & options, gitcap::request_input input) {
    CaptionArgs args;
    gitcap::caption_request & req = args.request;
    req.input = std::move(input);
    OptionsReader r(options, "caption option");
    gitcap::for_each_generate_field(req.params, [&](const char * key, auto & field) { r.read(key, field); });
    r.read("prompt", req.prompt);
    r.read("debugTensors", req.params.debug_tensors);
    r.read("returnFirstLogits", args.return_first_logits);
    r.check_all_read();
    return args;
}

gitcap::score_request ReadScoreOptions(const Napi::Object & options, gitcap::request_input input) {
    gitcap::score_request req;
    req.input = std::move(input);
    OptionsReader r(options, "score option");
    r.read("ids", req.ids);
    if (req.ids) {
        r.read("text", req.text); // marked as read; ids win
    } else {
        if (!r.has("text")) ThrowInvalidArg(options.Get("text"), "text", "a string");
        r.read("text", req.text);
    }
    r.read("prompt", req.prompt);
    r.read("includeEos", req.include_eos);
    r.read("returnLogits", req.want_logits);
    r.check_all_read();
    return req;
}

} // namespace gitcap_addon
