// The addon's parts. addon.cpp initializes ggml once and calls one RegisterX() per part of
// native/addon/; to add a part, write native/addon/<part>.cpp with its RegisterX(), declare it
// here and call it in addon.cpp's Init. Types of everything exported: lib/native/addon-types.ts.
// The addon includes only native/include/ of the C++ library.
#pragma once

#include <napi.h>

#include <string>

// info(): what was built and loaded (info.cpp).
void RegisterInfo(Napi::Env env, Napi::Object exports);

// class Tokenizer: the BERT WordPiece tokenizer built from a vocabulary array (tokenizer.cpp).
void RegisterTokenizer(Napi::Env env, Napi::Object exports);

// quantize(), dequantize(): ggml's quantizers for the converter in weights-convert/ (quantize.cpp).
void RegisterQuantize(Napi::Env env, Napi::Object exports);

// class Model: load a GGUF, caption/score/preprocess on the model's worker thread (model.cpp,
// with request_args.cpp, job_channel.cpp and results.cpp).
void RegisterModel(Napi::Env env, Napi::Object exports);

// decodeImage(), preprocessImages(): image decoding and preprocessing (image.cpp).
void RegisterImage(Napi::Env env, Napi::Object exports);

// computeMatMul(), preprocessDebug(), quantRowSize(), quantTypeInfo(): for the tests only
// (testing_hooks.cpp).
void RegisterTestingHooks(Napi::Env env, Napi::Object exports);

namespace gitcap_addon {

// Throws a JS Error whose `code` is one of lib/errors.ts's codes ("E_INVALID_ARG", "E_BACKEND",
// ...); the TypeScript side turns it into a GitcapError with that code. Any other C++ exception
// thrown by a method still becomes a plain JS Error (NODE_ADDON_API_CPP_EXCEPTIONS_ALL), never an
// abort.
[[noreturn]] void ThrowError(Napi::Env env, const char * code, const std::string & message);

// The folder the loaded .node is in (the portable build loads ggml's backend modules from it).
const std::string & ModuleDir();

} // namespace gitcap_addon
