// class Model: a loaded GIT model and its worker thread (native/src/decode/worker.h), as a JS class.
//
//   Model.load(path, { backend, threads, useMmap, maxQueue }) -> Promise<Model>
//   model.info() -> ModelInfo
//   model.caption(input, options, onEvent) -> job id      onEvent('token', id, piece) ... then
//   model.score(input, options, onEvent)   -> job id      onEvent('done', result) or
//   model.preprocess(input, onEvent)       -> job id      onEvent('error', { code, message })
//   model.cancel(id); model.inFlight() -> number
//   model.tokenize(text, addSpecial) -> Int32Array; model.detokenize(ids, skipSpecial, cleanUp) -> string
//   model.dispose() -> Promise<void>
// input: { images: Array<Uint8Array | { data: Uint8Array, width, height, channels }>, video: boolean,
//          maxPixels?: number }
// Each job reports through its own thread-safe function; the worker thread never touches JS.
#include "bindings.h"

#include "gitcap.h"
#include "image/image_preprocess.h"
#include "text/tokenizer.h"
#include "decode/worker.h"

#include <cmath>
#include <memory>
#include <thread>

namespace {

using gitcap_addon::ThrowError;

[[noreturn]] void throw_native(Napi::Env env, const gitcap::error & e) { ThrowError(env, e.code_name(), e.what()); }

// Typed reads of option members; wrong types are a caller bug that the TypeScript layer prevents,
// but they still become errors here, never crashes.
double num(const Napi::Object & o, const char * key, double fallback) {
    const Napi::Value v = o.Get(key);
    if (v.IsUndefined() || v.IsNull()) return fallback;
    if (!v.IsNumber()) ThrowError(o.Env(), "E_INVALID_ARG", std::string("Expected a number for ") + key);
    return v.As<Napi::Number>().DoubleValue();
}

bool flag(const Napi::Object & o, const char * key, bool fallback) {
    const Napi::Value v = o.Get(key);
    if (v.IsUndefined() || v.IsNull()) return fallback;
    if (!v.IsBoolean()) ThrowError(o.Env(), "E_INVALID_ARG", std::string("Expected a boolean for ") + key);
    return v.As<Napi::Boolean>().Value();
}

std::optional<std::string> opt_str(const Napi::Object & o, const char * key) {
    const Napi::Value v = o.Get(key);
    if (v.IsUndefined() || v.IsNull()) return std::nullopt;
    if (!v.IsString()) ThrowError(o.Env(), "E_INVALID_ARG", std::string("Expected a string for ") + key);
    return v.As<Napi::String>().Utf8Value();
}

Napi::Object object_arg(const Napi::CallbackInfo & info, size_t i, const char * name) {
    if (info.Length() <= i || !info[i].IsObject()) ThrowError(info.Env(), "E_INVALID_ARG", std::string("Expected an object for ") + name);
    return info[i].As<Napi::Object>();
}

std::vector<uint8_t> bytes_of(const Napi::Value & v, const char * what) {
    if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
        ThrowError(v.Env(), "E_INVALID_ARG", std::string("Expected a Uint8Array for ") + what);
    }
    Napi::Uint8Array a = v.As<Napi::Uint8Array>();
    return std::vector<uint8_t>(a.Data(), a.Data() + a.ByteLength());
}

gitcap::request_input read_input(const Napi::Object & in) {
    Napi::Env env = in.Env();
    gitcap::request_input out;
    const Napi::Value pixels = in.Get("pixels");
    if (pixels.IsObject()) {
        // { data: Float32Array, dims: [n, c, h, w] }, e.g. what preprocess() returned
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
        px.is_video = flag(in, "video", false);
        out.is_video = px.is_video;
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
            Napi::Object raw = item.As<Napi::Object>();
            src.pixels.width = (int) num(raw, "width", 0);
            src.pixels.height = (int) num(raw, "height", 0);
            src.pixels.channels = (int) num(raw, "channels", 3);
            src.pixels.data = bytes_of(raw.Get("data"), "raw image data");
        } else {
            ThrowError(env, "E_INVALID_ARG", "Expected a Uint8Array or a raw image for input.images[" + std::to_string(i) + "]");
        }
        out.images.push_back(std::move(src));
    }
    out.is_video = flag(in, "video", false);
    out.max_pixels = (uint64_t) num(in, "maxPixels", 0);
    return out;
}

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

