// Tokenizer: the BERT WordPiece tokenizer (native/include/gitcap_tokenizer.h) as a JS class, built from a
// vocabulary array. The model uses the same C++ class built from its GGUF vocabulary.
//
//   new Tokenizer(vocab: string[], options?: { doLowerCase, stripAccents (boolean | null),
//                 tokenizeChineseChars, maxInputCharsPerWord, clsId, sepId, padId, unkId, maskId })
//   encode(text, addSpecialTokens = true) -> Int32Array    text: string, or UTF-8 bytes (Uint8Array)
//   tokens(text) -> string[]
//   decode(ids, { skipSpecialTokens = true, cleanUpTokenizationSpaces = true }) -> string
//   decodePieces(ids, same options) -> string[]: what streaming emits per id, then the final rest
//   piece(id) -> string; vocabSize; specialIds -> { cls, sep, pad, unk, mask } (-1 when absent)
#include "bindings.h"

#include "gitcap_tokenizer.h"

#include <cmath>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using gitcap_addon::ThrowError;

std::string describe(const Napi::Value & v) {
    if (v.IsUndefined()) return "undefined";
    if (v.IsNull()) return "null";
    if (v.IsArray()) return "an array";
    if (v.IsString()) return "a string";
    if (v.IsNumber()) return v.ToString().Utf8Value() + " of type number";
    if (v.IsBoolean()) return v.ToString().Utf8Value() + " of type boolean";
    return "a value of type " + std::string(v.IsFunction() ? "function" : "object");
}

[[noreturn]] void throw_expected(Napi::Env env, const std::string & expected, const std::string & name,
                                 const Napi::Value & actual) {
    ThrowError(env, "E_INVALID_ARG", "Expected " + expected + " for " + name + " but received " + describe(actual));
}

bool is_int32(const Napi::Value & v) {
    if (!v.IsNumber()) return false;
    const double d = v.As<Napi::Number>().DoubleValue();
    return std::floor(d) == d && d >= -2147483648.0 && d <= 2147483647.0;
}

// An optional boolean member of an options object: `fallback` when undefined.
bool bool_option(const Napi::Object & options, const char * key, bool fallback) {
    const Napi::Value v = options.Get(key);
    if (v.IsUndefined()) return fallback;
    if (!v.IsBoolean()) throw_expected(options.Env(), "a boolean", std::string("options.") + key, v);
    return v.As<Napi::Boolean>().Value();
}

int32_t id_option(const Napi::Object & options, const char * key) {
    const Napi::Value v = options.Get(key);
    if (v.IsUndefined()) return -1;
    if (!is_int32(v) || v.As<Napi::Number>().Int32Value() < -1) {
        throw_expected(options.Env(), "-1 or a token id", std::string("options.") + key, v);
    }
    return v.As<Napi::Number>().Int32Value();
}

Napi::Object options_arg(const Napi::CallbackInfo & info, size_t index) {
    const Napi::Value v = info[index];
    if (v.IsUndefined()) return Napi::Object::New(info.Env());
    if (!v.IsObject() || v.IsArray() || v.IsFunction()) throw_expected(info.Env(), "an object", "options", v);
    return v.As<Napi::Object>();
}

gitcap::TokenizerOptions tokenizer_options(const Napi::Object & options) {
    gitcap::TokenizerOptions o;
    o.do_lower_case = bool_option(options, "doLowerCase", true);
    const Napi::Value strip = options.Get("stripAccents");
    if (!strip.IsUndefined() && !strip.IsNull()) {
        if (!strip.IsBoolean()) throw_expected(options.Env(), "a boolean or null", "options.stripAccents", strip);
        o.strip_accents = strip.As<Napi::Boolean>().Value();
    }
    o.tokenize_chinese_chars = bool_option(options, "tokenizeChineseChars", true);
    const Napi::Value max_chars = options.Get("maxInputCharsPerWord");
    if (!max_chars.IsUndefined()) {
        if (!is_int32(max_chars) || max_chars.As<Napi::Number>().Int32Value() < 1) {
            throw_expected(options.Env(), "a positive integer", "options.maxInputCharsPerWord", max_chars);
        }
        o.max_input_chars_per_word = max_chars.As<Napi::Number>().Int32Value();
    }
    o.cls_id = id_option(options, "clsId");
    o.sep_id = id_option(options, "sepId");
    o.pad_id = id_option(options, "padId");
    o.unk_id = id_option(options, "unkId");
    o.mask_id = id_option(options, "maskId");
    return o;
}

gitcap::DecodeOptions decode_options(const Napi::CallbackInfo & info, size_t index) {
    const Napi::Object options = options_arg(info, index);
    gitcap::DecodeOptions o;
    o.skip_special_tokens = bool_option(options, "skipSpecialTokens", true);
    o.clean_up_tokenization_spaces = bool_option(options, "cleanUpTokenizationSpaces", true);
    return o;
}

// A string, or UTF-8 bytes (a Buffer or Uint8Array), which may be ill-formed.
std::string text_arg(const Napi::CallbackInfo & info, size_t index) {
    const Napi::Value v = info[index];
    if (v.IsString()) return v.As<Napi::String>().Utf8Value();
    if (v.IsTypedArray() && v.As<Napi::TypedArray>().TypedArrayType() == napi_uint8_array) {
        const Napi::Uint8Array bytes = v.As<Napi::Uint8Array>();
        return std::string(reinterpret_cast<const char *>(bytes.Data()), bytes.ByteLength());
    }
    throw_expected(info.Env(), "a string or a Uint8Array of UTF-8", "text", v);
}

