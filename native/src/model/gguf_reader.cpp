#include "model/gguf_reader.h"

namespace gitcap {

void gguf_reader::fail(const std::string & what) const {
    throw error(error_code::model_format, file_ + ": " + what);
}

bool gguf_reader::has(const char * key) const { return gguf_find_key(ctx_, key) >= 0; }

int64_t gguf_reader::require(const char * key, gguf_type type) const {
    const int64_t id = gguf_find_key(ctx_, key);
    if (id < 0) fail(std::string("missing key '") + key + "' (was the file made by `gitcap convert`?)");
    const gguf_type actual = gguf_get_kv_type(ctx_, id);
    // integers of any width are accepted where a u32 is expected, floats likewise
    if (actual != type) {
        fail(std::string("key '") + key + "' has type " + gguf_type_name(actual) + ", expected " + gguf_type_name(type));
    }
    return id;
}

std::string gguf_reader::get_str(const char * key) const {
    return gguf_get_val_str(ctx_, require(key, GGUF_TYPE_STRING));
}

std::string gguf_reader::get_str(const char * key, const std::string & fallback) const {
    return has(key) ? get_str(key) : fallback;
}

uint32_t gguf_reader::get_u32(const char * key) const {
    const int64_t id = gguf_find_key(ctx_, key);
    if (id < 0) fail(std::string("missing key '") + key + "' (was the file made by `gitcap convert`?)");
    switch (gguf_get_kv_type(ctx_, id)) {
        case GGUF_TYPE_UINT32: return gguf_get_val_u32(ctx_, id);
        case GGUF_TYPE_INT32: {
            const int32_t v = gguf_get_val_i32(ctx_, id);
            if (v < 0) fail(std::string("key '") + key + "' is negative (" + std::to_string(v) + ")");
            return (uint32_t) v;
        }
        case GGUF_TYPE_UINT64: {
            const uint64_t v = gguf_get_val_u64(ctx_, id);
            if (v > UINT32_MAX) fail(std::string("key '") + key + "' is out of range (" + std::to_string(v) + ")");
            return (uint32_t) v;
        }
        default:
            fail(std::string("key '") + key + "' has type " + gguf_type_name(gguf_get_kv_type(ctx_, id)) +
                 ", expected an unsigned integer");
    }
}

uint32_t gguf_reader::get_u32(const char * key, uint32_t fallback) const {
    return has(key) ? get_u32(key) : fallback;
}

uint32_t gguf_reader::get_u32_in(const char * key, uint32_t lo, uint32_t hi) const {
    const uint32_t v = get_u32(key);
    if (v < lo || v > hi) {
        fail(std::string("key '") + key + "' = " + std::to_string(v) + " is outside [" + std::to_string(lo) + ", " +
             std::to_string(hi) + "]");
    }
    return v;
}

float gguf_reader::get_f32(const char * key) const {
    const int64_t id = gguf_find_key(ctx_, key);
    if (id >= 0 && gguf_get_kv_type(ctx_, id) == GGUF_TYPE_FLOAT64) return (float) gguf_get_val_f64(ctx_, id);
    return gguf_get_val_f32(ctx_, require(key, GGUF_TYPE_FLOAT32));
}

double gguf_reader::get_f64(const char * key) const {
    const int64_t id = gguf_find_key(ctx_, key);
    if (id >= 0 && gguf_get_kv_type(ctx_, id) == GGUF_TYPE_FLOAT32) return gguf_get_val_f32(ctx_, id);
    return gguf_get_val_f64(ctx_, require(key, GGUF_TYPE_FLOAT64));
}

bool gguf_reader::get_bool(const char * key, bool fallback) const {
    if (!has(key)) return fallback;
    return gguf_get_val_bool(ctx_, require(key, GGUF_TYPE_BOOL));
}

std::vector<float> gguf_reader::get_f32_array(const char * key) const {
    const int64_t id = require(key, GGUF_TYPE_ARRAY);
    if (gguf_get_arr_type(ctx_, id) != GGUF_TYPE_FLOAT32) fail(std::string("key '") + key + "' is not an array of f32");
    const size_t n = gguf_get_arr_n(ctx_, id);
    const float * data = (const float *) gguf_get_arr_data(ctx_, id);
    return std::vector<float>(data, data + n);
}

std::vector<std::string> gguf_reader::get_str_array(const char * key) const {
    const int64_t id = require(key, GGUF_TYPE_ARRAY);
    if (gguf_get_arr_type(ctx_, id) != GGUF_TYPE_STRING) fail(std::string("key '") + key + "' is not an array of strings");
    const size_t n = gguf_get_arr_n(ctx_, id);
    std::vector<std::string> out;
    out.reserve(n);
    for (size_t i = 0; i < n; i++) out.emplace_back(gguf_get_arr_str(ctx_, id, i));
    return out;
}

} // namespace gitcap
