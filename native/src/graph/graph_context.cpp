#include "graph/graph_context.h"

#include "gitcap.h"

#include <algorithm>

namespace gitcap {

graph_context::graph_context(size_t nodes, const std::vector<std::string> & wanted) : wanted_(wanted.begin(), wanted.end()) {
    nodes = std::min(nodes, max_nodes);
    // views and reshapes are tensors without being nodes: room for a few per node
    meta_size_ = ggml_tensor_overhead() * nodes * 3 + ggml_graph_overhead_custom(nodes, false);
    meta_.reset(new uint8_t[meta_size_]);
    ggml_init_params params{meta_size_, meta_.get(), /*no_alloc =*/true};
    ctx_ = ggml_init(params);
    if (!ctx_) throw error(error_code::internal, "could not create a graph context");
    gf_ = ggml_new_graph_custom(ctx_, nodes, false);
}

graph_context::~graph_context() { ggml_free(ctx_); }

ggml_tensor * graph_context::input(const char * name, ggml_type type, int64_t ne0, int64_t ne1, int64_t ne2, int64_t ne3) {
    ggml_tensor * t = ggml_new_tensor_4d(ctx_, type, ne0, ne1, ne2, ne3);
    ggml_set_name(t, name);
    ggml_set_input(t);
    return t;
}

ggml_tensor * graph_context::named(ggml_tensor * t, const char * name) {
    if (wanted_.count(name)) {
        t = ggml_cont(ctx_, t); // a fresh tensor, never a view the allocator may recycle
        ggml_set_name(t, name);
        ggml_set_output(t);
        ggml_build_forward_expand(gf_, t);
        debug_.push_back(t);
        return t;
    }
    ggml_set_name(t, name);
    return t;
}

void graph_context::output(ggml_tensor * t, const char * name) {
    ggml_set_name(t, name);
    ggml_set_output(t);
    ggml_build_forward_expand(gf_, t);
}

} // namespace gitcap
