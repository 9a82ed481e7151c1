// The worker's queue and its thread: one request admitted per round, then one batched decode step
// for every caption in progress. What a request means in runner calls is decode/caption_request.cpp.
#include "gitcap_worker.h"

#include "decode/caption_request.h"
#include "model/model.h"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <unordered_map>

namespace gitcap {

enum class job_kind { caption, score, preprocess };

// One request from submit to its end.
struct worker_job {
    job_kind kind;
    uint64_t id = 0;
    std::shared_ptr<std::atomic<bool>> cancelled = std::make_shared<std::atomic<bool>>(false);
    job_callbacks cb;
    // preprocess
    request_input input;
    std::shared_ptr<pixel_batch> pixels_out;
    // caption
    caption_request caption;
    std::shared_ptr<caption_output> caption_out;
    caption_in_progress running;
    // score
    score_request score;
    std::shared_ptr<score_output> score_out;
};

struct worker::state {
    state(std::shared_ptr<const model> m, size_t max_queue) : model_(std::move(m)), max_queue_(max_queue) {}

    uint64_t enqueue(std::unique_ptr<worker_job> j);
    void run();
    // Runs a request's first stage; a caption moves into `active`, anything else ends (j reset).
    void start(std::unique_ptr<worker_job> & j, std::vector<std::unique_ptr<worker_job>> & active, detail::runner_impl & r);
    // One batched step for the captions in `active`; those that end are reported and removed.
    void step(std::vector<std::unique_ptr<worker_job>> & active, detail::runner_impl & r);
    void finish(worker_job & j, const error * e);
    // Reports the end of every job still running or queued (the model is being disposed).
    void dispose_all(std::vector<std::unique_ptr<worker_job>> & active);

    std::shared_ptr<const model> model_;
    size_t max_queue_;
    mutable std::mutex mutex_;
    std::condition_variable cv_;
    std::deque<std::unique_ptr<worker_job>> pending_;
    std::unordered_map<uint64_t, std::shared_ptr<std::atomic<bool>>> cancel_flags_; // queued and running jobs
    bool stopping_ = false;
    uint64_t next_id_ = 1;
    std::thread thread_;
};

worker::worker(std::shared_ptr<const model> m, size_t max_queue) : state_(std::make_unique<state>(std::move(m), max_queue)) {
    state_->thread_ = std::thread([s = state_.get()] { s->run(); });
}

worker::~worker() {
    shutdown();
    if (state_->thread_.joinable()) state_->thread_.join();
}

uint64_t worker::state::enqueue(std::unique_ptr<worker_job> j) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_) throw error(error_code::disposed, "the model has been disposed");
    if (cancel_flags_.size() >= max_queue_) {
        throw error(error_code::busy, "too many requests in flight (" + std::to_string(max_queue_) +
                                          "): wait for some to finish or raise maxQueue");
    }
    j->id = next_id_++;
    cancel_flags_[j->id] = j->cancelled;
    const uint64_t id = j->id;
    pending_.push_back(std::move(j));
    cv_.notify_one();
    return id;
}

uint64_t worker::submit_caption(caption_request req, job_callbacks cb, std::shared_ptr<caption_output> out) {
    auto j = std::make_unique<worker_job>();
    j->kind = job_kind::caption;
    j->caption = std::move(req);
    j->cb = std::move(cb);
    j->caption_out = std::move(out);
    return state_->enqueue(std::move(j));
}

uint64_t worker::submit_score(score_request req, job_callbacks cb, std::shared_ptr<score_output> out) {
    auto j = std::make_unique<worker_job>();
    j->kind = job_kind::score;
    j->score = std::move(req);
    j->cb = std::move(cb);
    j->score_out = std::move(out);
    return state_->enqueue(std::move(j));
}

uint64_t worker::submit_preprocess(request_input req, job_callbacks cb, std::shared_ptr<pixel_batch> out) {
    auto j = std::make_unique<worker_job>();
    j->kind = job_kind::preprocess;
    j->input = std::move(req);
    j->cb = std::move(cb);
    j->pixels_out = std::move(out);
    return state_->enqueue(std::move(j));
}

void worker::cancel(uint64_t id) {
    std::lock_guard<std::mutex> lock(state_->mutex_);
    auto it = state_->cancel_flags_.find(id);
    if (it != state_->cancel_flags_.end()) it->second->store(true);
    state_->cv_.notify_one();
}