std::vector<int32_t> ids_arg(const Napi::CallbackInfo & info, size_t index) {
    const Napi::Value v = info[index];
    std::vector<int32_t> ids;
    if (v.IsTypedArray() && v.As<Napi::TypedArray>().TypedArrayType() == napi_int32_array) {
        const Napi::Int32Array array = v.As<Napi::Int32Array>();
        ids.assign(array.Data(), array.Data() + array.ElementLength());
        return ids;
    }
    if (!v.IsArray()) throw_expected(info.Env(), "an array of integer token ids or an Int32Array", "ids", v);
    const Napi::Array array = v.As<Napi::Array>();
    ids.reserve(array.Length());
    for (uint32_t i = 0; i < array.Length(); ++i) {
        const Napi::Value id = array.Get(i);
        if (!is_int32(id)) throw_expected(info.Env(), "a 32-bit integer", "ids[" + std::to_string(i) + "]", id);
        ids.push_back(id.As<Napi::Number>().Int32Value());
    }
    return ids;
}

class TokenizerWrap : public Napi::ObjectWrap<TokenizerWrap> {
public:
    static Napi::Function Define(Napi::Env env) {
        return DefineClass(env, "Tokenizer",
                           {
                               InstanceMethod<&TokenizerWrap::Encode>("encode"),
                               InstanceMethod<&TokenizerWrap::Tokens>("tokens"),
                               InstanceMethod<&TokenizerWrap::Decode>("decode"),
                               InstanceMethod<&TokenizerWrap::DecodePieces>("decodePieces"),
                               InstanceMethod<&TokenizerWrap::Piece>("piece"),
                               InstanceAccessor<&TokenizerWrap::VocabSize>("vocabSize"),
                               InstanceAccessor<&TokenizerWrap::SpecialIds>("specialIds"),
                           });
    }

    explicit TokenizerWrap(const Napi::CallbackInfo & info) : Napi::ObjectWrap<TokenizerWrap>(info) {
        Napi::Env env = info.Env();
        if (!info[0].IsArray()) throw_expected(env, "an array of strings", "vocab", info[0]);
        const Napi::Array array = info[0].As<Napi::Array>();
        std::vector<std::string> vocab;
        vocab.reserve(array.Length());
        for (uint32_t i = 0; i < array.Length(); ++i) {
            const Napi::Value token = array.Get(i);
            if (!token.IsString()) throw_expected(env, "a string", "vocab[" + std::to_string(i) + "]", token);
            vocab.push_back(token.As<Napi::String>().Utf8Value());
        }
        const gitcap::TokenizerOptions options = tokenizer_options(options_arg(info, 1));
        try {
            tokenizer_ = std::make_unique<gitcap::Tokenizer>(std::move(vocab), options);
        } catch (const std::invalid_argument & e) {
            ThrowError(env, "E_INVALID_ARG", e.what());
        }
    }

private:
    Napi::Value Encode(const Napi::CallbackInfo & info) {
        const std::string text = text_arg(info, 0);
        bool add_special = true;
        if (!info[1].IsUndefined()) {
            if (!info[1].IsBoolean()) throw_expected(info.Env(), "a boolean", "addSpecialTokens", info[1]);
            add_special = info[1].As<Napi::Boolean>().Value();
        }
        const std::vector<int32_t> ids = tokenizer_->encode(text, add_special);
        Napi::Int32Array out = Napi::Int32Array::New(info.Env(), ids.size());
        std::copy(ids.begin(), ids.end(), out.Data());
        return out;
    }

    Napi::Value Tokens(const Napi::CallbackInfo & info) {
        const std::vector<std::string> tokens = tokenizer_->tokens(text_arg(info, 0));
        Napi::Array out = Napi::Array::New(info.Env(), tokens.size());
        for (size_t i = 0; i < tokens.size(); ++i) out.Set(static_cast<uint32_t>(i), tokens[i]);
        return out;
    }

    Napi::Value Decode(const Napi::CallbackInfo & info) {
        const std::vector<int32_t> ids = ids_arg(info, 0);
        return Napi::String::New(info.Env(), tokenizer_->decode(ids, decode_options(info, 1)));
    }

    Napi::Value DecodePieces(const Napi::CallbackInfo & info) {
        const std::vector<int32_t> ids = ids_arg(info, 0);
        gitcap::DecodeStream stream(*tokenizer_, decode_options(info, 1));
        Napi::Array out = Napi::Array::New(info.Env(), ids.size() + 1);
        for (size_t i = 0; i < ids.size(); ++i) out.Set(static_cast<uint32_t>(i), stream.push(ids[i]));
        out.Set(static_cast<uint32_t>(ids.size()), stream.finish());
        return out;
    }

    Napi::Value Piece(const Napi::CallbackInfo & info) {
        if (!is_int32(info[0])) throw_expected(info.Env(), "a 32-bit integer", "id", info[0]);
        return Napi::String::New(info.Env(), tokenizer_->piece(info[0].As<Napi::Number>().Int32Value()));
    }

    Napi::Value VocabSize(const Napi::CallbackInfo & info) {
        return Napi::Number::New(info.Env(), static_cast<double>(tokenizer_->vocab_size()));
    }

    Napi::Value SpecialIds(const Napi::CallbackInfo & info) {
        Napi::Object out = Napi::Object::New(info.Env());
        out.Set("cls", tokenizer_->cls_id());
        out.Set("sep", tokenizer_->sep_id());
        out.Set("pad", tokenizer_->pad_id());
        out.Set("unk", tokenizer_->unk_id());
        out.Set("mask", tokenizer_->mask_id());
        return out;
    }

    std::unique_ptr<gitcap::Tokenizer> tokenizer_;
};

} // namespace

void RegisterTokenizer(Napi::Env env, Napi::Object exports) {
    exports.Set("Tokenizer", TokenizerWrap::Define(env));
}
