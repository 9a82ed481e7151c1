"""Writes test/fixtures/tokenizer-extra.json: edge cases for the BERT tokenizer beyond the goldens,
with the expectations of the reference tokenizer (BertTok in /work/shared/reference/ref_git.py).

    /usr/bin/python3 test/tools/gen-tokenizer-extra.py [--reference DIR]
    python3 test/tools/gen-tokenizer-extra.py --check-transformers   # where transformers is installed

Python 3.11 (Unicode 14.0.0), like the goldens. Inputs that are not Unicode text are given as
`bytes_hex` (decoded with errors="replace", which is what the tokenizer defines for bad UTF-8).

The target is transformers' Python BertTokenizer: in transformers 5.x that is
BertTokenizerLegacy (5.x's BertTokenizer is the Rust one). The reference lower-cases each part of
the text between special tokens before removing control characters, where transformers lower-cases
each word after that. The two differ only when a removed character sits next to a capital sigma or
inside a special token; for those inputs the expectation is transformers' output, listed in
TRANSFORMERS_RESULTS (transformers 5.17.0). --check-transformers compares the written file with the
installed transformers. (transformers 4.x lower-cases the text one character at a time, so it
never writes a final sigma: "ΣΑΣ" gives σ ##α ##σ there, against the goldens' σ ##α ##ς.)
"""
import argparse
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "fixtures", "tokenizer-extra.json")
VOCAB = os.path.join(HERE, "..", "fixtures", "tiny-image", "vocab.txt")

LONG_SUBWORDS = "unbelievable" * 8 + "able"  # 100 characters that split into known pieces

ENCODE = [
    # long words: the limit is 100 code points, counted before WordPiece
    "x" * 100, "x" * 101, "ab" * 50, "ab" * 50 + "c", LONG_SUBWORDS, LONG_SUBWORDS + "s",
    "é" * 100 + " é" * 3, "e\u0301" * 60, "word-" * 30, "中" * 120, "😀" * 101,
    # mixed scripts
    "Ελληνικά κείμενα", "Привет, мир!", "مرحبا بالعالم", "שָׁלוֹם", "हिन्दी भाषा", "ภาษาไทย",
    "東京タワーへ行く", "한국어 텍스트", "Ǆemal ǅuro ǆak", "ქართული ᲐᲑᲒ", "ᏣᎳᎩ", "𝐀𝐁𝐂 𝔸𝔹",
    "latin中文mixed日本語text", "abc\u0663\u0664\u0665 ١٢٣",
    # emoji
    "👍🏽 thumbs", "👨\u200d👩\u200d👧 family", "🇫🇷 flag", "❤\ufe0f heart", "a😀b", "😀", "#️⃣ keycap",
    # combining marks
    "e\u0301", "a\u0308\u0301", "\u0301alone", "\u0301", "Z\u0324\u0354\u0367\u0311\u0313a\u0308\u0356", "o\u0338",
    "\u1100\u1161\u11a8", "\u0915\u094d\u0937", "\u05e9\u05c1\u05b8", "Ǖ", "ǖ", "A\u030a vs Å vs Å",
    # control characters and NUL
    "\x01\x02text\x7f", "nul\x00in\x00middle", "\x00", "\x00\x00 \x00", "a\u200bb", "a\u00adb", "bidi\u202eoverride",
    "\ufeffBOM", "\u2060joiner", "tab\x0bvt\x0cff", "\x1cfs\x1dgs\x1e\x1f", "nel\x85here", "del\x7f", "\x9bcsi",
    "private\ue000use", "unassigned\u0378here", "replacement\ufffd\ufffd", "\ufffd",
    # special tokens written in the text
    "a[SEP]b", "[CLS][SEP]", "[SEP][SEP]", "x[MASK]y", "[[SEP]]", "[SEP", "SEP]", "[Sep]", "[sep]", "[SEP]s",
    "don't[SEP]", "[UNK]word", "[PAD]", "[MASK].", "[ SEP ]", "[CLS]Hello[SEP]World[SEP]", "[UNK][UNK]",
    "[SEP]\u200b[CLS]", "\u200b[SEP]", "[SEP]ΣΑΣ", "ΣΑΣ[SEP]", "ß[MASK]İ", "[[CLS]", "[CLS]]", "[MASK][MASK",
    "[unused0][SEP]", "##[SEP]##", "[SE\u00adP]", "[SE\x00P]", "[SE\ufffdP]", "[SEP\u0301]",
    # whitespace
    "\u3000ideographic\u3000space\u3000", "a\u2028b\u2029c", "em\u2003space", "nbsp\u00a0x", "thin\u2009x",
    "\u180emongolian\u180e", "hair\u200ax", "\u1680ogham\u1680", "narrow\u202fx", "math\u205fx", "\t\n\r mixed \r\n\t",
    "   leading", "trailing   ", " ", "\n", "\u2028", "\u2028\u2029",
    # Greek final sigma (str.lower() looks at neighbouring letters, skipping case-ignorable ones)
    "ΟΔΟΣ.", "ΣΑΣ's", "ΑΣ\u0301Σ", "Σ", "ΣΣ", "aΣ", "ΑΣ-ΒΣ", "ὈΔΥΣΣΕΎΣ", "ΣΑΣ\u00adΑ", "ΑΣ\u00ad", "ΑΣ\u0345",
    "ΑΣ'Α", "ΑΣ.Α", "ΑΣ1", "1Σ", "ΑΣ\u200b", "Σ\u0301", "ΑΣ\u2028Α", "ΑΣ中", "A\x00Σ", "A\ufffdΣ", "ΑΣ\x00Α", "ΑΣ\x00",
    # Turkish dotted and dotless I
    "İ", "İSTANBUL", "ı", "I", "Iİ", "i\u0307", "İ\u0301", "DİYARBAKIR",
    # German sharp s
    "ß", "STRASSE straße", "ẞ", "Maß", "GROẞ",
    # ligatures and compatibility characters (NFC keeps them; only NFKC would not)
    "ﬁ", "ﬂ", "ﬀ", "ﬆ", "Œuvre", "ĳ Ĳ", "ﬁne ﬂow", "K Kelvin", "Ω Ohm", "Å Angstrom", "①②", "ＡＢＣ",
    "x²", "½", "™", "ℌ", "㎏",
    # punctuation BERT splits on (ASCII symbols and Unicode P*) and symbols it does not
    "a^b`c$d", "«quoted»", "¿qué?", "a·b", "a‐b", "x©y", "a+b=c", "50€", "→", "a…b", "1.5", "e.g.", "U.S.A.",
    "snake_case", "#hashtag", "@mention", "http://example.com/a?b=c&d=e",
    # ordinary text
    "A dog is running on the beach.", "Two people riding bicycles down a street!",
    "What color is the car?", "THE QUICK BROWN FOX", "It's a dog's life, isn't it?",
]

