// Arguments of the quantizer functions (quantize.cpp), shared with the testing hooks.
#pragma once

#include "gitcap_quantize.h"

#include <napi.h>

#include <cstddef>
#include <cstdint>

namespace gitcap_addon {

// info[0]: a type name the converter writes ("q8_0", ...).
ggml_type QuantTypeArg(const Napi::CallbackInfo & info);
// info[index]: an integer from `min` to Number.MAX_SAFE_INTEGER.
int64_t QuantCountArg(const Napi::CallbackInfo & info, size_t index, const char * name, double min);
// gitcap::quant_row_size, its refusal as E_INVALID_ARG.
size_t QuantRowSizeOrThrow(Napi::Env env, ggml_type type, int64_t n_per_row);

} // namespace gitcap_addon
