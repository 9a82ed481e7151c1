#include "arg_reader.h"

#include "bindings.h"

#include <cmath>
#include <cstdio>

namespace gitcap_addon {

namespace {

constexpr double kMaxSafeInteger = 9007199254740991.0; // Number.MAX_SAFE_INTEGER

// describe() of lib/inputs/arg-checks.ts: how a message shows the value it got.
std::string describe(const Napi::Value & v) {
    Napi::Env env = v.Env();
    if (v.IsNull()) return "null";
    if (v.IsArray()) return "an array of length " + std::to_string(v.As<Napi::Array>().Length());
    if (v.IsObject() && !v.IsFunction()) return "an object";
    const Napi::Object global = env.Global();
    if (v.IsString()) {
        const Napi::Object json = global.Get("JSON").As<Napi::Object>();
        const std::string quoted = json.Get("stringify").As<Napi::Function>().Call(json, {v}).As<Napi::String>().Utf8Value();
        return quoted + " of type string";
    }
    const std::string text = global.Get("String").As<Napi::Function>().Call({v}).As<Napi::String>().Utf8Value();
    std::string type;
    switch (v.Type()) {
        case napi_undefined: type = "undefined"; break;
        case napi_boolean: type = "boolean"; break;
        case napi_number: type = "number"; break;
        case napi_symbol: type = "symbol"; break;
        case napi_function: type = "function"; break;
        case napi_bigint: type = "bigint"; break;
        default: type = "object"; break;
    }
    return text + " of type " + type;
}

bool is_integer_in(const Napi::Value & v, double min, double max) {
    if (!v.IsNumber()) return false;
    const double d = v.As<Napi::Number>().DoubleValue();
    return std::floor(d) == d && d >= min && d <= max;
}

std::string range(double min, double max) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "integer between %.0f and %.0f", min, max);
    return buf;
}

} // namespace

void ThrowInvalidArg(const Napi::Value & value, const std::string & name, const std::string & expected) {
    ThrowError(value.Env(), "E_INVALID_ARG", "Expected " + expected + " for " + name + " but received " + describe(value));
}

Napi::Object ObjectArg(const Napi::CallbackInfo & info, size_t index, const char * name) {
    const Napi::Value v = info[index];
    if (!v.IsObject() || v.IsArray() || v.IsFunction()) ThrowInvalidArg(v, name, "an object");
    return v.As<Napi::Object>();
}

Napi::Function FunctionArg(const Napi::CallbackInfo & info, size_t index, const char * name) {
    const Napi::Value v = info[index];
    if (!v.IsFunction()) ThrowInvalidArg(v, name, "a function");
    return v.As<Napi::Function>();
}

OptionsReader::OptionsReader(const Napi::Object & object, std::string kind) : object_(object), kind_(std::move(kind)) {
    const Napi::Array names = object.GetPropertyNames();
    for (uint32_t i = 0; i < names.Length(); i++) keys_.push_back(names.Get(i).ToString().Utf8Value());
    read_.assign(keys_.size(), false);
}

bool OptionsReader::has(const char * key) const {
    const Napi::Value v = object_.Get(key);
    return !v.IsUndefined() && !v.IsNull();
}

std::optional<Napi::Value> OptionsReader::take(const char * key) {
    for (size_t i = 0; i < keys_.size(); i++) {
        if (keys_[i] == key) read_[i] = true;
    }
    const Napi::Value v = object_.Get(key);
    if (v.IsUndefined() || v.IsNull()) return std::nullopt;
    return v;
}

void OptionsReader::read(const char * key, int & field) {
    constexpr double min = -2147483648.0, max = 2147483647.0;
    if (auto v = take(key)) {
        if (!is_integer_in(*v, min, max)) ThrowInvalidArg(*v, key, range(min, max));
        field = v->As<Napi::Number>().Int32Value();
    }
}

void OptionsReader::read(const char * key, uint64_t & field) {
    if (auto v = take(key)) {
        if (!is_integer_in(*v, 0, kMaxSafeInteger)) ThrowInvalidArg(*v, key, range(0, kMaxSafeInteger));
        field = (uint64_t) v->As<Napi::Number>().DoubleValue();
    }
}

void OptionsReader::read(const char * key, double & field) {
    if (auto v = take(key)) {
        if (!v->IsNumber() || !std::isfinite(v->As<Napi::Number>().DoubleValue())) ThrowInvalidArg(*v, key, "a finite number");
        field = v->As<Napi::Number>().DoubleValue();
    }
}

void OptionsReader::read(const char * key, float & field) {
    double d = field;
    read(key, d);
    field = (float) d;
}

void OptionsReader::read(const char * key, bool & field) {
    if (auto v = take(key)) {
        if (!v->IsBoolean()) ThrowInvalidArg(*v, key, "a boolean");
        field = v->As<Napi::Boolean>().Value();
    }
}

void OptionsReader::read(const char * key, std::string & field) {
    if (auto v = take(key)) {
        if (!v->IsString()) ThrowInvalidArg(*v, key, "a string");
        field = v->As<Napi::String>().Utf8Value();
    }
}

void OptionsReader::read(const char * key, std::optional<std::string> & field) {
    if (has(key)) {
        std::string s;
        read(key, s);
        field = std::move(s);
    } else {
        take(key);
    }
}

void OptionsReader::read(const char * key, std::vector<std::string> & field) {
    if (auto v = take(key)) {
        if (!v->IsArray()) ThrowInvalidArg(*v, key, "an array of strings");
        const Napi::Array a = v->As<Napi::Array>();
        std::vector<std::string> out;
        for (uint32_t i = 0; i < a.Length(); i++) {
            const Napi::Value item = a.Get(i);
            if (!item.IsString()) ThrowInvalidArg(item, std::string(key) + "[" + std::to_string(i) + "]", "a string");
            out.push_back(item.As<Napi::String>().Utf8Value());
        }
        field = std::move(out);
    }
}

void OptionsReader::read(const char * key, std::optional<std::vector<int32_t>> & field) {
    if (auto v = take(key)) {
        if (!v->IsArray()) ThrowInvalidArg(*v, key, "an array of integers");
        const Napi::Array a = v->As<Napi::Array>();
        std::vector<int32_t> out;
        for (uint32_t i = 0; i < a.Length(); i++) {
            const Napi::Value item = a.Get(i);
            if (!is_integer_in(item, -2147483648.0, 2147483647.0)) {
                ThrowInvalidArg(item, std::string(key) + "[" + std::to_string(i) + "]", range(-2147483648.0, 2147483647.0));
            }
            out.push_back(item.As<Napi::Number>().Int32Value());
        }
        field = std::move(out);
    }
}

void OptionsReader::check_all_read() const {
    for (size_t i = 0; i < keys_.size(); i++) {
        if (!read_[i]) ThrowInvalidArg(object_.Get(keys_[i]), keys_[i], "a known " + kind_);
    }
}

} // namespace gitcap_addon
