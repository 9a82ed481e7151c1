#include "text/unicode_text.h"

#include <algorithm>

namespace gitcap::unicode {

namespace ud = unicode_data;

namespace {

constexpr char32_t kReplacement = 0xFFFD;
constexpr char32_t kMaxCodePoint = 0x10FFFF;

// Hangul syllables decompose and compose arithmetically (Unicode 3.12).
constexpr char32_t kSBase = 0xAC00, kLBase = 0x1100, kVBase = 0x1161, kTBase = 0x11A7;
constexpr char32_t kLCount = 19, kVCount = 21, kTCount = 28;
constexpr char32_t kNCount = kVCount * kTCount, kSCount = kLCount * kNCount;

constexpr char32_t kCapitalSigma = 0x03A3, kSmallSigma = 0x03C3, kFinalSigma = 0x03C2;

// Index of the run holding `key` in an ascending table of (start << shift) | value.
size_t find_run(const uint32_t* runs, size_t count, char32_t cp, unsigned shift) {
    const uint32_t key = (static_cast<uint32_t>(cp) << shift) | ((1u << shift) - 1);
    return static_cast<size_t>(std::upper_bound(runs, runs + count, key) - runs) - 1;
}

// Length of a well-formed UTF-8 sequence starting at text[i], or 0 with `bad` = the number of
// bytes that form the maximal ill-formed subpart to replace.
size_t utf8_sequence(std::string_view text, size_t i, char32_t& cp, size_t& bad) {
    const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
    const unsigned char lead = byte(i);
    if (lead < 0x80) {
        cp = lead;
        return 1;
    }
    size_t need;
    unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
    if (lead >= 0xC2 && lead <= 0xDF) {
        need = 1;
        cp = lead & 0x1F;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        need = 2;
        cp = lead & 0x0F;
        if (lead == 0xE0) lo = 0xA0;  // overlong
        if (lead == 0xED) hi = 0x9F;  // surrogates
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        need = 3;
        cp = lead & 0x07;
        if (lead == 0xF0) lo = 0x90;  // overlong
        if (lead == 0xF4) hi = 0x8F;  // past U+10FFFF
    } else {
        bad = 1;
        return 0;
    }
    for (size_t k = 1; k <= need; ++k) {
        const size_t at = i + k;
        const unsigned char b = at < text.size() ? byte(at) : 0;
        const bool ok = at < text.size() && (k == 1 ? (b >= lo && b <= hi) : (b >= 0x80 && b <= 0xBF));
        if (!ok) {
            bad = k;
            return 0;
        }
        cp = (cp << 6) | (b & 0x3F);
    }
    return need + 1;
}

const ud::Decomposition* find_decomposition(char32_t cp) {
    const auto* end = ud::kDecompositions + ud::kDecompositionsCount;
    const auto* it = std::lower_bound(ud::kDecompositions, end, cp,
                                      [](const ud::Decomposition& d, char32_t c) { return d.code_point < c; });
    return it != end && it->code_point == cp ? it : nullptr;
}

void append_decomposed(char32_t cp, std::u32string& out) {
    if (cp >= kSBase && cp < kSBase + kSCount) {
        const char32_t s = cp - kSBase;
        out.push_back(kLBase + s / kNCount);
        out.push_back(kVBase + (s % kNCount) / kTCount);
        if (s % kTCount != 0) out.push_back(kTBase + s % kTCount);
        return;
    }
    const ud::Decomposition* d = find_decomposition(cp);
    if (d == nullptr) {
        out.push_back(cp);
        return;
    }
    append_decomposed(d->first, out);
    if (d->second != 0) append_decomposed(d->second, out);
}

// The primary composite of `first` + `second`, or 0.
char32_t compose(char32_t first, char32_t second) {
    if (first >= kLBase && first < kLBase + kLCount && second >= kVBase && second < kVBase + kVCount) {
        return kSBase + ((first - kLBase) * kVCount + (second - kVBase)) * kTCount;
    }
    if (first >= kSBase && first < kSBase + kSCount && (first - kSBase) % kTCount == 0 && second > kTBase &&
        second < kTBase + kTCount) {
        return first + (second - kTBase);
    }
    const auto* begin = ud::kCompositionOrder;
    const auto* end = begin + ud::kCompositionOrderCount;
    const auto* it = std::lower_bound(begin, end, std::make_pair(first, second),
                                      [](uint16_t index, const std::pair<char32_t, char32_t>& key) {
                                          const ud::Decomposition& d = ud::kDecompositions[index];
                                          return d.first != key.first ? d.first < key.first : d.second < key.second;
                                      });
    if (it == end) return 0;
    const ud::Decomposition& d = ud::kDecompositions[*it];
    return d.first == first && d.second == second ? d.code_point : 0;
}

// str.lower() of one code point other than capital sigma.
void append_lower(char32_t cp, std::u32string& out) {
    if (cp < 0x80) {
        out.push_back(cp >= 'A' && cp <= 'Z' ? cp + 32 : cp);
        return;
    }
    for (size_t i = 0; i < ud::kLowerExpansionsCount; ++i) {
        const ud::LowerExpansion& e = ud::kLowerExpansions[i];
        if (e.code_point != cp) continue;
        for (uint32_t c : e.lower) {
            if (c != 0) out.push_back(c);
        }
        return;
    }
    const auto* end = ud::kLowerRuns + ud::kLowerRunsCount;
    const auto* it = std::upper_bound(ud::kLowerRuns, end, cp,
                                      [](char32_t c, const ud::LowerRun& r) { return c < r.first; });
    if (it != ud::kLowerRuns) {
        const ud::LowerRun& run = *(it - 1);
        const char32_t offset = cp - run.first;
        if (offset % run.stride == 0 && offset / run.stride < run.count) {
            out.push_back(static_cast<char32_t>(static_cast<int64_t>(cp) + run.delta));
            return;
        }
    }
    out.push_back(cp);
}

// CPython's handle_capital_sigma: final when a cased letter precedes (skipping case-ignorable
// ones) and none follows.
bool is_final_sigma(std::u32string_view text, size_t at) {
    size_t j = at;
    char32_t before = 0;
    bool found = false;
    while (j > 0) {
        before = text[--j];
        if (!has_flag(before, ud::kCaseIgnorable)) {
            found = true;
            break;
        }
    }
    if (!found || !has_flag(before, ud::kCased)) return false;
    for (size_t k = at + 1; k < text.size(); ++k) {
        if (!has_flag(text[k], ud::kCaseIgnorable)) return !has_flag(text[k], ud::kCased);
    }
    return true;
}

}  // namespace

std::u32string decode_utf8(std::string_view text) {
    std::u32string out;
    out.reserve(text.size());
    size_t i = 0;
    while (i < text.size()) {
        char32_t cp = 0;
        size_t bad = 0;
        const size_t n = utf8_sequence(text, i, cp, bad);
        if (n == 0) {
            out.push_back(kReplacement);
            i += bad;
        } else {
            out.push_back(cp);
            i += n;
        }
    }
    return out;
}

bool is_valid_utf8(std::string_view text) {
    size_t i = 0;
    while (i < text.size()) {
        char32_t cp = 0;
        size_t bad = 0;
        const size_t n = utf8_sequence(text, i, cp, bad);
        if (n == 0) return false;
        i += n;
    }
    return true;
}

void append_utf8(std::string& out, char32_t cp) {
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
}

uint32_t char_flags(char32_t cp) {
    if (cp > kMaxCodePoint) return 0;
    const size_t run = find_run(ud::kCharFlagRuns, ud::kCharFlagRunsCount, cp, ud::kCharFlagBits);
    return ud::kCharFlagRuns[run] & ((1u << ud::kCharFlagBits) - 1);
}

uint8_t combining_class(char32_t cp) {
    if (cp < 0x300 || cp > kMaxCodePoint) return 0;
    const size_t run = find_run(ud::kCombiningClassRuns, ud::kCombiningClassRunsCount, cp, 8);
    return static_cast<uint8_t>(ud::kCombiningClassRuns[run] & 0xFF);
}

std::u32string to_lower(std::u32string_view text) {
    std::u32string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] == kCapitalSigma) {
            out.push_back(is_final_sigma(text, i) ? kFinalSigma : kSmallSigma);
        } else {
            append_lower(text[i], out);
        }
    }
    return out;
}