# Not Unicode text: the bytes go in as they are.
ENCODE_BYTES = [
    b"ab\xffcd", b"\xff\xfe", b"caf\xc3", b"\xed\xa0\x80x", b"\xf0\x9f\x98 emoji", b"a\xe2\x82z", b"\xc0\xafslash",
    b"\xf4\x90\x80\x80beyond", b"ok \x80 ok", b"[SE\xffP]", "naïve".encode("latin-1"),
]

LOWER_CASE_OFF = ["Café NAÏVE", "ΣΑΣ Straße", "Hello [SEP] World", "[sep] [SEP]", "e\u0301cole", "İI"]

DECODE = [
    [], [101, 102], [0, 0, 0], [100], [103], [101, 100, 102],
    [2009, 1005, 1055], [2009, 1005, 1005, 1055], [1005, 1005, 1005], [1005], [1045, 1005, 1049],
    [2123, 1005, 1056], [2079, 1050, 1005, 1056], [1050, 1005, 1056], [2057, 1005, 2310], [2017, 1005, 2128],
    [1012, 1012, 1012], [7592, 1012, 1029, 999, 1010], [1010, 7592], [1012],
    [2015], [2015, 2015], [7592, 2015, 2075], [101, 2015, 102], [7592, 101, 2015], [7592, 0, 2015],
    [1001, 1001], [1001, 2015], [7592, 1001, 1001, 7592],
    [-1, 7592, 30522, 99999], [1, 2, 3, 999], [999, 1, 1010, 2],
    [1000, 7592, 1000], [1006, 7592, 1007], [7592, 1011, 2088], [2023, 2003, 1037, 3231, 1012, 2009, 1005, 1055, 2204, 999],
]

