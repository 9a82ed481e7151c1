// load_model(): GGUF metadata → hparams, tokenizer, preprocessing; weights mapped (CPU) or
// uploaded (GPU). Every key and tensor is validated; a bad file is a gitcap::error, never an abort.
#include "model/backend.h"
#include "kernels/cpu_repack.h"
#include "kernels/layer_norm_op.h"
#include "model/file_mapping.h"
#include "model/git_arch.h"
#include "model/gguf_reader.h"
#include "model/model.h"
#include "model/model_metadata.h"
#include "util/printable.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <algorithm>
#include <set>

namespace gitcap {

struct model::mapping {
    std::unique_ptr<file_mapping> file;
};

model::~model() {
    packed.reset();
    for (auto * buf : buffers) ggml_backend_buffer_free(buf);
    if (ctx_weights) ggml_free(ctx_weights);
    backend_set set{backends.empty() ? nullptr : backends[0], cpu_backend, nullptr, 0};
    free_backends(set);
}

static std::string fmt(const char * pattern, int layer, const char * suffix) {
    char buf[128];
    std::snprintf(buf, sizeof(buf), pattern, layer, suffix);
    return buf;
}

static std::string fmt(const char * pattern, const char * suffix) {
    char buf[128];
    std::snprintf(buf, sizeof(buf), pattern, suffix);
    return buf;
}

static std::string fmt(const char * pattern, int index) {
    char buf[128];
    std::snprintf(buf, sizeof(buf), pattern, index);
    return buf;
}

static std::string shape_str(const std::vector<int64_t> & ne) {
    std::string s = "[";
    for (size_t i = 0; i < ne.size(); i++) s += (i ? ", " : "") + std::to_string(ne[i]);
    return s + "]";
}

// Looks tensors up by name and checks shape and type; remembers which were used.
class tensor_table {
public:
    tensor_table(ggml_context * ctx, const gguf_reader & reader) : ctx_(ctx), reader_(reader) {}

    enum kind { matrix, vector_f32, embedding, conv_kernel };

    ggml_tensor * get(const std::string & name, std::vector<int64_t> ne, kind k) {
        ggml_tensor * t = ggml_get_tensor(ctx_, name.c_str());
        if (!t) reader_.fail("missing tensor '" + name + "'");
        if (!used_.insert(name).second) reader_.fail("tensor '" + name + "' is used twice");
        std::vector<int64_t> actual;
        for (int i = 0; i < GGML_MAX_DIMS; i++) actual.push_back(t->ne[i]);
        while (ne.size() < GGML_MAX_DIMS) ne.push_back(1);
        if (actual != ne) reader_.fail("tensor '" + name + "' has shape " + shape_str(actual) + ", expected " + shape_str(ne));
        const ggml_type type = t->type;
        // matrices and embeddings may be quantized; what ggml computes with directly must be float
        const bool ok = k == vector_f32 ? type == GGML_TYPE_F32
                        : k == conv_kernel ? (type == GGML_TYPE_F32 || type == GGML_TYPE_F16)
                                           : true;
        if (!ok) reader_.fail("tensor '" + name + "' has unsupported type " + ggml_type_name(type));
        return t;
    }

