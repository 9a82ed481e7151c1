// class Model: a loaded GIT model and its worker thread (native/include/gitcap_worker.h), as a JS
// class. Arguments: request_args.h; results: results.h; events back to JS: job_channel.h.
//
//   Model.load(path, { backend, threads, useMmap, maxQueue }) -> Promise<Model>
//   model.info() -> ModelInfo
//   model.caption(input, options, onEvent) -> job id      onEvent('token', id, piece) ... then
//   model.score(input, options, onEvent)   -> job id      onEvent('done', result) or
//   model.preprocess(input, onEvent)       -> job id      onEvent('error', { code, message })
//   model.cancel(id); model.inFlight() -> number
//   model.tokenize(text, addSpecial) -> Int32Array; model.detokenize(ids, skipSpecial, cleanUp) -> string
//   model.dispose() -> Promise<void>
#include "arg_reader.h"
#include "bindings.h"
#include "job_channel.h"
#include "request_args.h"
#include "results.h"

#include "gitcap.h"
#include "gitcap_tokenizer.h"
#include "gitcap_worker.h"

#include <memory>
#include <thread>

namespace {

using namespace gitcap_addon;

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

    void attach(std::shared_ptr<const gitcap::model> m, size_t max_queue, std::string path) {
        model_ = std::move(m);
        path_ = std::move(path);
        worker_ = std::make_unique<gitcap::worker>(model_, max_queue);
    }

private:
    static Napi::Value Load(const Napi::CallbackInfo & info);

    gitcap::worker & live_worker(Napi::Env env) {
        if (!worker_) ThrowError(env, "E_DISPOSED", "the model has been disposed");
        return *worker_;
    }

    const gitcap::model & live_model(Napi::Env env) {
        if (!model_) ThrowError(env, "E_DISPOSED", "the model has been disposed");
        return *model_;
    }

    Napi::Value Info(const Napi::CallbackInfo & info) { return ModelInfoObject(info.Env(), live_model(info.Env()), path_); }

    Napi::Value Caption(const Napi::CallbackInfo & info) {
        Napi::Env env = info.Env();
        gitcap::worker & w = live_worker(env);
        gitcap::request_input input = ReadInput(ObjectArg(info, 0, "input"));
        CaptionArgs args = ReadCaptionOptions(ObjectArg(info, 1, "options"), std::move(input));
        auto * channel = new JobChannel(env, FunctionArg(info, 2, "onEvent"));
        auto out = std::make_shared<gitcap::caption_output>();
        const bool first_logits = args.return_first_logits;
        auto result = [out, first_logits](Napi::Env e) { return CaptionResult(e, *out, first_logits); };
        return SubmitJob(env, channel, [&] { return w.submit_caption(std::move(args.request), channel->Callbacks(result), out); });
    }

    Napi::Value Score(const Napi::CallbackInfo & info) {
        Napi::Env env = info.Env();
        gitcap::worker & w = live_worker(env);
        gitcap::request_input input = ReadInput(ObjectArg(info, 0, "input"));
        gitcap::score_request req = ReadScoreOptions(ObjectArg(info, 1, "options"), std::move(input));
        auto * channel = new JobChannel(env, FunctionArg(info, 2, "onEvent"));
        auto out = std::make_shared<gitcap::score_output>();
        auto result = [out](Napi::Env e) { return ScoreResult(e, *out); };
        return SubmitJob(env, channel, [&] { return w.submit_score(std::move(req), channel->Callbacks(result), out); });
    }

    Napi::Value Preprocess(const Napi::CallbackInfo & info) {
        Napi::Env env = info.Env();
        gitcap::worker & w = live_worker(env);
        gitcap::request_input in = ReadInput(ObjectArg(info, 0, "input"));
        auto * channel = new JobChannel(env, FunctionArg(info, 1, "onEvent"));
        auto out = std::make_shared<gitcap::pixel_batch>();
        auto result = [out](Napi::Env e) { return PixelsResult(e, *out); };
        return SubmitJob(env, channel, [&] { return w.submit_preprocess(std::move(in), channel->Callbacks(result), out); });
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
        const gitcap::model & m = live_model(env);
        if (info.Length() < 1 || !info[0].IsString()) ThrowError(env, "E_INVALID_ARG", "Expected a string for text");
        const bool special = info.Length() > 1 && info[1].IsBoolean() && info[1].As<Napi::Boolean>().Value();
        const std::vector<int32_t> ids = gitcap::get_tokenizer(m).encode(info[0].As<Napi::String>().Utf8Value(), special);
        Napi::Int32Array a = Napi::Int32Array::New(env, ids.size());
        std::copy(ids.begin(), ids.end(), a.Data());
        return a;
    }

    Napi::Value Detokenize(const Napi::CallbackInfo & info) {
        Napi::Env env = info.Env();
        const gitcap::model & m = live_model(env);
        if (info.Length() < 1 || !info[0].IsArray()) ThrowError(env, "E_INVALID_ARG", "Expected an array of token ids");
        Napi::Array a = info[0].As<Napi::Array>();
        std::vector<int32_t> ids;
        for (uint32_t i = 0; i < a.Length(); i++) ids.push_back(a.Get(i).As<Napi::Number>().Int32Value());
        gitcap::DecodeOptions o;
        o.skip_special_tokens = !(info.Length() > 1 && info[1].IsBoolean() && !info[1].As<Napi::Boolean>().Value());
        o.clean_up_tokenization_spaces = !(info.Length() > 2 && info[2].IsBoolean() && !info[2].As<Napi::Boolean>().Value());
        return Napi::String::New(env, gitcap::get_tokenizer(m).decode(ids, o));
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
    std::string path_;
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
        ModelWrap::Unwrap(obj)->attach(model_, max_queue_, path_);
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
    uint64_t max_queue = 64;
    OptionsReader r(o, "load option");
    r.read("backend", params.backend);
    r.read("threads", params.n_threads);
    r.read("useMmap", params.use_mmap);
    r.read("maxQueue", max_queue);
    r.check_all_read();
    auto * w = new LoadWorker(env, info.This().As<Napi::Function>(), info[0].As<Napi::String>().Utf8Value(), params, (size_t) max_queue);
    Napi::Promise p = w->Promise();
    w->Queue();
    return p;
}

} // namespace

void RegisterModel(Napi::Env env, Napi::Object exports) {
    exports.Set("Model", ModelWrap::Define(env));
}
