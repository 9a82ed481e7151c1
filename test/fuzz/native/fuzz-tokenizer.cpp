// libFuzzer target: the WordPiece tokenizer. The first byte picks what the rest is:
//   0: text to encode (then the ids decoded back), 1: int32 ids to decode,
//   2: a vocabulary (one token a line) to build a tokenizer from, then encode a fixed text.
// The vocabulary of modes 0 and 1 is the tiny-vatex fixture's (GITCAP_FUZZ_VOCAB overrides it).
#include "gitcap.h"
#include "gitcap_tokenizer.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace {

std::vector<std::string> read_lines(std::istream & in) {
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

const gitcap::Tokenizer & fixture_tokenizer() {
    static const gitcap::Tokenizer tok = [] {
        const char * path = std::getenv("GITCAP_FUZZ_VOCAB");
        std::ifstream in(path ? path : "test/fixtures/tiny-vatex/vocab.txt");
        if (!in) {
            std::fprintf(stderr, "fuzz-tokenizer: no vocabulary (run from the repository root or set GITCAP_FUZZ_VOCAB)\n");
            std::abort();
        }
        return gitcap::Tokenizer(read_lines(in));
    }();
    return tok;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t * data, size_t size) {
    if (size == 0) return 0;
    const std::string rest(reinterpret_cast<const char *>(data) + 1, size - 1);
    try {
        switch (data[0] % 3) {
            case 0: {
                const auto & tok = fixture_tokenizer();
                const std::vector<int32_t> ids = tok.encode(rest, data[0] & 4);
                tok.decode(ids, {bool(data[0] & 8), bool(data[0] & 16)});
                break;
            }
            case 1: {
                std::vector<int32_t> ids(rest.size() / 4);
                if (!ids.empty()) std::memcpy(ids.data(), rest.data(), ids.size() * 4);
                fixture_tokenizer().decode(ids, {bool(data[0] & 8), bool(data[0] & 16)});
                break;
            }
            default: {
                std::istringstream in(rest);
                gitcap::Tokenizer tok(read_lines(in));
                tok.decode(tok.encode("A dog's [UNK] caf\xc3\xa9 runs; \xe4\xb8\xad\xe6\x96\x87 unaffable!"));
            }
        }
    } catch (const gitcap::error &) {
    } catch (const std::invalid_argument &) { // the documented error of an unusable vocabulary
    }
    return 0;
}
