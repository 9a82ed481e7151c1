#include "decode/runner.h"

#include "model/backend.h"
#include "kernels/attention_op.h"
#include "kernels/image_attention_op.h"
#include "graph/vision_graph.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <string>
#include <cstring>

namespace gitcap {

namespace detail {

static double ms_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

// Whether `backend` runs f32 flash attention with this head size (the CPU always does).
static bool backend_has_fused_attention(ggml_backend_t backend, int64_t head_dim) {
    ggml_init_params params{ggml_tensor_overhead() * 8, nullptr, /*no_alloc =*/true};
    ggml_context * ctx = ggml_init(params);
    ggml_tensor * q = ggml_new_tensor_4d(ctx, GGML_TYPE_F32, head_dim, 4, 2, 1);
    ggml_tensor * k = ggml_new_tensor_4d(ctx, GGML_TYPE_F32, head_dim, 4, 2, 1);
    ggml_tensor * o = ggml_flash_attn_ext(ctx, q, k, k, nullptr, 1.0f, 0.0f, 0.0f);
    ggml_flash_attn_ext_set_prec(o, GGML_PREC_F32);
    const bool ok = ggml_backend_supports_op(backend, o);
    ggml_free(ctx);
    return ok;
}

runner_impl::runner_impl(std::shared_ptr<const model> model_) : m(std::move(model_)) {
    std::vector<ggml_backend_t> backends = m->backends;
    sched_ = ggml_backend_sched_new(backends.data(), nullptr, (int) backends.size(), graph_context::max_nodes, false, true);
    if (!sched_) throw error(error_code::backend, "could not create the backend scheduler");
    // f32 weights get an f32 cache so that results match the reference to float precision
    kv_type_ = m->info.file_type == "f32" ? GGML_TYPE_F32 : GGML_TYPE_F16;
    // GITCAP_ATTENTION=matmul forces the unfused path, =ggml ggml's fused one (to compare them)
    const char * forced_env = std::getenv("GITCAP_ATTENTION");
    const std::string forced = forced_env ? forced_env : "";
    // (=amx, =avx512 or =avx2 one of gitcap's kernels; the model chose it)
    cpu_attention_ = m->attention;
    fused_attention_ = forced != "matmul" &&
                       backend_has_fused_attention(m->backends[0], m->thp.n_embd / m->thp.n_head) &&
                       backend_has_fused_attention(m->backends[0], m->vhp.n_embd / m->vhp.n_head);
    // long graphs (the vision tower) can then stop between two operations when a call is aborted
    ggml_backend_reg_t cpu_reg = ggml_backend_dev_backend_reg(ggml_backend_get_device(m->cpu_backend));
    if (auto set_abort = (ggml_backend_set_abort_callback_t) ggml_backend_reg_get_proc_address(cpu_reg, "ggml_backend_set_abort_callback")) {
        set_abort(m->cpu_backend, [](void * data) {
            const abort_callback * cb = static_cast<runner_impl *>(data)->active_abort_;
            return cb && *cb && (*cb)();
        }, this);
    }
}

runner_impl::~runner_impl() { ggml_backend_sched_free(sched_); }

static void set_input(ggml_cgraph * gf, const char * name, const void * data, size_t bytes) {
    ggml_tensor * t = ggml_graph_get_tensor(gf, name);
    if (!t) throw error(error_code::internal, std::string("graph input '") + name + "' not found");
    if (ggml_nbytes(t) != bytes) throw error(error_code::internal, std::string("graph input '") + name + "' has the wrong size");
    ggml_backend_tensor_set(t, data, 0, bytes);
}

void runner_impl::compute(graph_context & g, const char * what, const std::function<void(ggml_cgraph *)> & inputs,
                          const std::function<void()> & outputs, const abort_callback & should_abort) {
    std::lock_guard<std::mutex> lock(compute_mutex());
    ggml_backend_sched_reset(sched_);
    if (!ggml_backend_sched_alloc_graph(sched_, g.graph())) {
        throw error(error_code::backend, std::string("could not allocate the ") + what + " graph (out of memory?)");
    }
    inputs(g.graph());
    if (m->threads) set_cpu_threads(m->cpu_backend, m->threads->next());
    active_abort_ = &should_abort;
    const ggml_status status = ggml_backend_sched_graph_compute(sched_, g.graph());
    active_abort_ = nullptr;
    if (status == GGML_STATUS_ABORTED) throw error(error_code::aborted, "the call was aborted");
    if (status != GGML_STATUS_SUCCESS) throw error(error_code::backend, std::string("the ") + what + " graph failed to compute");
    outputs();
}

static debug_tensor read_debug(ggml_tensor * t) {
    debug_tensor d;
    d.name = ggml_get_name(t);
    for (int i = GGML_MAX_DIMS - 1; i >= 0; i--) {
        if (t->ne[i] > 1 || !d.shape.empty() || i == 0) d.shape.push_back(t->ne[i]);
    }
    d.data.resize(ggml_nelements(t));
    ggml_backend_tensor_get(t, d.data.data(), 0, ggml_nbytes(t));
    return d;
}

encode_result runner_impl::encode(const pixel_batch & pixels, const std::vector<std::string> & debug_names,
                                  const abort_callback & should_abort) {
    const auto & vhp = m->vhp;
    const int frames = pixels.n_images;
    if (pixels.is_video && vhp.num_frames == 0) {
        throw error(error_code::input, "this is a single-image model: give it one image, not a video or frames");
    }
    if (pixels.is_video ? (frames < 1 || frames > vhp.num_frames) : frames != 1) {
        throw error(error_code::input, pixels.is_video ? "a video input needs 1 to " + std::to_string(vhp.num_frames) +
                                                             " frames, got " + std::to_string(frames)
                                                       : "an image input is exactly one image, got " + std::to_string(frames));
    }
    if (pixels.channels != vhp.num_channels || pixels.height != vhp.image_size || pixels.width != vhp.image_size) {
        throw error(error_code::input, "pixel values have shape [" + std::to_string(pixels.n_images) + ", " +
                                           std::to_string(pixels.channels) + ", " + std::to_string(pixels.height) + ", " +
                                           std::to_string(pixels.width) + "], the model expects [n, " +
                                           std::to_string(vhp.num_channels) + ", " + std::to_string(vhp.image_size) + ", " +
                                           std::to_string(vhp.image_size) + "]");
    }
    if (pixels.data.size() != (size_t) frames * vhp.num_channels * vhp.image_size * vhp.image_size) {
        throw error(error_code::input, "pixel values have the wrong number of elements");
    }
    encode_result out;
    const int n_img = frames * vhp.tokens_per_image();
    std::vector<float> features((size_t) m->thp.n_embd * n_img);

    auto t0 = std::chrono::steady_clock::now();
    {
        graph_context g(64 + 48 * (size_t) vhp.n_layer, debug_names);
        g.fused_attention = fused_attention_;
        g.cpu_attention = cpu_attention_;
        g.packed = m->packed.get();
        g.cpu_fused_ops = m->cpu_fused_ops;
        ggml_tensor * feats = build_vision_graph(g, *m, frames, pixels.is_video);
        compute(
            g, "vision",
            [&](ggml_cgraph * gf) { set_input(gf, "pixels", pixels.data.data(), pixels.data.size() * sizeof(float)); },
            [&] {
                ggml_backend_tensor_get(feats, features.data(), 0, features.size() * sizeof(float));
                for (ggml_tensor * t : g.debug_outputs()) out.debug.push_back(read_debug(t));
            },
            should_abort);
    }
    out.vision_ms = ms_since(t0);
    if (should_abort && should_abort()) throw error(error_code::aborted, "the call was aborted");

    t0 = std::chrono::steady_clock::now();
    const bool v_rows = m->cpu_fused_ops && kv_type_ == GGML_TYPE_F16 && image_values_take_rows(m->thp.n_embd / m->thp.n_head);
    out.kv = std::make_shared<image_kv>(*m, n_img, kv_type_, v_rows);
    {
        graph_context g(32 + 48 * (size_t) m->thp.n_layer);
        g.fused_attention = fused_attention_;
        g.cpu_attention = cpu_attention_;
        g.packed = m->packed.get();
        g.cpu_fused_ops = m->cpu_fused_ops;
        build_prefix_graph(g, *m, *out.kv);
        compute(
            g, "decoder prefix",
            [&](ggml_cgraph * gf) { set_input(gf, "image_features", features.data(), features.size() * sizeof(float)); },
            [] {}, should_abort);
    }
    out.prefix_ms = ms_since(t0);
    return out;
}

std::unique_ptr<text_kv> runner_impl::new_text_kv(int capacity) const {
    return std::make_unique<text_kv>(*m, capacity, kv_type_);
}

static size_t decode_graph_nodes(int n_layer, size_t n_items) { return 64 + (size_t) n_layer * (32 + 40 * n_items); }

size_t runner_impl::max_batch_items() const {
    const size_t per_item = 40 * (size_t) m->thp.n_layer;
    return std::max<size_t>(1, (graph_context::max_nodes - decode_graph_nodes(m->thp.n_layer, 0)) / per_item);
}

std::vector<std::vector<float>> runner_impl::decode(const std::vector<decode_item> & items,
                                                    const std::vector<std::vector<int32_t>> & tokens) {
    const int n_vocab = m->thp.n_vocab;
    std::vector<int32_t> ids, pos, rows;
    int32_t row = 0;
    for (size_t i = 0; i < items.size(); i++) {
        const auto & it = items[i];
        if ((int) tokens[i].size() != it.n_new || it.n_new < 1) throw error(error_code::internal, "decode: token count mismatch");
        if (it.text->n_past + it.n_new > it.text->store.capacity) {
            throw error(error_code::invalid_argument, "the text is longer than the sequence's capacity (" +
                                                          std::to_string(it.text->store.capacity) + " tokens)");
        }
        if (it.text->n_past + it.n_new > m->thp.n_ctx) {
            throw error(error_code::invalid_argument,
                        "the text is longer than the model's " + std::to_string(m->thp.n_ctx) + " positions");
        }
        for (int j = 0; j < it.n_new; j++) {
            const int32_t id = tokens[i][j];
            if (id < 0 || id >= n_vocab) throw error(error_code::invalid_argument, "token id " + std::to_string(id) + " is outside the vocabulary");
            ids.push_back(id);
            pos.push_back(it.text->n_past + j);
            if (it.all_logits || j == it.n_new - 1) rows.push_back(row);
            row++;
        }
    }

    std::vector<std::vector<float>> logits(rows.size(), std::vector<float>(n_vocab));
    {
        if (items.size() > max_batch_items()) throw error(error_code::internal, "decode: too many sequences for one graph");
        graph_context g(decode_graph_nodes(m->thp.n_layer, items.size()));
        g.packed = m->packed.get();
        g.cpu_fused_ops = m->cpu_fused_ops;
        ggml_tensor * out = build_decode_graph(g, *m, items);
        compute(
            g, "decode",
            [&](ggml_cgraph * gf) {
                set_input(gf, "tokens", ids.data(), ids.size() * sizeof(int32_t));
                set_input(gf, "positions", pos.data(), pos.size() * sizeof(int32_t));
                set_input(gf, "out_rows", rows.data(), rows.size() * sizeof(int32_t));
                for (size_t i = 0; i < items.size(); i++) {
                    if (items[i].n_new > 1) {
                        const std::vector<float> mask = decode_mask(items[i]);
                        const std::string name = "mask." + std::to_string(i);
                        set_input(gf, name.c_str(), mask.data(), mask.size() * sizeof(float));
                    }
                }
            },
            [&] {
                for (size_t r = 0; r < rows.size(); r++) {
                    ggml_backend_tensor_get(out, logits[r].data(), r * out->nb[1], n_vocab * sizeof(float));
                }
            });
    }
    for (const auto & it : items) it.text->n_past += it.n_new;
    return logits;
}

} // namespace detail

runner::runner(std::shared_ptr<const model> m) : impl_(std::make_unique<detail::runner_impl>(std::move(m))) {}
runner::~runner() = default;

} // namespace gitcap
