// The BERT tokenizer (native/src/tokenizer.*, native/addon/tokenizer.cpp) against the slow Python
// BertTokenizer: the goldens, the edge cases of fixtures/tokenizer-extra.json (made by
// test/tools/gen-tokenizer-extra.py), streaming decode, and argument errors.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { GitcapError } from '../../core/errors.js';
import { callNative } from '../../lib/native/binding.js';
import type { RawDecodeOptions, RawTokenizer, RawTokenizerOptions } from '../../lib/native/tokenizer-types.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');
const readJson = (file: string): unknown => JSON.parse(fs.readFileSync(path.join(fixtures, file), 'utf8'));

interface GoldenEncode {
  text: string;
  tokens: string[];
  ids_with_special: number[];
  ids_no_special: number[];
  decoded_skip_special: string;
  decoded_skip_special_no_cleanup: string;
  decoded_keep_special: string;
}
interface GoldenDecode {
  ids: number[];
  decoded_skip_special: string;
  decoded_skip_special_no_cleanup: string;
  decoded_keep_special: string;
}
interface GoldenCase {
  generated_ids: number[];
  decoded: string;
  decoded_no_cleanup: string;
  decoded_keep_special: string;
  hf_default_max_length20: { generated_ids: number[]; decoded: string };
}
interface Goldens {
  tokenizer: { encode: GoldenEncode[]; decode: GoldenDecode[] };
  cases: Record<string, GoldenCase>;
}
interface ExtraEncode {
  text?: string;
  bytes_hex?: string;
  options?: RawTokenizerOptions;
  tokens: string[];
  ids: number[];
}
interface ExtraDecode {
  ids: number[];
  skip_special: string;
  skip_special_no_cleanup: string;
  keep_special: string;
  keep_special_no_cleanup: string;
}

const goldens = readJson('goldens/goldens.json') as Goldens;
const extra = readJson('tokenizer-extra.json') as { encode: ExtraEncode[]; decode: ExtraDecode[] };

