#!/usr/bin/python3
"""Writes native/src/text/unicode_data.cpp: the Unicode tables the BERT tokenizer needs.

Every value comes from this Python's own `unicodedata` and `str` methods, so the C++ tokenizer
reproduces what the slow Python BertTokenizer does with them. Run with the Python whose behaviour
is the reference (3.11, Unicode 14.0.0):

    /usr/bin/python3 native/scripts/gen-unicode-data.py

The layout of the tables is described in native/src/text/unicode_data.h.
"""
import os
import sys
import unicodedata

EXPECTED_UNIDATA = "14.0.0"
CODE_POINTS = 0x110000
OUT_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "text", "unicode_data.cpp")

# Must match CharFlag in unicode_data.h.
CONTROL = 1 << 0  # category C* (Cc, Cf, Cn, Co, Cs)
SPACE_SEPARATOR = 1 << 1  # category Zs
PUNCTUATION = 1 << 2  # BERT's definition: ASCII non-alphanumeric printable, or category P*
NONSPACING_MARK = 1 << 3  # category Mn
PYTHON_SPACE = 1 << 4  # str.isspace(): what str.split() and str.strip() cut at
CASED = 1 << 5  # cased and not case-ignorable (the only case the final-sigma rule looks at)
CASE_IGNORABLE = 1 << 6
FLAG_BITS = 11


def is_bert_punctuation(cp, category):
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return category.startswith("P")


def sigma_context(ch):
    """(case_ignorable, cased) as str.lower()'s final-sigma rule sees `ch`.

    Python exposes neither property, so probe the rule itself: capital sigma becomes final
    (U+03C2) iff a cased letter precedes it and none follows, skipping case-ignorable ones.
    A character that is both cased and case-ignorable is always skipped, so it reads as
    (True, False), which is all the rule can observe.
    """
    cased_before = (ch + "\u03a3").lower()[-1] == "\u03c2"  # not ignorable and cased
    not_cased_after = ("A\u03a3" + ch).lower()[1] == "\u03c2"  # ignorable or not cased
    skipped_or_cased = ("A" + ch + "\u03a3").lower()[-1] == "\u03c2"  # ignorable or cased
    seen = (cased_before, not_cased_after, skipped_or_cased)
    if seen == (False, True, False):
        return (False, False)
    if seen == (True, False, True):
        return (False, True)
    if seen == (False, True, True):
        return (True, False)
    raise SystemExit(f"U+{ord(ch):04X}: unexpected final-sigma behaviour {seen}")


def char_flags(cp):
    ch = chr(cp)
    category = unicodedata.category(ch)
    flags = 0
    if category.startswith("C"):
        flags |= CONTROL
    if category == "Zs":
        flags |= SPACE_SEPARATOR
    if is_bert_punctuation(cp, category):
        flags |= PUNCTUATION
    if category == "Mn":
        flags |= NONSPACING_MARK
    if ch.isspace():
        flags |= PYTHON_SPACE
    ignorable, cased = sigma_context(ch)
    if cased:
        flags |= CASED
    if ignorable:
        flags |= CASE_IGNORABLE
    return flags


def runs(values):
    """[(start, value)] where value changes, over all code points."""
    out = []
    for cp, value in enumerate(values):
        if not out or out[-1][1] != value:
            out.append((cp, value))
    return out


def lower_tables():
    """Single-code-point mappings as (first, count, stride, delta) runs, plus the expansions."""
    singles, expansions = [], []
    for cp in range(CODE_POINTS):
        if cp == 0x03A3:
            continue  # capital sigma depends on its context; the C++ code handles it
        lowered = chr(cp).lower()
        if lowered == chr(cp):
            continue
        if len(lowered) == 1:
            singles.append((cp, ord(lowered) - cp))
        else:
            expansions.append((cp, [ord(c) for c in lowered]))
    groups = []
    for cp, delta in singles:
        if groups:
            g = groups[-1]
            step = cp - g["last"]
            if g["delta"] == delta and ((g["count"] == 1 and step in (1, 2)) or (g["count"] > 1 and step == g["stride"])):
                g["stride"] = step
                g["last"] = cp
                g["count"] += 1
                continue
        groups.append({"first": cp, "last": cp, "count": 1, "stride": 1, "delta": delta})
    return groups, expansions


