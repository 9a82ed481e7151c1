import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readTokenizer } from '../../weights-convert/tokenizer.js';
import { TINY_VATEX, tempDir } from './helpers.js';

describe('tokenizer files', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  before(async () => (dir = await tempDir()));
  after(() => dir.remove());

  async function folder(name: string, files: Record<string, string | Buffer>): Promise<string> {
    const path = join(dir.path, name);
    await mkdir(path, { recursive: true });
    for (const [f, content] of Object.entries(files)) await writeFile(join(path, f), content);
    return path;
  }

  it('reads vocab.txt with tokenizer_config.json: BertTokenizer options and special ids', async () => {
    const t = await readTokenizer(TINY_VATEX);
    assert.equal(t.tokens.length, 30522);
    assert.deepEqual(t.tokens.slice(99, 105), ['[unused98]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', '[unused99]']);
    assert.equal(t.tokens[30521], '##～');
    assert.deepEqual(
      [t.doLowerCase, t.stripAccents, t.tokenizeChineseChars, t.maxInputCharsPerWord, t.unkId, t.sepId, t.clsId, t.maskId],
      [true, true, true, 100, 100, 102, 101, 103],
    );
  });

  it('reads the same vocabulary from tokenizer.json alone', async () => {
    const path = join(dir.path, 'json-only');
    await mkdir(path);
    await copyFile(join(TINY_VATEX, 'tokenizer.json'), join(path, 'tokenizer.json'));
    const fromJson = await readTokenizer(path);
    const fromTxt = await readTokenizer(TINY_VATEX);
    assert.deepEqual(fromJson, fromTxt);
  });

  it('takes options from the normalizer unless tokenizer_config.json sets them, even to null', async () => {
    const json = JSON.parse(await readFile(join(TINY_VATEX, 'tokenizer.json'), 'utf8'));
    json.normalizer = { type: 'BertNormalizer', lowercase: false, strip_accents: false, handle_chinese_chars: false };
    json.model.max_input_chars_per_word = 50;
    const text = JSON.stringify(json);
    const cased = await readTokenizer(await folder('cased', { 'tokenizer.json': text }));
    assert.deepEqual([cased.doLowerCase, cased.stripAccents, cased.tokenizeChineseChars, cased.maxInputCharsPerWord], [false, false, false, 50]);
    const config = JSON.stringify({ do_lower_case: true, strip_accents: null });
    const lowered = await readTokenizer(await folder('cfg', { 'tokenizer.json': text, 'tokenizer_config.json': config }));
    assert.deepEqual([lowered.doLowerCase, lowered.stripAccents, lowered.tokenizeChineseChars], [true, true, false]);
  });

  it('splits vocab.txt lines on \\n, \\r\\n and \\r like Python text mode, keeping other spaces', async () => {
    const t = await readTokenizer(await folder('crlf', { 'vocab.txt': '[PAD]\r\n[UNK]\r[CLS]\n[SEP]\n[MASK]\n a \n\n' }));
    assert.deepEqual(t.tokens, ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', ' a ', '']);
  });

  it('reads special tokens written as AddedToken objects', async () => {
    const t = await readTokenizer(await folder('added', {
      'vocab.txt': '<pad>\n<unk>\n<s>\n</s>\n<mask>\n',
      'special_tokens_map.json': JSON.stringify({ unk_token: { content: '<unk>' }, sep_token: '</s>', cls_token: '<s>', mask_token: { content: '<mask>' } }),
    }));
    assert.deepEqual([t.unkId, t.sepId, t.clsId, t.maskId], [1, 3, 2, 4]);
  });

  it('names the problem when the tokenizer cannot be used', async () => {
    const noTokenizer = await folder('none', {});
    await assert.rejects(readTokenizer(noTokenizer), { code: 'E_NOT_FOUND', message: `${noTokenizer}: no tokenizer found (looked for vocab.txt, tokenizer.json)` });
    const noUnk = await folder('no-unk', { 'vocab.txt': '[PAD]\n[CLS]\n[SEP]\n[MASK]\n' });
    await assert.rejects(readTokenizer(noUnk), { code: 'E_MODEL_FORMAT', message: `${noUnk}: unk_token "[UNK]" is not in the vocabulary` });
    const bpe = await folder('bpe', { 'tokenizer.json': JSON.stringify({ model: { type: 'BPE', vocab: {} } }) });
    await assert.rejects(readTokenizer(bpe), { code: 'E_UNSUPPORTED', message: `${join(bpe, 'tokenizer.json')}: tokenizer model "BPE" is not supported (expected "WordPiece")` });
    const gap = await folder('gap', { 'tokenizer.json': JSON.stringify({ model: { type: 'WordPiece', vocab: { a: 0, b: 2 } } }) });
    await assert.rejects(readTokenizer(gap), { code: 'E_MODEL_FORMAT', message: `${join(gap, 'tokenizer.json')}: the vocabulary has no token with id 1` });
    const gpt = await folder('gpt', { 'vocab.txt': '[UNK]\n', 'tokenizer_config.json': JSON.stringify({ tokenizer_class: 'GPT2Tokenizer' }) });
    await assert.rejects(readTokenizer(gpt), { code: 'E_UNSUPPORTED', message: `${join(gpt, 'tokenizer_config.json')}: tokenizer_class "GPT2Tokenizer" is not supported (expected BertTokenizer)` });
  });
});