# transformers' results where the reference differs (see the module docstring).
TRANSFORMERS_RESULTS = {
    "[SE\u00adP]": ["[SEP]"],  # the removed soft hyphen leaves a word that is a special token
    "[SE\x00P]": ["[SEP]"],
    "[SE\ufffdP]": ["[SEP]"],  # also the bytes b"[SE\xffP]"
    "A\x00\u03a3": ["a", "##\u03c2"],  # the sigma ends the word "A\u03a3" once NUL is gone
    "A\ufffd\u03a3": ["a", "##\u03c2"],
    "\u0391\u03a3\x00\u0391": ["\u03b1", "##\u03c3", "##\u03b1"],  # mid-word once NUL is gone
}


def load_reference(path):
    sys.path.insert(0, path)
    import ref_git  # noqa: E402

    return ref_git


def cases(ref_git):
    tok = ref_git.BertTok(VOCAB)
    lower_off = ref_git.BertTok(VOCAB, do_lower_case=False)
    encode = []
    for text in ENCODE:
        encode.append({"text": text, **expect(tok, text)})
    for raw in ENCODE_BYTES:
        encode.append({"bytes_hex": raw.hex(), **expect(tok, raw.decode("utf-8", "replace"))})
    for text in LOWER_CASE_OFF:
        encode.append({"text": text, "options": {"doLowerCase": False}, **expect(lower_off, text)})
    decode = []
    for ids in DECODE:
        decode.append({"ids": ids, **{name: tok.decode(ids, skip, clean) for name, skip, clean in DECODE_VARIANTS}})
    return encode, decode


DECODE_VARIANTS = [("skip_special", True, True), ("skip_special_no_cleanup", True, False),
                   ("keep_special", False, True), ("keep_special_no_cleanup", False, False)]


def expect(tok, text):
    key = text
    if key in TRANSFORMERS_RESULTS:
        tokens = TRANSFORMERS_RESULTS[key]
        return {"tokens": tokens, "ids": [tok.vocab[t] for t in tokens], "source": "transformers"}
    return {"tokens": tok.tokenize(text), "ids": tok.encode(text, add_special_tokens=False)}


def check_transformers(encode, decode):
    """Compare with the installed transformers' Python BertTokenizer."""
    import transformers

    try:
        from transformers.models.bert.tokenization_bert_legacy import BertTokenizerLegacy as Slow
    except ImportError:
        from transformers import BertTokenizer as Slow
    print("transformers", transformers.__version__, Slow.__name__)
    slow = {True: Slow(VOCAB, do_lower_case=True), False: Slow(VOCAB, do_lower_case=False)}
    bad = 0
    for case in encode:
        text = case["text"] if "text" in case else bytes.fromhex(case["bytes_hex"]).decode("utf-8", "replace")
        tok = slow[case.get("options", {}).get("doLowerCase", True)]
        got = tok.tokenize(text)
        ids = tok.encode(text, add_special_tokens=False)
        if got != case["tokens"] or ids != case["ids"]:
            bad += 1
            print("ENCODE", json.dumps(text), "transformers:", json.dumps(got, ensure_ascii=False),
                  "fixture:", json.dumps(case["tokens"], ensure_ascii=False))
    for case in decode:
        for name, skip, clean in DECODE_VARIANTS:
            got = slow[True].decode(case["ids"], skip_special_tokens=skip, clean_up_tokenization_spaces=clean)
            if got != case[name]:
                bad += 1
                print("DECODE", case["ids"], name, json.dumps(got), "fixture:", json.dumps(case[name]))
    print(f"{len(encode)} encode and {len(decode)} decode cases, {bad} differences")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--reference", default="/work/shared/reference")
    parser.add_argument("--check-transformers", action="store_true")
    args = parser.parse_args()
    if args.check_transformers:
        with open(OUT, encoding="utf-8") as f:
            data = json.load(f)
        check_transformers(data["encode"], data["decode"])
        return
    encode, decode = cases(load_reference(args.reference))
    data = {
        "about": "Edge cases for the BERT tokenizer; written by test/tools/gen-tokenizer-extra.py. ids exclude "
                 "[CLS]/[SEP]. bytes_hex inputs are raw UTF-8 (possibly ill-formed). Decode variants: "
                 "skip_special = skip_special_tokens, no_cleanup = clean_up_tokenization_spaces off.",
        "encode": encode,
        "decode": decode,
    }
    text = json.dumps(data, ensure_ascii=False, indent=1)
    with open(OUT, "w", encoding="utf-8") as f:
        f.write(text + "\n")
    print(f"{OUT}: {len(encode)} encode, {len(decode)} decode cases")


if __name__ == "__main__":
    main()
