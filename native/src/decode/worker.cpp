#include "decode/worker.h"

#include "decode/caption_job.h"
#include "text/decode_stream.h"
#include "image/image_decode.h"
#include "image/image_preprocess.h"
#include "model/model.h"

#include <chrono>

namespace gitcap {

enum class job_kind { caption, score, preprocess };

struct worker::job {
    job_kind kind;
    uint64_t id = 0;
    std::shared_ptr<std::atomic<bool>> cancelled = std::make_shared<std::atomic<bool>>(false);
    job_callbacks cb;
    request_input input;
    // caption
    caption_request caption;
    std::shared_ptr<caption_output> caption_out;
    std::unique_ptr<caption_job> running;
    std::unique_ptr<DecodeStream> stream;
    // score
    score_request score;
    std::shared_ptr<score_output> score_out;
    // preprocess
    std::shared_ptr<pixel_batch> pixels_out;
};

static double ms_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

// Decodes and preprocesses the input's pictures exactly as the model's image processor does.
static pixel_batch make_pixels(const model & m, const request_input & in) {
    if (in.pixels) return *in.pixels;
    if (in.images.empty()) throw error(error_code::input, "the input has no image");
    std::vector<decoded_image> decoded;
    std::vector<image_view> views;
    decoded.reserve(in.images.size());
    for (const image_source & src : in.images) {
        if (!src.encoded.empty()) {
            decoded.push_back(decode_image(src.encoded.data(), src.encoded.size(),
                                           in.max_pixels ? in.max_pixels : default_max_pixels));
            views.push_back(decoded.back().image.view());
        } else {
            const image_u8 & p = src.pixels;
            if (p.width <= 0 || p.height <= 0 || p.channels < 1 || p.channels > 4 ||
                p.data.size() != (size_t) p.width * p.height * p.channels) {
                throw error(error_code::input, "raw image data does not match its width, height and channels");
            }
            views.push_back(p.view());
        }
    }
    pixel_batch px = preprocess_images(views, m.preprocess);
    px.is_video = in.is_video;
    return px;
}

static std::vector<int32_t> prompt_ids(const model & m, const std::optional<std::string> & prompt) {
    std::vector<int32_t> ids{(int32_t) m.info.bos_id};
    if (prompt) {
        const std::vector<int32_t> q = m.tok->encode(*prompt, false);
        ids.insert(ids.end(), q.begin(), q.end());
    }
    return ids;
}

worker::worker(std::shared_ptr<const model> m, size_t max_queue) : model_(std::move(m)), max_queue_(max_queue) {
    thread_ = std::thread([this] { run(); });
}

worker::~worker() {
    shutdown();
    if (thread_.joinable()) thread_.join();
}

uint64_t worker::enqueue(std::unique_ptr<job> j) {
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
    auto j = std::make_unique<job>();
    j->kind = job_kind::caption;
    j->caption = std::move(req);
    j->cb = std::move(cb);
    j->caption_out = std::move(out);
    return enqueue(std::move(j));
}

uint64_t worker::submit_score(score_request req, job_callbacks cb, std::shared_ptr<score_output> out) {
    auto j = std::make_unique<job>();
    j->kind = job_kind::score;
    j->score = std::move(req);
    j->cb = std::move(cb);
    j->score_out = std::move(out);
    return enqueue(std::move(j));
}

uint64_t worker::submit_preprocess(request_input req, job_callbacks cb, std::shared_ptr<pixel_batch> out) {
    auto j = std::make_unique<job>();
    j->kind = job_kind::preprocess;
    j->input = std::move(req);
    j->cb = std::move(cb);
    j->pixels_out = std::move(out);
    return enqueue(std::move(j));
}

void worker::cancel(uint64_t id) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = cancel_flags_.find(id);
    if (it != cancel_flags_.end()) it->second->store(true);
    cv_.notify_one();
}

void worker::shutdown() {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
    cv_.notify_one();
}

size_t worker::in_flight() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return cancel_flags_.size();
}

// Reports the end of a job (result or error) and forgets it.
void worker::finish(job & j, const error * e) {
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
void worker::start(std::unique_ptr<job> & j, std::vector<std::unique_ptr<job>> & active, runner & r) {
    const model & m = *model_;
    const auto t0 = std::chrono::steady_clock::now();
    auto cancelled = j->cancelled;
    auto should_abort = [cancelled] { return cancelled->load(); };
    switch (j->kind) {
        case job_kind::preprocess:
            *j->pixels_out = make_pixels(m, j->input);
            finish(*j, nullptr);
            j.reset();
            return;
        case job_kind::score: {
            const score_request & req = j->score;
            const pixel_batch px = make_pixels(m, req.input);
            std::vector<int32_t> ids = req.ids ? *req.ids : m.tok->encode(req.text, false);
            if (req.include_eos && !req.ids) ids.push_back((int32_t) m.info.eos_id);
            j->score_out->text_ids = ids;
            j->score_out->scores = score(r, px, prompt_ids(m, req.prompt), ids, req.want_logits, should_abort);
            finish(*j, nullptr);
            j.reset();
            return;
        }
        case job_kind::caption: {
            caption_request & req = j->caption;
            const pixel_batch px = make_pixels(m, req.input);
            j->caption_out->preprocess_ms = ms_since(t0);
            req.params.prompt_ids = prompt_ids(m, req.prompt);
            j->caption_out->prompt_ids = req.params.prompt_ids;
            req.params.should_abort = should_abort;
            j->stream = std::make_unique<DecodeStream>(*m.tok);
            job * self = j.get();
            req.params.on_token = [self](int32_t id) {
                const std::string piece = self->stream->push(id);
                if (self->cb.on_token) self->cb.on_token(id, piece);
                return true;
            };
            j->running = std::make_unique<caption_job>(r.impl(), req.params);
            j->running->encode(px);
            active.push_back(std::move(j));
            return;
        }
    }
}

void worker::run() {
    runner r(model_);
    std::vector<std::unique_ptr<job>> active;
    for (;;) {
        std::unique_ptr<job> next;
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
            const error disposed(error_code::disposed, "the model was disposed while this request was running");
            for (auto & j : active) finish(*j, &disposed);
            std::deque<std::unique_ptr<job>> left;
            {
                std::lock_guard<std::mutex> lock(mutex_);
                left.swap(pending_);
            }
            const error queued(error_code::disposed, "the model was disposed before this request started");
            for (auto & j : left) finish(*j, &queued);
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
        if (active.empty()) continue;
        std::vector<caption_job *> jobs;
        for (auto & j : active) jobs.push_back(j->running.get());
        try {
            step_jobs(r.impl(), jobs);
        } catch (const error & e) {
            for (auto & j : active) finish(*j, &e);
            active.clear();
            continue;
        } catch (const std::exception & e) {
            const error internal(error_code::internal, e.what());
            for (auto & j : active) finish(*j, &internal);
            active.clear();
            continue;
        }
        for (auto it = active.begin(); it != active.end();) {
            job & j = **it;
            if (!j.running->done()) {
                ++it;
                continue;
            }
            caption_output & out = *j.caption_out;
            out.gen = j.running->result();
            const std::string tail = j.stream->finish();
            if (!tail.empty() && j.cb.on_token) j.cb.on_token(-1, tail);
            out.text = model_->tok->decode(out.gen.ids);
            std::vector<int32_t> all(out.prompt_ids);
            all.insert(all.end(), out.gen.ids.begin(), out.gen.ids.end());
            out.full_text = model_->tok->decode(all);
            finish(j, nullptr);
            it = active.erase(it);
        }
    }
}

} // namespace gitcap
