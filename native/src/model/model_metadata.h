// GGUF metadata that is not the network itself: preprocessing and tokenizer settings.
#pragma once

#include "model/gguf_reader.h"
#include "gitcap_image.h"
#include "gitcap_tokenizer.h"

#include <memory>

namespace gitcap {

// git.image.* → the image processor's parameters (missing keys take the processor's defaults).
preprocess_params read_preprocess_params(const gguf_reader & r, int num_channels);

// The vision tower takes image_size x image_size pixels: the crop (or the fixed resize without one)
// must give exactly that, and no resize may ask for more than a few times it.
void check_preprocess_fits_vision(const gguf_reader & r, const preprocess_params & p, int image_size);

// tokenizer.ggml.* → the BERT WordPiece tokenizer.
std::unique_ptr<Tokenizer> read_tokenizer(const gguf_reader & r, int n_vocab);

} // namespace gitcap