def decomposition_tables():
    """One-level canonical decompositions (Hangul syllables excluded: they are computed)."""
    entries = []
    for cp in range(CODE_POINTS):
        if 0xAC00 <= cp <= 0xD7A3:
            continue
        raw = unicodedata.decomposition(chr(cp))
        if not raw or raw.startswith("<"):
            continue
        parts = [int(p, 16) for p in raw.split()]
        if len(parts) > 2:
            raise SystemExit(f"U+{cp:04X}: canonical decomposition longer than 2")
        # A primary composite: NFC puts it back together (composition exclusions do not).
        composes = len(parts) == 2 and unicodedata.normalize("NFC", chr(cp)) == chr(cp)
        entries.append((cp, parts[0], parts[1] if len(parts) == 2 else 0, composes))
    order = sorted((i for i, e in enumerate(entries) if e[3]), key=lambda i: (entries[i][1], entries[i][2]))
    return entries, order


def check_assumptions():
    """Facts the C++ code relies on; fail loudly if a future Unicode breaks one."""
    for cp in range(CODE_POINTS):
        ch = chr(cp)
        if ch.isspace():
            continue
        for derived in (ch.lower(), unicodedata.normalize("NFD", ch), unicodedata.normalize("NFC", ch)):
            if any(c.isspace() for c in derived):
                raise SystemExit(f"U+{cp:04X}: lower/NFD/NFC yields whitespace")
        if ch.lower().lower() != ch.lower():
            raise SystemExit(f"U+{cp:04X}: str.lower() is not idempotent")


def emit_array(lines, ctype, name, items, per_line):
    lines.append(f"const {ctype} {name}[] = {{")
    for i in range(0, len(items), per_line):
        lines.append("    " + ", ".join(items[i:i + per_line]) + ",")
    lines.append("};")
    lines.append(f"const size_t {name}Count = sizeof({name}) / sizeof({name}[0]);")
    lines.append("")


def main():
    if unicodedata.unidata_version != EXPECTED_UNIDATA:
        raise SystemExit(f"unicodedata {unicodedata.unidata_version}, expected {EXPECTED_UNIDATA}")
    check_assumptions()
    flag_runs = runs([char_flags(cp) for cp in range(CODE_POINTS)])
    ccc_runs = runs([unicodedata.combining(chr(cp)) for cp in range(CODE_POINTS)])
    lower_groups, expansions = lower_tables()
    decompositions, composition_order = decomposition_tables()
    if max(len(e[1]) for e in expansions) > 3:
        raise SystemExit("a lower-case expansion is longer than 3")

    lines = [
        "// Unicode 14.0.0 tables for the BERT tokenizer (Python 3.11 unicodedata and str.lower()).",
        "// Written by native/scripts/gen-unicode-data.py; do not edit, run the script instead.",
        '#include "text/unicode_data.h"',
        "",
        "namespace gitcap::unicode_data {",
        "",
    ]
    emit_array(lines, "uint32_t", "kCharFlagRuns",
               [f"0x{(start << FLAG_BITS) | flags:x}" for start, flags in flag_runs], 8)
    emit_array(lines, "uint32_t", "kCombiningClassRuns",
               [f"0x{(start << 8) | ccc:x}" for start, ccc in ccc_runs], 8)
    emit_array(lines, "LowerRun", "kLowerRuns",
               [f"{{0x{g['first']:x}, {g['count']}, {g['stride']}, {g['delta']}}}" for g in lower_groups], 4)
    emit_array(lines, "LowerExpansion", "kLowerExpansions",
               ["{0x%x, {%s}}" % (cp, ", ".join(f"0x{c:x}" for c in out + [0] * (3 - len(out))))
                for cp, out in expansions], 2)
    emit_array(lines, "Decomposition", "kDecompositions",
               [f"{{0x{cp:x}, 0x{a:x}, 0x{b:x}, {int(c)}}}" for cp, a, b, c in decompositions], 4)
    emit_array(lines, "uint16_t", "kCompositionOrder", [str(i) for i in composition_order], 16)
    lines.append("}  // namespace gitcap::unicode_data")
    with open(OUT_PATH, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    print(f"{OUT_PATH}: {len(flag_runs)} flag runs, {len(ccc_runs)} combining-class runs, "
          f"{len(lower_groups)} lower-case runs, {len(expansions)} expansions, "
          f"{len(decompositions)} decompositions, {len(composition_order)} compositions", file=sys.stderr)


if __name__ == "__main__":
    main()
