// libFuzzer target: load_model() on any bytes, written to a file as a GGUF (ggml's parser, then
// gitcap's checks of metadata, tokenizer, preprocessing, tensor table and placement).
#include "ggml.h"
#include "gitcap.h"

#include <cstdio>
#include <string>
#include <unistd.h>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t * data, size_t size) {
    static const std::string path = "/tmp/gitcap-fuzz-gguf-" + std::to_string(getpid()) + ".gguf";
    FILE * f = std::fopen(path.c_str(), "wb");
    if (!f) return 0;
    std::fwrite(data, 1, size, f);
    std::fclose(f);
    static const bool quiet = (ggml_log_set([](ggml_log_level, const char *, void *) {}, nullptr), true);
    (void) quiet; // ggml logs every rejected file; the fuzzer's output should show findings only
    gitcap::model_params params;
    params.backend = "cpu";
    params.n_threads = 1;
    try {
        gitcap::load_model(path, params);
    } catch (const gitcap::error &) {
    }
    return 0;
}
