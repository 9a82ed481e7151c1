// One job's way back to JavaScript: the worker thread posts its tokens and its end, and the
// job's callback gets them on the JS thread as onEvent('token', id, piece), then
// onEvent('done', result) or onEvent('error', { code, message }). The worker thread never
// touches JS.
#pragma once

#include "gitcap_worker.h"

#include <napi.h>

#include <functional>

namespace gitcap_addon {

// Builds a job's result object on the JS thread once the job is done.
using ResultBuilder = std::function<Napi::Value(Napi::Env)>;

// Owns itself: the job's final event (done or error) deletes it; a job that was never queued
// calls Abandon().
class JobChannel {
public:
    JobChannel(Napi::Env env, Napi::Function callback);

    // The callbacks to give the worker with the job.
    gitcap::job_callbacks Callbacks(ResultBuilder result);
    // For a job that was never queued: releases the function so it does not keep Node alive.
    void Abandon();

private:
    struct Event;
    void Post(Event * ev);

    Napi::ThreadSafeFunction tsfn_;
};

// Queues a job through `submit` (returns its id as a JS number); a refused job releases its
// channel and throws the worker's error (E_BUSY, E_DISPOSED) to JS.
Napi::Value SubmitJob(Napi::Env env, JobChannel * channel, const std::function<uint64_t()> & submit);

} // namespace gitcap_addon
