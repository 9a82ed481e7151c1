// Typed, validating access to GGUF key-values: every failure is a gitcap::error naming the key.
#pragma once

#include "gitcap.h"
#include "gguf.h"

#include <string>
#include <vector>

namespace gitcap {

class gguf_reader {
public:
    gguf_reader(const gguf_context * ctx, std::string file) : ctx_(ctx), file_(std::move(file)) {}

    bool has(const char * key) const;
    std::string get_str(const char * key) const;
    std::string get_str(const char * key, const std::string & fallback) const;
    uint32_t get_u32(const char * key) const;
    uint32_t get_u32(const char * key, uint32_t fallback) const;
    float get_f32(const char * key) const;
    double get_f64(const char * key) const;
    bool get_bool(const char * key, bool fallback) const;
    std::vector<float> get_f32_array(const char * key) const;
    std::vector<std::string> get_str_array(const char * key) const;

    // throws model_format "<file>: <what>"
    [[noreturn]] void fail(const std::string & what) const;

    const std::string & file() const { return file_; }

    // u32 within [lo, hi]
    uint32_t get_u32_in(const char * key, uint32_t lo, uint32_t hi) const;

private:
    int64_t require(const char * key, gguf_type type) const;
    const gguf_context * ctx_;
    std::string file_;
};

} // namespace gitcap
