// Unicode 14.0.0 tables the BERT tokenizer needs, as Python 3.11 sees them.
// The data lives in unicode_data.cpp, written by native/scripts/gen-unicode-data.py.
// unicode_text.h wraps them in lookups; use that instead of the arrays.
#pragma once

#include <cstddef>
#include <cstdint>

namespace gitcap::unicode_data {

// Bits of the per-code-point flags.
enum CharFlag : uint32_t {
    kControl = 1u << 0,         // category C* (Cc, Cf, Cn, Co, Cs)
    kSpaceSeparator = 1u << 1,  // category Zs
    kPunctuation = 1u << 2,     // BERT: ASCII non-alphanumeric printable, or category P*
    kNonspacingMark = 1u << 3,  // category Mn
    kPythonSpace = 1u << 4,     // str.isspace(): where str.split() and str.strip() cut
    kCased = 1u << 5,           // cased and not case-ignorable (what the final-sigma rule sees)
    kCaseIgnorable = 1u << 6,
};
constexpr unsigned kCharFlagBits = 11;

// (first code point of a run << kCharFlagBits) | flags, ascending; runs cover 0..0x10FFFF.
extern const uint32_t kCharFlagRuns[];
extern const size_t kCharFlagRunsCount;

// (first code point of a run << 8) | canonical combining class, ascending.
extern const uint32_t kCombiningClassRuns[];
extern const size_t kCombiningClassRunsCount;

// str.lower() of single code points that map to one other code point:
// first, first + stride, ... (count of them) each map to itself + delta. Ascending by first.
// U+03A3 (capital sigma) is absent: its lower case depends on the context.
struct LowerRun {
    uint32_t first;
    uint16_t count;
    uint8_t stride;
    int32_t delta;
};
extern const LowerRun kLowerRuns[];
extern const size_t kLowerRunsCount;

// str.lower() of code points that map to several code points (zero-padded).
struct LowerExpansion {
    uint32_t code_point;
    uint32_t lower[3];
};
extern const LowerExpansion kLowerExpansions[];
extern const size_t kLowerExpansionsCount;

// One-level canonical decompositions (second = 0 for singletons), ascending by code point.
// Hangul syllables are not listed: they decompose arithmetically.
// `composes` marks primary composites, the pairs canonical composition puts back together.
struct Decomposition {
    uint32_t code_point;
    uint32_t first;
    uint32_t second;
    uint32_t composes;
};
extern const Decomposition kDecompositions[];
extern const size_t kDecompositionsCount;

// Indexes into kDecompositions of the primary composites, sorted by (first, second).
extern const uint16_t kCompositionOrder[];
extern const size_t kCompositionOrderCount;

}  // namespace gitcap::unicode_data
