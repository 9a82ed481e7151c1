#include "job_channel.h"

#include "bindings.h"

#include <memory>
#include <string>

namespace gitcap_addon {

// What a job sends to JS: a token, the end, or an error.
struct JobChannel::Event {
    enum Kind { token, done, failure } kind;
    int32_t id = 0;
    std::string text;
    std::string code;
    ResultBuilder result;
};

JobChannel::JobChannel(Napi::Env env, Napi::Function callback)
    : tsfn_(Napi::ThreadSafeFunction::New(env, callback, "gitcap-job", 0, 1)) {}

void JobChannel::Post(Event * ev) {
    const bool last = ev->kind != Event::token;
    tsfn_.NonBlockingCall(ev, [](Napi::Env env, Napi::Function fn, Event * e) {
        std::unique_ptr<Event> owned(e);
        if (!env) return; // the environment is shutting down
        switch (e->kind) {
            case Event::token:
                fn.Call({Napi::String::New(env, "token"), Napi::Number::New(env, e->id), Napi::String::New(env, e->text)});
                break;
            case Event::done:
                fn.Call({Napi::String::New(env, "done"), e->result(env)});
                break;
            case Event::failure: {
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

void JobChannel::Abandon() {
    tsfn_.Release();
    delete this;
}

gitcap::job_callbacks JobChannel::Callbacks(ResultBuilder result) {
    auto self = this;
    gitcap::job_callbacks cb;
    cb.on_token = [self](int32_t id, const std::string & piece) {
        self->Post(new Event{Event::token, id, piece, {}, {}});
    };
    cb.on_done = [self, result] {
        self->Post(new Event{Event::done, 0, {}, {}, result});
        delete self;
    };
    cb.on_error = [self](const gitcap::error & e) {
        self->Post(new Event{Event::failure, 0, e.what(), e.code_name(), {}});
        delete self;
    };
    return cb;
}

Napi::Value SubmitJob(Napi::Env env, JobChannel * channel, const std::function<uint64_t()> & submit) {
    try {
        return Napi::Number::New(env, (double) submit());
    } catch (const gitcap::error & e) {
        channel->Abandon();
        ThrowError(env, e.code_name(), e.what());
    }
}

} // namespace gitcap_addon