std::u32string nfd(std::u32string_view text) {
    std::u32string out;
    out.reserve(text.size());
    for (char32_t cp : text) {
        if (cp < 0xC0) {
            out.push_back(cp);
        } else {
            append_decomposed(cp, out);
        }
    }
    // Canonical ordering: a stable sort by combining class of each run of non-starters.
    size_t i = 0;
    while (i < out.size()) {
        if (combining_class(out[i]) == 0) {
            ++i;
            continue;
        }
        size_t end = i;
        while (end < out.size() && combining_class(out[end]) != 0) ++end;
        std::stable_sort(out.begin() + static_cast<std::ptrdiff_t>(i), out.begin() + static_cast<std::ptrdiff_t>(end),
                         [](char32_t a, char32_t b) { return combining_class(a) < combining_class(b); });
        i = end;
    }
    return out;
}

std::u32string nfc(std::u32string_view text) {
    std::u32string s = nfd(text);
    if (s.empty()) return s;
    // Canonical composition (Unicode 3.11): each character joins the last starter unless blocked.
    size_t starter = 0;
    int last_class = combining_class(s[0]) == 0 ? 0 : 256;
    size_t out = 1;
    for (size_t i = 1; i < s.size(); ++i) {
        const char32_t cp = s[i];
        const int cc = combining_class(cp);
        const bool blocked = last_class == 256 || (last_class != 0 && last_class >= cc) ||
                             (last_class == 0 && out != starter + 1);
        const char32_t composite = blocked ? 0 : compose(s[starter], cp);
        if (composite != 0) {
            s[starter] = composite;
            continue;
        }
        if (cc == 0) {
            starter = out;
            last_class = 0;
        } else {
            last_class = cc;
        }
        s[out++] = cp;
    }
    s.resize(out);
    return s;
}

}  // namespace gitcap::unicode