// What a job sends to JS: a token, the end, or an error.
struct job_event {
    enum kind_t { token, done, failure } kind;
    int32_t id = 0;
    std::string text;
    std::string code;
    std::function<Napi::Value(Napi::Env)> result;
};

// One job's channel to its JS callback. The worker thread calls post(); the final event releases it.
class job_channel {
public:
    job_channel(Napi::Env env, Napi::Function callback)
        : tsfn_(Napi::ThreadSafeFunction::New(env, callback, "gitcap-job", 0, 1)) {}

    void post(job_event * ev) {
        const bool last = ev->kind != job_event::token;
        tsfn_.NonBlockingCall(ev, [](Napi::Env env, Napi::Function fn, job_event * e) {
            std::unique_ptr<job_event> owned(e);
            if (!env) return; // the environment is shutting down
            switch (e->kind) {
                case job_event::token:
                    fn.Call({Napi::String::New(env, "token"), Napi::Number::New(env, e->id), Napi::String::New(env, e->text)});
                    break;
                case job_event::done:
                    fn.Call({Napi::String::New(env, "done"), e->result(env)});
                    break;
                case job_event::failure: {
                    Napi::Object err = Napi::Object::New(env);
                    err.Set("code", e->code);
                    err.Set("message", e->text);
                    fn.Call({Napi::String::New(env, "error"), err});
                    break;
                }
            }
        });
        if (last) tsfn_.Release();
    }

    // For a job that was never queued: releases the function so it does not keep Node alive.
    void abandon() {
        tsfn_.Release();
        delete this;
    }

    gitcap::job_callbacks callbacks(std::function<Napi::Value(Napi::Env)> result) {
        auto self = this;
        gitcap::job_callbacks cb;
        cb.on_token = [self](int32_t id, const std::string & piece) {
            self->post(new job_event{job_event::token, id, piece, {}, {}});
        };
        cb.on_done = [self, result] {
            self->post(new job_event{job_event::done, 0, {}, {}, result});
            delete self;
        };
        cb.on_error = [self](const gitcap::error & e) {
            self->post(new job_event{job_event::failure, 0, e.what(), e.code_name(), {}});
            delete self;
        };
        return cb;
    }

private:
    Napi::ThreadSafeFunction tsfn_;
};