void worker::shutdown() {
    std::lock_guard<std::mutex> lock(state_->mutex_);
    state_->stopping_ = true;
    state_->cv_.notify_one();
}

size_t worker::in_flight() const {
    std::lock_guard<std::mutex> lock(state_->mutex_);
    return state_->cancel_flags_.size();
}

// Reports the end of a job (result or error) and forgets it.
void worker::state::finish(worker_job & j, const error * e) {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        cancel_flags_.erase(j.id);
    }
    if (e) {
        if (j.cb.on_error) j.cb.on_error(*e);
    } else if (j.cb.on_done) {
        j.cb.on_done();
    }
}

// Runs a job's first stage: a score or preprocess job entirely, a caption up to its image prefix.
void worker::state::start(std::unique_ptr<worker_job> & j, std::vector<std::unique_ptr<worker_job>> & active, detail::runner_impl & r) {
    auto cancelled = j->cancelled;
    auto should_abort = [cancelled] { return cancelled->load(); };
    switch (j->kind) {
        case job_kind::preprocess:
            *j->pixels_out = request_pixels(*model_, j->input);
            finish(*j, nullptr);
            j.reset();
            return;
        case job_kind::score:
            run_score_request(r, j->score, should_abort, *j->score_out);
            finish(*j, nullptr);
            j.reset();
            return;
        case job_kind::caption:
            j->running = start_caption_request(r, j->caption, should_abort, j->cb.on_token, *j->caption_out);
            active.push_back(std::move(j));
            return;
    }
}

void worker::state::step(std::vector<std::unique_ptr<worker_job>> & active, detail::runner_impl & r) {
    std::vector<caption_job *> jobs;
    for (auto & j : active) jobs.push_back(j->running.job.get());
    try {
        step_jobs(r, jobs);
    } catch (const error & e) {
        for (auto & j : active) finish(*j, &e);
        active.clear();
        return;
    } catch (const std::exception & e) {
        const error internal(error_code::internal, e.what());
        for (auto & j : active) finish(*j, &internal);
        active.clear();
        return;
    }
    for (auto it = active.begin(); it != active.end();) {
        worker_job & j = **it;
        if (!j.running.job->done()) {
            ++it;
            continue;
        }
        const std::string tail = finish_caption_request(*model_, j.running, *j.caption_out);
        if (!tail.empty() && j.cb.on_token) j.cb.on_token(-1, tail);
        finish(j, nullptr);
        it = active.erase(it);
    }
}

void worker::state::dispose_all(std::vector<std::unique_ptr<worker_job>> & active) {
    const error disposed(error_code::disposed, "the model was disposed while this request was running");
    for (auto & j : active) finish(*j, &disposed);
    std::deque<std::unique_ptr<worker_job>> left;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        left.swap(pending_);
    }
    const error queued(error_code::disposed, "the model was disposed before this request started");
    for (auto & j : left) finish(*j, &queued);
}

void worker::state::run() {
    detail::runner_impl r(model_);
    std::vector<std::unique_ptr<worker_job>> active;
    for (;;) {
        std::unique_ptr<worker_job> next;
        bool stopping;
        {
            std::unique_lock<std::mutex> lock(mutex_);
            cv_.wait(lock, [&] { return stopping_ || !pending_.empty() || !active.empty(); });
            stopping = stopping_;
            if (!stopping && !pending_.empty()) {
                next = std::move(pending_.front());
                pending_.pop_front();
            }
        }
        if (stopping) {
            dispose_all(active);
            return;
        }
        // admit one new request per round, so that captions in progress keep moving
        if (next) {
            try {
                if (next->cancelled->load()) throw error(error_code::aborted, "the request was aborted");
                start(next, active, r);
            } catch (const error & e) {
                if (next) finish(*next, &e);
            } catch (const std::exception & e) {
                const error internal(error_code::internal, e.what());
                if (next) finish(*next, &internal);
            }
        }
        // drop aborted captions, then one batched step for all the others
        for (auto it = active.begin(); it != active.end();) {
            if ((*it)->cancelled->load()) {
                const error aborted(error_code::aborted, "the caption was aborted");
                finish(**it, &aborted);
                it = active.erase(it);
            } else {
                ++it;
            }
        }
        if (!active.empty()) step(active, r);
    }
}

} // namespace gitcap