    void check_all_used() const {
        for (ggml_tensor * t = ggml_get_first_tensor(ctx_); t; t = ggml_get_next_tensor(ctx_, t)) {
            if (!used_.count(t->name)) reader_.fail("unexpected tensor '" + printable(t->name) + "'");
        }
    }

private:
    ggml_context * ctx_;
    const gguf_reader & reader_;
    std::set<std::string> used_;
};

static void read_hparams(const gguf_reader & r, vision_hparams & v, text_hparams & t) {
    const std::string arch = r.get_str(KEY_ARCH);
    if (arch != "git") {
        throw error(error_code::unsupported,
                    r.file() + ": model architecture is '" + arch + "', expected 'git' (GitForCausalLM): gitcap runs GIT models only");
    }
    t.n_ctx = (int) r.get_u32_in(KEY_CONTEXT_LENGTH, 1, 1 << 20);
    t.n_embd = (int) r.get_u32_in(KEY_EMBD, 1, 1 << 16);
    t.n_layer = (int) r.get_u32_in(KEY_BLOCK_COUNT, 1, 1024);
    t.n_ff = (int) r.get_u32_in(KEY_FFN, 1, 1 << 20);
    t.n_head = (int) r.get_u32_in(KEY_HEAD_COUNT, 1, 1024);
    t.eps = r.get_f32(KEY_LN_EPS);
    t.n_vocab = (int) r.get_u32_in(KEY_VOCAB_SIZE, 1, 1 << 24);
    const std::string act = r.get_str(KEY_HIDDEN_ACT, "gelu");
    if (act != "gelu") throw error(error_code::unsupported, "text hidden_act '" + act + "' is not supported (only gelu)");
    if (t.n_embd % t.n_head != 0) r.fail("embedding_length is not a multiple of head_count");

    v.image_size = (int) r.get_u32_in(KEY_V_IMAGE_SIZE, 1, 8192);
    v.patch_size = (int) r.get_u32_in(KEY_V_PATCH_SIZE, 1, 8192);
    v.num_channels = (int) r.get_u32_in(KEY_V_NUM_CHANNELS, 3, 3);
    v.n_embd = (int) r.get_u32_in(KEY_V_EMBD, 1, 1 << 16);
    v.n_layer = (int) r.get_u32_in(KEY_V_BLOCK_COUNT, 1, 1024);
    v.n_ff = (int) r.get_u32_in(KEY_V_FFN, 1, 1 << 20);
    v.n_head = (int) r.get_u32_in(KEY_V_HEAD_COUNT, 1, 1024);
    v.eps = r.get_f32(KEY_V_LN_EPS);
    v.num_frames = (int) r.get_u32_in(KEY_V_NUM_FRAMES, 0, 1024);
    const std::string vact = r.get_str(KEY_V_HIDDEN_ACT, "quick_gelu");
    if (vact != "quick_gelu") {
        throw error(error_code::unsupported, "vision hidden_act '" + vact + "' is not supported (only quick_gelu)");
    }
    if (v.image_size % v.patch_size != 0) r.fail("image_size is not a multiple of patch_size");
    if (v.n_embd % v.n_head != 0) r.fail("vision embedding_length is not a multiple of head_count");
    if (!(t.eps > 0 && std::isfinite(t.eps)) || !(v.eps > 0 && std::isfinite(v.eps))) r.fail("layer_norm_epsilon must be positive");
}

static void map_tensors(model & m, tensor_table & tt) {
    const auto & v = m.vhp;
    const auto & t = m.thp;
    const int64_t Dv = v.n_embd, D = t.n_embd, p = v.patch_size;
    using K = tensor_table;
    auto & vw = m.vision;
    vw.patch_embd = tt.get(TN_V_PATCH_EMBD, {p, p, v.num_channels, Dv}, K::conv_kernel);
    vw.class_embd = tt.get(TN_V_CLASS_EMBD, {Dv}, K::vector_f32);
    vw.pos_embd = tt.get(TN_V_POS_EMBD, {Dv, v.tokens_per_image()}, K::vector_f32);
    vw.pre_ln_w = tt.get(fmt(TN_V_PRE_LN, "weight"), {Dv}, K::vector_f32);
    vw.pre_ln_b = tt.get(fmt(TN_V_PRE_LN, "bias"), {Dv}, K::vector_f32);
    vw.layers.resize(v.n_layer);
    for (int il = 0; il < v.n_layer; il++) {
        auto & L = vw.layers[il];
        L.ln1_w = tt.get(fmt(TN_V_LN1, il, "weight"), {Dv}, K::vector_f32);
        L.ln1_b = tt.get(fmt(TN_V_LN1, il, "bias"), {Dv}, K::vector_f32);
        L.q_w = tt.get(fmt(TN_V_ATTN_Q, il, "weight"), {Dv, Dv}, K::matrix);
        L.q_b = tt.get(fmt(TN_V_ATTN_Q, il, "bias"), {Dv}, K::vector_f32);
        L.k_w = tt.get(fmt(TN_V_ATTN_K, il, "weight"), {Dv, Dv}, K::matrix);
        L.k_b = tt.get(fmt(TN_V_ATTN_K, il, "bias"), {Dv}, K::vector_f32);
        L.v_w = tt.get(fmt(TN_V_ATTN_V, il, "weight"), {Dv, Dv}, K::matrix);
        L.v_b = tt.get(fmt(TN_V_ATTN_V, il, "bias"), {Dv}, K::vector_f32);
        L.o_w = tt.get(fmt(TN_V_ATTN_OUT, il, "weight"), {Dv, Dv}, K::matrix);
        L.o_b = tt.get(fmt(TN_V_ATTN_OUT, il, "bias"), {Dv}, K::vector_f32);
        L.ln2_w = tt.get(fmt(TN_V_LN2, il, "weight"), {Dv}, K::vector_f32);
        L.ln2_b = tt.get(fmt(TN_V_LN2, il, "bias"), {Dv}, K::vector_f32);
        L.up_w = tt.get(fmt(TN_V_FFN_UP, il, "weight"), {Dv, v.n_ff}, K::matrix);
        L.up_b = tt.get(fmt(TN_V_FFN_UP, il, "bias"), {v.n_ff}, K::vector_f32);
        L.down_w = tt.get(fmt(TN_V_FFN_DOWN, il, "weight"), {v.n_ff, Dv}, K::matrix);
        L.down_b = tt.get(fmt(TN_V_FFN_DOWN, il, "bias"), {Dv}, K::vector_f32);
    }
    vw.post_ln_w = tt.get(fmt(TN_V_POST_LN, "weight"), {Dv}, K::vector_f32);
    vw.post_ln_b = tt.get(fmt(TN_V_POST_LN, "bias"), {Dv}, K::vector_f32);
    for (int f = 0; f < v.num_frames; f++) vw.temporal.push_back(tt.get(fmt(TN_V_TEMPORAL, f), {Dv, 1, 1}, K::vector_f32));
    vw.proj_w = tt.get(fmt(TN_MM_PROJ, "weight"), {Dv, D}, K::matrix);
    vw.proj_b = tt.get(fmt(TN_MM_PROJ, "bias"), {D}, K::vector_f32);
    vw.proj_norm_w = tt.get(fmt(TN_MM_NORM, "weight"), {D}, K::vector_f32);
    vw.proj_norm_b = tt.get(fmt(TN_MM_NORM, "bias"), {D}, K::vector_f32);

    auto & tw = m.text;
    tw.token_embd = tt.get(TN_TOKEN_EMBD, {D, t.n_vocab}, K::embedding);
    tw.pos_embd = tt.get(TN_POS_EMBD, {D, t.n_ctx}, K::embedding);
    tw.embd_norm_w = tt.get(fmt(TN_TOKEN_EMBD_NORM, "weight"), {D}, K::vector_f32);
    tw.embd_norm_b = tt.get(fmt(TN_TOKEN_EMBD_NORM, "bias"), {D}, K::vector_f32);
    tw.layers.resize(t.n_layer);
    for (int il = 0; il < t.n_layer; il++) {
        auto & L = tw.layers[il];
        L.q_w = tt.get(fmt(TN_ATTN_Q, il, "weight"), {D, D}, K::matrix);
        L.q_b = tt.get(fmt(TN_ATTN_Q, il, "bias"), {D}, K::vector_f32);
        L.k_w = tt.get(fmt(TN_ATTN_K, il, "weight"), {D, D}, K::matrix);
        L.k_b = tt.get(fmt(TN_ATTN_K, il, "bias"), {D}, K::vector_f32);
        L.v_w = tt.get(fmt(TN_ATTN_V, il, "weight"), {D, D}, K::matrix);
        L.v_b = tt.get(fmt(TN_ATTN_V, il, "bias"), {D}, K::vector_f32);
        L.o_w = tt.get(fmt(TN_ATTN_OUT, il, "weight"), {D, D}, K::matrix);
        L.o_b = tt.get(fmt(TN_ATTN_OUT, il, "bias"), {D}, K::vector_f32);
        L.o_norm_w = tt.get(fmt(TN_ATTN_OUT_NORM, il, "weight"), {D}, K::vector_f32);
        L.o_norm_b = tt.get(fmt(TN_ATTN_OUT_NORM, il, "bias"), {D}, K::vector_f32);
        L.up_w = tt.get(fmt(TN_FFN_UP, il, "weight"), {D, t.n_ff}, K::matrix);
        L.up_b = tt.get(fmt(TN_FFN_UP, il, "bias"), {t.n_ff}, K::vector_f32);
        L.down_w = tt.get(fmt(TN_FFN_DOWN, il, "weight"), {t.n_ff, D}, K::matrix);
        L.down_b = tt.get(fmt(TN_FFN_DOWN, il, "bias"), {D}, K::vector_f32);
        L.out_norm_w = tt.get(fmt(TN_FFN_OUT_NORM, il, "weight"), {D}, K::vector_f32);
        L.out_norm_b = tt.get(fmt(TN_FFN_OUT_NORM, il, "bias"), {D}, K::vector_f32);
    }
    tw.output_w = tt.get(fmt(TN_OUTPUT, "weight"), {D, t.n_vocab}, K::matrix);
    tw.output_b = tt.get(fmt(TN_OUTPUT, "bias"), {t.n_vocab}, K::vector_f32);
    tt.check_all_used();
}

// The matrices of every nn.Linear, the ones the int8 kernel can take over.
static std::vector<ggml_tensor *> linear_weights(const model & m) {
    std::vector<ggml_tensor *> out;
    for (const auto & L : m.vision.layers) {
        for (ggml_tensor * w : {L.q_w, L.k_w, L.v_w, L.o_w, L.up_w, L.down_w}) out.push_back(w);
    }
    out.push_back(m.vision.proj_w);
    for (const auto & L : m.text.layers) {
        for (ggml_tensor * w : {L.q_w, L.k_w, L.v_w, L.o_w, L.up_w, L.down_w}) out.push_back(w);
    }
    out.push_back(m.text.output_w);
    return out;
}

// Weights stay in the mapped file on CPU (no copy); other devices get them uploaded by file offset.
// On x86 CPUs with AVX-512 VNNI (or AMX) the q8_0 and q4_0 linear weights are repacked for the int8 kernels,
// on arm64 ones into ggml's interleaved layouts for its dot-product / matrix-multiply kernels.
static void place_weights(model & m, const gguf_context * gguf, const std::string & path, size_t file_size,
                          const model_params & params, int n_threads) {
    const size_t data_offset = gguf_get_data_offset(gguf);
    size_t data_end = data_offset, max_tensor = 0;
    for (int64_t i = 0; i < gguf_get_n_tensors(gguf); i++) {
        ggml_tensor * t = ggml_get_tensor(m.ctx_weights, gguf_get_tensor_name(gguf, i));
        const size_t end = data_offset + gguf_get_tensor_offset(gguf, i) + ggml_nbytes(t);
        if (end > file_size) {
            throw error(error_code::model_format, path + ": tensor '" + printable(t->name) + "' extends past the end of the file (" +
                                                      std::to_string(end) + " > " + std::to_string(file_size) +
                                                      " bytes): the file is truncated");
        }
        data_end = std::max(data_end, end);
        max_tensor = std::max(max_tensor, ggml_nbytes(t));
    }
    ggml_backend_dev_t dev = ggml_backend_get_device(m.backends[0]);
    ggml_backend_dev_props props;
    ggml_backend_dev_get_props(dev, &props);
    const bool is_cpu = ggml_backend_dev_type(dev) == GGML_BACKEND_DEVICE_TYPE_CPU;
    m.info.weights_bytes = data_end - data_offset;

    if (is_cpu && params.use_mmap && props.caps.buffer_from_host_ptr) {
        m.map = std::make_unique<model::mapping>();
        m.map->file = std::make_unique<file_mapping>(path);
        uint8_t * base = (uint8_t *) m.map->file->data();
        ggml_backend_buffer_t buf =
            ggml_backend_dev_buffer_from_host_ptr(dev, base + data_offset, data_end - data_offset, max_tensor);
        if (!buf) throw error(error_code::backend, "could not wrap the mapped model file in a CPU buffer");
        ggml_backend_buffer_set_usage(buf, GGML_BACKEND_BUFFER_USAGE_WEIGHTS);
        m.buffers.push_back(buf);
        const int8_kernel kernel = chosen_int8_kernel();
        ggml_backend_buffer_type_t repack_buft = kernel != int8_kernel::ggml ? nullptr : cpu_repack_buffer_type(dev);
        const std::vector<ggml_tensor *> repacked = repack_buft ? cpu_repack_candidates(linear_weights(m), repack_buft) : std::vector<ggml_tensor *>{};
        std::vector<const void *> repack_sources(repacked.size());
        for (int64_t i = 0; i < gguf_get_n_tensors(gguf); i++) {
            ggml_tensor * t = ggml_get_tensor(m.ctx_weights, gguf_get_tensor_name(gguf, i));
            uint8_t * data = base + data_offset + gguf_get_tensor_offset(gguf, i);
            const auto r = std::find(repacked.begin(), repacked.end(), t);
            if (r != repacked.end()) {
                repack_sources[r - repacked.begin()] = data; // placed below, in the repacking buffer
                continue;
            }
            const enum ggml_status st = ggml_backend_tensor_alloc(buf, t, data);
            if (st != GGML_STATUS_SUCCESS) throw error(error_code::backend, "could not place tensor " + printable(t->name));
        }
        if (!repacked.empty()) {
            m.buffers.push_back(cpu_repack_place(m.ctx_weights, repacked, repack_buft, repack_sources, *m.map->file));
            m.info.matmul_kernel = "ggml-repack";
        }
        if (kernel != int8_kernel::ggml) {
            m.packed = std::make_unique<packed_weights>();
            const file_mapping * file = m.map->file.get();
            m.packed->pack(linear_weights(m), ggml_backend_get_default_buffer_type(m.cpu_backend), n_threads,
                           [](void * ctx, const void * p, size_t n) { static_cast<const file_mapping *>(ctx)->release(p, n); },
                           const_cast<file_mapping *>(file));
            if (!m.packed->empty()) m.info.matmul_kernel = int8_kernel_name(m.packed->kernel());
        }
        return;
    }

    ggml_backend_buffer_type_t buft = ggml_backend_get_default_buffer_type(m.backends[0]);
    ggml_backend_buffer_t buf = ggml_backend_alloc_ctx_tensors_from_buft(m.ctx_weights, buft);
    if (!buf) {
        throw error(error_code::backend, std::string("not enough memory on ") + ggml_backend_dev_name(dev) + " for the weights (" +
                                             std::to_string(m.info.weights_bytes >> 20) + " MiB)");
    }
    ggml_backend_buffer_set_usage(buf, GGML_BACKEND_BUFFER_USAGE_WEIGHTS);
    m.buffers.push_back(buf);

    std::unique_ptr<FILE, int (*)(FILE *)> fp(std::fopen(path.c_str(), "rb"), &std::fclose);
    if (!fp) throw error(error_code::model_format, path + ": cannot open model file");
    std::vector<uint8_t> staging;
    const int64_t n = gguf_get_n_tensors(gguf);
    for (int64_t i = 0; i < n; i++) {
        ggml_tensor * t = ggml_get_tensor(m.ctx_weights, gguf_get_tensor_name(gguf, i));
        staging.resize(ggml_nbytes(t));
        const size_t offset = data_offset + gguf_get_tensor_offset(gguf, i);
#ifdef _WIN32
        const int seek = _fseeki64(fp.get(), (long long) offset, SEEK_SET);
#else
        const int seek = fseeko(fp.get(), (off_t) offset, SEEK_SET);
#endif
        if (seek != 0 || std::fread(staging.data(), 1, staging.size(), fp.get()) != staging.size()) {
            throw error(error_code::model_format, path + ": could not read tensor '" + printable(t->name) + "'");
        }
        ggml_backend_tensor_set(t, staging.data(), 0, staging.size());
    }
}

static const char * file_type_name(uint32_t ftype) {
    switch (ftype) {
        case 0: return "f32";
        case 1: return "f16";
        case 2: return "q4_0";
        case 3: return "q4_1";
        case 7: return "q8_0";
        case 8: return "q5_0";
        case 9: return "q5_1";
        case 14:
        case 15: return "q4_K";
        case 16:
        case 17: return "q5_K";
        case 18: return "q6_K";
        case 32: return "bf16";
        default: return "mixed";
    }
}

std::shared_ptr<const model> load_model(const std::string & path, const model_params & params) {
    const size_t file_size = file_size_of(path);
    {
        // a clear message for the most common mistake: passing something that is not a GGUF
        char magic[4] = {0, 0, 0, 0};
        std::unique_ptr<FILE, int (*)(FILE *)> fp(std::fopen(path.c_str(), "rb"), &std::fclose);
        if (!fp || std::fread(magic, 1, 4, fp.get()) != 4 || std::memcmp(magic, "GGUF", 4) != 0) {
            throw error(error_code::model_format,
                        path + ": not a GGUF file (convert a Hugging Face checkpoint with `gitcap convert`)");
        }
    }
    auto m = std::make_shared<model>();
    gguf_init_params gp{/*no_alloc =*/true, /*ctx =*/&m->ctx_weights};
    std::unique_ptr<gguf_context, void (*)(gguf_context *)> gguf(gguf_init_from_file(path.c_str(), gp), &gguf_free);
    if (!gguf) throw error(error_code::model_format, path + ": corrupt or truncated GGUF header");

    gguf_reader r(gguf.get(), path);
    read_hparams(r, m->vhp, m->thp);
    m->preprocess = read_preprocess_params(r, m->vhp.num_channels);
    check_preprocess_fits_vision(r, m->preprocess, m->vhp.image_size);
    m->tok = read_tokenizer(r, m->thp.n_vocab);

    tensor_table tt(m->ctx_weights, r);
    map_tensors(*m, tt);

    backend_set set = init_backends(params.backend, params.n_threads);
    m->backends.push_back(set.main);
    if (set.main != set.cpu) m->backends.push_back(set.cpu);
    m->cpu_backend = set.cpu;
    if (params.n_threads <= 0) m->threads = std::make_unique<thread_budget>(set.n_threads);
    if (ggml_backend_dev_type(set.main_dev) == GGML_BACKEND_DEVICE_TYPE_CPU) {
        m->attention = chosen_attention_kernel(std::string(file_type_name(r.get_u32(KEY_FILE_TYPE, 0))) == "f32");
        m->cpu_fused_ops = fused_layer_norm_available();
    }

    place_weights(*m, gguf.get(), path, file_size, params, set.n_threads);

    auto & info = m->info;
    info.name = r.get_str(KEY_NAME, "");
    info.file_type = file_type_name(r.get_u32(KEY_FILE_TYPE, 0));
    info.backend = ggml_backend_dev_name(set.main_dev);
    info.n_threads = set.n_threads;
    info.vocab_size = m->thp.n_vocab;
    info.hidden_size = m->thp.n_embd;
    info.n_layers = m->thp.n_layer;
    info.n_heads = m->thp.n_head;
    info.intermediate_size = m->thp.n_ff;
    info.max_positions = m->thp.n_ctx;
    info.vision_hidden_size = m->vhp.n_embd;
    info.vision_layers = m->vhp.n_layer;
    info.vision_heads = m->vhp.n_head;
    info.image_size = m->vhp.image_size;
    info.patch_size = m->vhp.patch_size;
    info.num_frames = m->vhp.frames();
    info.image_tokens = m->vhp.frames() * m->vhp.tokens_per_image();
    info.bos_id = (int) r.get_u32(KEY_TOK_BOS_ID, 101);
    info.eos_id = (int) r.get_u32(KEY_TOK_EOS_ID, 102);
    info.pad_id = (int) r.get_u32(KEY_TOK_PAD_ID, 0);
    info.max_length = (int) r.get_u32(KEY_GEN_MAX_LENGTH, 20);
    info.file_bytes = file_size;
    for (int id : {info.bos_id, info.eos_id, info.pad_id}) {
        if (id < 0 || id >= m->thp.n_vocab) r.fail("special token id " + std::to_string(id) + " is outside the vocabulary");
    }
    return m;
}

const model_info & get_info(const model & m) { return m.info; }
const Tokenizer & get_tokenizer(const model & m) { return *m.tok; }
const preprocess_params & get_preprocess_params(const model & m) { return m.preprocess; }

const char * error::code_name() const {
    switch (code_) {
        case error_code::model_format: return "E_MODEL_FORMAT";
        case error_code::input: return "E_INPUT";
        case error_code::unsupported: return "E_UNSUPPORTED";
        case error_code::backend: return "E_BACKEND";
        case error_code::aborted: return "E_ABORTED";
        case error_code::invalid_argument: return "E_INVALID_ARG";
        case error_code::busy: return "E_BUSY";
        case error_code::disposed: return "E_DISPOSED";
        default: return "E_NATIVE";
    }
}

} // namespace gitcap