// Queues a job through `submit` (returns its id); a refused job releases its channel.
template <typename Submit> Napi::Value submit_job(Napi::Env env, job_channel * channel, Submit && submit) {
    try {
        return Napi::Number::New(env, (double) submit());
    } catch (const gitcap::error & e) {
        channel->abandon();
        throw_native(env, e);
    }
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

Napi::Value caption_result(Napi::Env env, const gitcap::caption_output & o, bool first_logits) {
    Napi::Object r = Napi::Object::New(env);
    r.Set("tokenIds", int_array(env, o.gen.ids));
    r.Set("promptIds", int_array(env, o.prompt_ids));
    r.Set("text", o.text);
    r.Set("fullText", o.full_text);
    r.Set("stoppedByEos", o.gen.stopped_by_eos);
    r.Set("score", o.gen.score);
    r.Set("timings", timings_object(env, o));
    if (first_logits) r.Set("firstLogits", float_array(env, o.gen.first_logits));
    if (!o.gen.debug.empty()) {
        Napi::Array dbg = Napi::Array::New(env, o.gen.debug.size());
        for (size_t i = 0; i < o.gen.debug.size(); i++) {
            const auto & d = o.gen.debug[i];
            Napi::Object t = Napi::Object::New(env);
            t.Set("name", d.name);
            Napi::Array shape = Napi::Array::New(env, d.shape.size());
            for (size_t k = 0; k < d.shape.size(); k++) shape.Set((uint32_t) k, Napi::Number::New(env, (double) d.shape[k]));
            t.Set("shape", shape);
            t.Set("data", float_array(env, d.data));
            dbg.Set((uint32_t) i, t);
        }
        r.Set("debug", dbg);
    }
    return r;
}

class ModelWrap : public Napi::ObjectWrap<ModelWrap> {
public:
    static Napi::Function Define(Napi::Env env) {
        return DefineClass(env, "Model",
                           {StaticMethod("load", &ModelWrap::Load), InstanceMethod("info", &ModelWrap::Info),
                            InstanceMethod("caption", &ModelWrap::Caption), InstanceMethod("score", &ModelWrap::Score),
                            InstanceMethod("preprocess", &ModelWrap::Preprocess), InstanceMethod("cancel", &ModelWrap::Cancel),
                            InstanceMethod("inFlight", &ModelWrap::InFlight), InstanceMethod("tokenize", &ModelWrap::Tokenize),
                            InstanceMethod("detokenize", &ModelWrap::Detokenize), InstanceMethod("dispose", &ModelWrap::Dispose)});
    }

    ModelWrap(const Napi::CallbackInfo & info) : Napi::ObjectWrap<ModelWrap>(info) {}
    ~ModelWrap() override { worker_.reset(); } // joins: a collected model has no jobs left to run

    void attach(std::shared_ptr<const gitcap::model> m, size_t max_queue) {
        model_ = std::move(m);
        worker_ = std::make_unique<gitcap::worker>(model_, max_queue);
    }

private:
    static Napi::Value Load(const Napi::CallbackInfo & info);

    gitcap::worker & live_worker(Napi::Env env) {
        if (!worker_) ThrowError(env, "E_DISPOSED", "the model has been disposed");
        return *worker_;
    }

    Napi::Value Info(const Napi::CallbackInfo & info) {
        Napi::Env env = info.Env();
        if (!model_) ThrowError(env, "E_DISPOSED", "the model has been disposed");
        const gitcap::model_info & i = gitcap::get_info(*model_);
        const gitcap::preprocess_params & p = gitcap::get_preprocess_params(*model_);
        Napi::Object r = Napi::Object::New(env);
        r.Set("name", i.name);
        r.Set("fileType", i.file_type);
        r.Set("backend", i.backend);
        r.Set("threads", i.n_threads);
        r.Set("vocabSize", i.vocab_size);
        r.Set("hiddenSize", i.hidden_size);
        r.Set("layers", i.n_layers);
        r.Set("heads", i.n_heads);
        r.Set("intermediateSize", i.intermediate_size);
        r.Set("maxPositions", i.max_positions);
        r.Set("visionHiddenSize", i.vision_hidden_size);
        r.Set("visionLayers", i.vision_layers);
        r.Set("visionHeads", i.vision_heads);
        r.Set("imageSize", i.image_size);
        r.Set("patchSize", i.patch_size);
        r.Set("numFrames", i.num_frames);
        r.Set("imageTokens", i.image_tokens);
        r.Set("bosId", i.bos_id);
        r.Set("eosId", i.eos_id);
        r.Set("padId", i.pad_id);
        r.Set("maxLength", i.max_length);
        r.Set("weightsBytes", (double) i.weights_bytes);
        r.Set("matmulKernel", i.matmul_kernel);
        r.Set("fileBytes", (double) i.file_bytes);
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
        return r;
    }

    Napi::Value Caption(const Napi::CallbackInfo & info) {
        Napi::Env env = info.Env();
        gitcap::worker & w = live_worker(env);
        gitcap::caption_request req;
        req.input = read_input(object_arg(info, 0, "input"));
        const Napi::Object o = object_arg(info, 1, "options");
        if (info.Length() < 3 || !info[2].IsFunction()) ThrowError(env, "E_INVALID_ARG", "Expected a function for onEvent");
        auto & p = req.params;
        p.max_new_tokens = (int) num(o, "maxNewTokens", p.max_new_tokens);
        p.min_new_tokens = (int) num(o, "minNewTokens", p.min_new_tokens);
        p.num_beams = (int) num(o, "numBeams", p.num_beams);
        p.length_penalty = (float) num(o, "lengthPenalty", p.length_penalty);
        p.early_stopping = flag(o, "earlyStopping", p.early_stopping);
        p.temperature = (float) num(o, "temperature", p.temperature);
        p.top_k = (int) num(o, "topK", p.top_k);
        p.top_p = (float) num(o, "topP", p.top_p);
        p.seed = (uint64_t) num(o, "seed", 0);
        p.repetition_penalty = (float) num(o, "repetitionPenalty", p.repetition_penalty);
        const Napi::Value dbg = o.Get("debugTensors");
        if (dbg.IsArray()) {
            Napi::Array a = dbg.As<Napi::Array>();
            for (uint32_t i = 0; i < a.Length(); i++) p.debug_tensors.push_back(a.Get(i).ToString().Utf8Value());
        }
        req.prompt = opt_str(o, "prompt");
        const bool first_logits = flag(o, "returnFirstLogits", false);

        auto out = std::make_shared<gitcap::caption_output>();
        auto * channel = new job_channel(env, info[2].As<Napi::Function>());
        auto result = [out, first_logits](Napi::Env e) { return caption_result(e, *out, first_logits); };
        return submit_job(env, channel, [&] { return w.submit_caption(std::move(req), channel->callbacks(result), out); });
    }

    Napi::Value Score(const Napi::CallbackInfo & info) {
        Napi::Env env = info.Env();
        gitcap::worker & w = live_worker(env);
        gitcap::score_request req;
        req.input = read_input(object_arg(info, 0, "input"));
        const Napi::Object o = object_arg(info, 1, "options");
        if (info.Length() < 3 || !info[2].IsFunction()) ThrowError(env, "E_INVALID_ARG", "Expected a function for onEvent");
        const Napi::Value ids = o.Get("ids");
        if (ids.IsArray()) {
            Napi::Array a = ids.As<Napi::Array>();
            std::vector<int32_t> v;
            for (uint32_t i = 0; i < a.Length(); i++) v.push_back(a.Get(i).As<Napi::Number>().Int32Value());
            req.ids = std::move(v);
        } else {
            const auto text = opt_str(o, "text");
            if (!text) ThrowError(env, "E_INVALID_ARG", "Expected a string for text");
            req.text = *text;
        }
        req.prompt = opt_str(o, "prompt");
        req.include_eos = flag(o, "includeEos", true);
        req.want_logits = flag(o, "returnLogits", false);
        auto out = std::make_shared<gitcap::score_output>();
        auto * channel = new job_channel(env, info[2].As<Napi::Function>());
        auto result = [out](Napi::Env e) -> Napi::Value {
            Napi::Object r = Napi::Object::New(e);
            r.Set("tokenIds", int_array(e, out->text_ids));
            r.Set("tokenLogprobs", float_array(e, out->scores.token_logprobs));
            r.Set("total", out->scores.total);
            if (!out->scores.logits.empty()) r.Set("logits", float_array(e, out->scores.logits));
            return r;
        };
        return submit_job(env, channel, [&] { return w.submit_score(std::move(req), channel->callbacks(result), out); });
    }

    Napi::Value Preprocess(const Napi::CallbackInfo & info) {
        Napi::Env env = info.Env();
        gitcap::worker & w = live_worker(env);
        gitcap::request_input in = read_input(object_arg(info, 0, "input"));
        if (info.Length() < 2 || !info[1].IsFunction()) ThrowError(env, "E_INVALID_ARG", "Expected a function for onEvent");
        auto out = std::make_shared<gitcap::pixel_batch>();
        auto * channel = new job_channel(env, info[1].As<Napi::Function>());
        auto result = [out](Napi::Env e) -> Napi::Value {
            Napi::Object r = Napi::Object::New(e);
            r.Set("data", float_array(e, out->data));
            r.Set("dims", int_array(e, {out->n_images, out->channels, out->height, out->width}));
            r.Set("isVideo", out->is_video);
            return r;
        };
        return submit_job(env, channel, [&] { return w.submit_preprocess(std::move(in), channel->callbacks(result), out); });
    }

    Napi::Value Cancel(const Napi::CallbackInfo & info) {
        if (worker_ && info.Length() > 0 && info[0].IsNumber()) worker_->cancel((uint64_t) info[0].As<Napi::Number>().Int64Value());
        return info.Env().Undefined();
    }

    Napi::Value InFlight(const Napi::CallbackInfo & info) {
        return Napi::Number::New(info.Env(), worker_ ? (double) worker_->in_flight() : 0.0);
    }

    Napi::Value Tokenize(const Napi::CallbackInfo & info) {
        Napi::Env env = info.Env();
        if (!model_) ThrowError(env, "E_DISPOSED", "the model has been disposed");
        if (info.Length() < 1 || !info[0].IsString()) ThrowError(env, "E_INVALID_ARG", "Expected a string for text");
        const bool special = info.Length() > 1 && info[1].IsBoolean() && info[1].As<Napi::Boolean>().Value();
        const std::vector<int32_t> ids = gitcap::get_tokenizer(*model_).encode(info[0].As<Napi::String>().Utf8Value(), special);
        Napi::Int32Array a = Napi::Int32Array::New(env, ids.size());
        std::copy(ids.begin(), ids.end(), a.Data());
        return a;
    }

    Napi::Value Detokenize(const Napi::CallbackInfo & info) {
        Napi::Env env = info.Env();
        if (!model_) ThrowError(env, "E_DISPOSED", "the model has been disposed");
        if (info.Length() < 1 || !info[0].IsArray()) ThrowError(env, "E_INVALID_ARG", "Expected an array of token ids");
        Napi::Array a = info[0].As<Napi::Array>();
        std::vector<int32_t> ids;
        for (uint32_t i = 0; i < a.Length(); i++) ids.push_back(a.Get(i).As<Napi::Number>().Int32Value());
        gitcap::DecodeOptions o;
        o.skip_special_tokens = !(info.Length() > 1 && info[1].IsBoolean() && !info[1].As<Napi::Boolean>().Value());
        o.clean_up_tokenization_spaces = !(info.Length() > 2 && info[2].IsBoolean() && !info[2].As<Napi::Boolean>().Value());
        return Napi::String::New(env, gitcap::get_tokenizer(*model_).decode(ids, o));
    }

    // Stops the worker (queued and running jobs end with E_DISPOSED) and frees the model once the
    // worker thread has finished its current graph; resolves when that is done.
    Napi::Value Dispose(const Napi::CallbackInfo & info) {
        Napi::Env env = info.Env();
        auto deferred = std::make_shared<Napi::Promise::Deferred>(env);
        if (!worker_) {
            deferred->Resolve(env.Undefined());
            return deferred->Promise();
        }
        std::shared_ptr<gitcap::worker> w(worker_.release());
        std::shared_ptr<const gitcap::model> m = std::move(model_);
        w->shutdown();
        auto tsfn = Napi::ThreadSafeFunction::New(env, Napi::Function::New(env, [](const Napi::CallbackInfo &) {}), "gitcap-dispose", 0, 1);
        std::thread([w, m, tsfn, deferred]() mutable {
            w.reset(); // joins the worker thread
            m.reset();
            tsfn.BlockingCall([deferred](Napi::Env e, Napi::Function) { deferred->Resolve(e.Undefined()); });
            tsfn.Release();
        }).detach();
        return deferred->Promise();
    }

    std::shared_ptr<const gitcap::model> model_;
    std::unique_ptr<gitcap::worker> worker_;
};

class LoadWorker : public Napi::AsyncWorker {
public:
    // `ctor`: the Model class, which the result is an instance of (kept per environment, no global)
    LoadWorker(Napi::Env env, Napi::Function ctor, std::string path, gitcap::model_params params, size_t max_queue)
        : Napi::AsyncWorker(env), deferred_(Napi::Promise::Deferred::New(env)), ctor_(Napi::Persistent(ctor)),
          path_(std::move(path)), params_(std::move(params)), max_queue_(max_queue) {}

    Napi::Promise Promise() { return deferred_.Promise(); }

    void Execute() override {
        try {
            model_ = gitcap::load_model(path_, params_);
        } catch (const gitcap::error & e) {
            code_ = e.code_name();
            SetError(e.what());
        } catch (const std::exception & e) {
            code_ = "E_NATIVE";
            SetError(e.what());
        }
    }

    void OnOK() override {
        Napi::Object obj = ctor_.New({});
        ModelWrap::Unwrap(obj)->attach(model_, max_queue_);
        deferred_.Resolve(obj);
    }

    void OnError(const Napi::Error & e) override {
        Napi::Error err = Napi::Error::New(Env(), e.Message());
        err.Set("code", code_);
        deferred_.Reject(err.Value());
    }

private:
    Napi::Promise::Deferred deferred_;
    Napi::FunctionReference ctor_;
    std::string path_;
    gitcap::model_params params_;
    size_t max_queue_;
    std::shared_ptr<const gitcap::model> model_;
    std::string code_ = "E_NATIVE";
};

Napi::Value ModelWrap::Load(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsString()) ThrowError(env, "E_INVALID_ARG", "Expected a string for path");
    if (!info.This().IsFunction()) ThrowError(env, "E_INVALID_ARG", "Model.load must be called on the Model class");
    const Napi::Object o = info.Length() > 1 && info[1].IsObject() ? info[1].As<Napi::Object>() : Napi::Object::New(env);
    gitcap::model_params params;
    if (auto b = opt_str(o, "backend")) params.backend = *b;
    params.n_threads = (int) num(o, "threads", 0);
    params.use_mmap = flag(o, "useMmap", true);
    const size_t max_queue = (size_t) num(o, "maxQueue", 64);
    auto * w = new LoadWorker(env, info.This().As<Napi::Function>(), info[0].As<Napi::String>().Utf8Value(), params, max_queue);
    Napi::Promise p = w->Promise();
    w->Queue();
    return p;
}

} // namespace

void RegisterModel(Napi::Env env, Napi::Object exports) {
    exports.Set("Model", ModelWrap::Define(env));
}
