#include "decode/caption_request.h"

#include "model/model.h"

#include <chrono>

namespace gitcap {

pixel_batch request_pixels(const model & m, const request_input & in) {
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

// [bos], then the prompt's tokens without special tokens (VQA).
static std::vector<int32_t> prompt_ids(const model & m, const std::optional<std::string> & prompt) {
    std::vector<int32_t> ids{(int32_t) m.info.bos_id};
    if (prompt) {
        const std::vector<int32_t> q = m.tok->encode(*prompt, false);
        ids.insert(ids.end(), q.begin(), q.end());
    }
    return ids;
}

void run_score_request(detail::runner_impl & r, const score_request & req, const abort_callback & should_abort,
                       score_output & out) {
    const model & m = *r.m;
    const pixel_batch px = request_pixels(m, req.input);
    std::vector<int32_t> ids = req.ids ? *req.ids : m.tok->encode(req.text, false);
    if (req.include_eos && !req.ids) ids.push_back((int32_t) m.info.eos_id);
    out.text_ids = ids;
    out.scores = detail::score(r, px, prompt_ids(m, req.prompt), ids, req.want_logits, should_abort);
}

caption_in_progress start_caption_request(detail::runner_impl & r, const caption_request & req, const abort_callback & should_abort,
                                          std::function<void(int32_t id, const std::string & piece)> on_piece,
                                          caption_output & out) {
    const model & m = *r.m;
    const auto t0 = std::chrono::steady_clock::now();
    const pixel_batch px = request_pixels(m, req.input);
    out.preprocess_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();

    caption_in_progress c;
    c.stream = std::make_unique<DecodeStream>(*m.tok);
    generate_params params = req.params;
    params.prompt_ids = prompt_ids(m, req.prompt);
    out.prompt_ids = params.prompt_ids;
    params.should_abort = should_abort;
    params.on_token = [stream = c.stream.get(), on_piece = std::move(on_piece)](int32_t id) {
        const std::string piece = stream->push(id);
        if (on_piece) on_piece(id, piece);
        return true;
    };
    c.job = std::make_unique<caption_job>(r, params);
    c.job->encode(px);
    return c;
}

std::string finish_caption_request(const model & m, caption_in_progress & c, caption_output & out) {
    out.gen = c.job->result();
    out.text = m.tok->decode(out.gen.ids);
    std::vector<int32_t> all(out.prompt_ids);
    all.insert(all.end(), out.gen.ids.begin(), out.gen.ids.end());
    out.full_text = m.tok->decode(all);
    return c.stream->finish();
}

} // namespace gitcap