/** vocab.txt as transformers' load_vocab reads it: one token per line, "\n" removed. */
function readVocab(): string[] {
  const lines = fs.readFileSync(path.join(fixtures, 'tiny-image', 'vocab.txt'), 'utf8').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

const vocab = readVocab();

function createTokenizer(words: string[] = vocab, options?: RawTokenizerOptions): RawTokenizer {
  return callNative((addon) => new addon.Tokenizer(words, options));
}

const bert = createTokenizer();
const bertCased = createTokenizer(vocab, { doLowerCase: false });

const SKIP: RawDecodeOptions = { skipSpecialTokens: true, cleanUpTokenizationSpaces: true };
const SKIP_NO_CLEANUP: RawDecodeOptions = { skipSpecialTokens: true, cleanUpTokenizationSpaces: false };
const KEEP: RawDecodeOptions = { skipSpecialTokens: false, cleanUpTokenizationSpaces: true };
const KEEP_NO_CLEANUP: RawDecodeOptions = { skipSpecialTokens: false, cleanUpTokenizationSpaces: false };
const ALL_DECODE_OPTIONS = [SKIP, SKIP_NO_CLEANUP, KEEP, KEEP_NO_CLEANUP];

/** Calls the addon so that its errors arrive as GitcapErrors. */
function native<T>(fn: () => T): T {
  return callNative(() => fn());
}

function assertInvalidArg(fn: () => unknown, message: string): void {
  assert.throws(
    () => native(fn),
    (err: unknown) => err instanceof GitcapError && err.code === 'E_INVALID_ARG' && err.message === message,
  );
}

describe('tokenizer goldens', () => {
  it(`encodes all ${goldens.tokenizer.encode.length} golden texts exactly`, () => {
    assert.equal(goldens.tokenizer.encode.length, 42);
    for (const g of goldens.tokenizer.encode) {
      assert.deepEqual(Array.from(bert.encode(g.text)), g.ids_with_special, g.text);
      assert.deepEqual(Array.from(bert.encode(g.text, false)), g.ids_no_special, g.text);
      assert.deepEqual(bert.tokens(g.text), g.tokens, g.text);
      assert.equal(bert.decode(g.ids_with_special, SKIP), g.decoded_skip_special, g.text);
      assert.equal(bert.decode(g.ids_with_special, SKIP_NO_CLEANUP), g.decoded_skip_special_no_cleanup, g.text);
      assert.equal(bert.decode(g.ids_with_special, KEEP), g.decoded_keep_special, g.text);
    }
  });

  it(`decodes all ${goldens.tokenizer.decode.length} golden id sequences exactly`, () => {
    assert.equal(goldens.tokenizer.decode.length, 8);
    for (const g of goldens.tokenizer.decode) {
      assert.equal(bert.decode(g.ids, SKIP), g.decoded_skip_special);
      assert.equal(bert.decode(g.ids, SKIP_NO_CLEANUP), g.decoded_skip_special_no_cleanup);
      assert.equal(bert.decode(g.ids, KEEP), g.decoded_keep_special);
    }
  });

  it('decodes the generated ids of every golden caption case', () => {
    const cases = Object.entries(goldens.cases);
    assert.equal(cases.length, 13);
    for (const [name, c] of cases) {
      assert.equal(bert.decode(c.generated_ids), c.decoded, name);
      assert.equal(bert.decode(c.generated_ids, SKIP_NO_CLEANUP), c.decoded_no_cleanup, name);
      assert.equal(bert.decode(c.generated_ids, KEEP_NO_CLEANUP), c.decoded_keep_special, name);
      assert.equal(bert.decode(c.hf_default_max_length20.generated_ids), c.hf_default_max_length20.decoded, name);
    }
  });

  it('decodes with skipSpecialTokens and clean-up on by default', () => {
    const ids = [101, 2009, 1005, 1055, 1012, 102];
    assert.equal(bert.decode(ids), "it's.");
    assert.equal(bert.decode(new Int32Array(ids)), "it's.");
    assert.equal(bert.decode(ids, {}), bert.decode(ids, SKIP));
  });
});

describe('tokenizer edge cases (fixtures/tokenizer-extra.json)', () => {
  it(`encodes all ${extra.encode.length} texts as the slow tokenizer does`, () => {
    assert.ok(extra.encode.length >= 200);
    for (const c of extra.encode) {
      const input = c.text ?? Buffer.from(c.bytes_hex ?? '', 'hex');
      const label = JSON.stringify(c.text ?? c.bytes_hex);
      const tok = c.options?.doLowerCase === false ? bertCased : bert;
      assert.deepEqual(tok.tokens(input), c.tokens, label);
      assert.deepEqual(Array.from(tok.encode(input, false)), c.ids, label);
      assert.deepEqual(Array.from(tok.encode(input)), [101, ...c.ids, 102], label);
    }
  });

  it(`decodes all ${extra.decode.length} id sequences in the four option combinations`, () => {
    for (const c of extra.decode) {
      assert.equal(bert.decode(c.ids, SKIP), c.skip_special, JSON.stringify(c.ids));
      assert.equal(bert.decode(c.ids, SKIP_NO_CLEANUP), c.skip_special_no_cleanup, JSON.stringify(c.ids));
      assert.equal(bert.decode(c.ids, KEEP), c.keep_special, JSON.stringify(c.ids));
      assert.equal(bert.decode(c.ids, KEEP_NO_CLEANUP), c.keep_special_no_cleanup, JSON.stringify(c.ids));
    }
  });

  it('reads a lone surrogate as U+FFFD, which BERT drops', () => {
    assert.deepEqual(bert.tokens('a\ud800b'), bert.tokens('ab'));
    assert.deepEqual(bert.tokens('\udc00'), []);
  });

  it('takes UTF-8 bytes as well as strings', () => {
    const text = 'Café, naïve ΣΑΣ [SEP] 中文';
    assert.deepEqual(Array.from(bert.encode(Buffer.from(text, 'utf8'))), Array.from(bert.encode(text)));
    assert.deepEqual(bert.tokens(new TextEncoder().encode(text)), bert.tokens(text));
  });
});

describe('streaming decode', () => {
  const sequences: number[][] = [
    ...Object.values(goldens.cases).flatMap((c) => [c.generated_ids, c.hf_default_max_length20.generated_ids]),
    ...goldens.tokenizer.decode.map((g) => g.ids),
    ...goldens.tokenizer.encode.map((g) => g.ids_with_special),
    ...extra.decode.map((c) => c.ids),
  ];

  it(`pieces concatenate to decode() for ${sequences.length} sequences and every option combination`, () => {
    for (const ids of sequences) {
      for (const options of ALL_DECODE_OPTIONS) {
        const pieces = bert.decodePieces(ids, options);
        assert.equal(pieces.length, ids.length + 1);
        assert.equal(pieces.join(''), bert.decode(ids, options), `${JSON.stringify(ids)} ${JSON.stringify(options)}`);
      }
    }
  });

  it('emits each word as soon as no later token can change it', () => {
    // "It's a dog's toy." : " '" waits for the next token, which turns " ' s" into "'s".
    const ids = [101, 2009, 1005, 1055, 1037, 3899, 1005, 1055, 9121, 1012, 102];
    assert.deepEqual(bert.decodePieces(ids), ['', 'it', '', "'s", ' a', ' dog', '', "'s", ' toy', '.', '', '']);
    assert.deepEqual(bert.decodePieces(ids, KEEP_NO_CLEANUP), [
      '[CLS]',
      ' it',
      " '",
      ' s',
      ' a',
      ' dog',
      " '",
      ' s',
      ' toy',
      ' .',
      ' [SEP]',
      '',
    ]);
    // "##" continuations join the word before them; "n't" pulls its space away.
    assert.deepEqual(bert.decodePieces([2377, 2075, 2123, 1005, 1056]), ['play', 'ing', ' don', '', "'t", '']);
    assert.deepEqual(bert.decodePieces([2079, 1050, 1005, 1056]), ['do', '', '', "n't", '']);
  });

  it('keeps multi-byte characters whole', () => {
    const ids = Array.from(bert.encode('naïve ΣΑΣ 中文 日本語'));
    const pieces = bert.decodePieces(ids);
    assert.equal(pieces.join(''), 'naive σας 中 文 日 本 語');
    assert.ok(pieces.every((p) => !p.includes('\ufffd')));
  });
});

describe('tokenizer options and vocabulary', () => {
  const small = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'a', '##b', 'ab', 'é', 'A', '中', '文', '中文', ',', 'a'];

  it('finds the special tokens by name, or takes the ids given', () => {
    assert.deepEqual(createTokenizer(small).specialIds, { cls: 2, sep: 3, pad: 0, unk: 1, mask: 4 });
    assert.deepEqual(bert.specialIds, { cls: 101, sep: 102, pad: 0, unk: 100, mask: 103 });
    const custom = createTokenizer(['<u>', '<s>', '</s>', 'x'], { unkId: 0, clsId: 1, sepId: 2 });
    assert.deepEqual(custom.specialIds, { cls: 1, sep: 2, pad: -1, unk: 0, mask: -1 });
    assert.deepEqual(Array.from(custom.encode('x y')), [1, 3, 0, 2]);
    assert.equal(custom.decode([1, 3, 0, 2]), 'x');
    assert.equal(custom.decode([1, 3, 0, 2], KEEP), '<s> x <u> </s>');
  });

  it('keeps the last id of a token listed twice, as load_vocab does', () => {
    assert.deepEqual(Array.from(createTokenizer(small).encode('a', false)), [14]);
  });

  it('maps ids outside the vocabulary to the [UNK] text without skipping them', () => {
    assert.equal(bert.piece(-1), '[UNK]');
    assert.equal(bert.piece(30522), '[UNK]');
    assert.equal(bert.piece(1037), 'a');
    assert.equal(bert.vocabSize, 30522);
    assert.equal(bert.decode([1037, 30522, -7]), 'a [UNK] [UNK]');
  });

  it('follows doLowerCase, stripAccents, tokenizeChineseChars and maxInputCharsPerWord', () => {
    assert.deepEqual(createTokenizer(small).tokens('Ab, É 中文'), ['ab', ',', '[UNK]', '中', '文']);
    assert.deepEqual(createTokenizer(small, { doLowerCase: false }).tokens('Ab é'), ['A', '##b', 'é']);
    assert.deepEqual(createTokenizer(small, { doLowerCase: false, stripAccents: true }).tokens('é A'), ['[UNK]', 'A']);
    assert.deepEqual(createTokenizer(small, { stripAccents: false }).tokens('É'), ['é']);
    assert.deepEqual(createTokenizer(small, { stripAccents: null }).tokens('É'), ['[UNK]']);
    assert.deepEqual(createTokenizer(small, { tokenizeChineseChars: false }).tokens('中文'), ['中文']);
    assert.deepEqual(createTokenizer(small, { maxInputCharsPerWord: 2 }).tokens('ab abb'), ['ab', '[UNK]']);
    assert.deepEqual(createTokenizer(small).tokens('abb'), ['ab', '##b']);
  });

  it('rejects a vocabulary it cannot use', () => {
    assertInvalidArg(() => createTokenizer([]), 'The tokenizer vocabulary is empty');
    assertInvalidArg(() => createTokenizer(['[CLS]', '[SEP]']), 'The vocabulary has no [UNK] token');
    assertInvalidArg(() => createTokenizer(['[UNK]', '[SEP]']), 'The vocabulary has no [CLS] token');
    assertInvalidArg(
      () => createTokenizer(small, { clsId: 15 }),
      'The id of [CLS] (15) is outside the vocabulary of 15 tokens',
    );
  });

  it('rejects arguments of the wrong type with a message that names them', () => {
    const Tokenizer = callNative((addon) => addon.Tokenizer);
    const loose = Tokenizer as unknown as new (...args: unknown[]) => RawTokenizer;
    const tok = bert as unknown as Record<string, (...args: unknown[]) => unknown>;
    assertInvalidArg(() => new loose('vocab'), 'Expected an array of strings for vocab but received a string');
    assertInvalidArg(() => new loose(['a', 1]), 'Expected a string for vocab[1] but received 1 of type number');
    assertInvalidArg(() => new loose(small, null), 'Expected an object for options but received null');
    assertInvalidArg(
      () => new loose(small, { doLowerCase: 'yes' }),
      'Expected a boolean for options.doLowerCase but received a string',
    );
    assertInvalidArg(
      () => new loose(small, { stripAccents: 0 }),
      'Expected a boolean or null for options.stripAccents but received 0 of type number',
    );
    assertInvalidArg(
      () => new loose(small, { maxInputCharsPerWord: 0 }),
      'Expected a positive integer for options.maxInputCharsPerWord but received 0 of type number',
    );
    assertInvalidArg(
      () => new loose(small, { unkId: -2 }),
      'Expected -1 or a token id for options.unkId but received -2 of type number',
    );
    assertInvalidArg(
      () => tok.encode!.call(bert, 42),
      'Expected a string or a Uint8Array of UTF-8 for text but received 42 of type number',
    );
    assertInvalidArg(
      () => tok.encode!.call(bert, 'a', 1),
      'Expected a boolean for addSpecialTokens but received 1 of type number',
    );
    assertInvalidArg(
      () => tok.tokens!.call(bert, undefined),
      'Expected a string or a Uint8Array of UTF-8 for text but received undefined',
    );
    assertInvalidArg(
      () => tok.decode!.call(bert, '101'),
      'Expected an array of integer token ids or an Int32Array for ids but received a string',
    );
    assertInvalidArg(
      () => tok.decode!.call(bert, [101, 1.5]),
      'Expected a 32-bit integer for ids[1] but received 1.5 of type number',
    );
    assertInvalidArg(
      () => tok.decode!.call(bert, [2 ** 31]),
      'Expected a 32-bit integer for ids[0] but received 2147483648 of type number',
    );
    assertInvalidArg(
      () => tok.decodePieces!.call(bert, [1], { cleanUpTokenizationSpaces: 1 }),
      'Expected a boolean for options.cleanUpTokenizationSpaces but received 1 of type number',
    );
    assertInvalidArg(() => tok.piece!.call(bert, 'x'), 'Expected a 32-bit integer for id but received a string');
  });
});
