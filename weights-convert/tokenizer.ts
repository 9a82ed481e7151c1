// The BERT WordPiece tokenizer of a GIT checkpoint: vocab.txt (slow BertTokenizer) or
// tokenizer.json (fast serialization), options from tokenizer_config.json.

import { join } from 'node:path';
import { GitcapError } from '../core/errors.js';
import * as cv from './config-values.js';
import { readJsonObject, readText } from './files.js';

export interface TokenizerInfo {
  /** token text by id */
  tokens: string[];
  doLowerCase: boolean;
  /** resolved: an omitted/null strip_accents follows do_lower_case, as in BertTokenizer */
  stripAccents: boolean;
  tokenizeChineseChars: boolean;
  maxInputCharsPerWord: number;
  unkId: number;
  sepId: number;
  clsId: number;
  maskId: number;
}

const BERT_CLASSES = ['BertTokenizer', 'BertTokenizerFast'];

/** vocab.txt as BertTokenizer's load_vocab reads it: one token per line, universal newlines. */
function parseVocabTxt(text: string): string[] {
  const lines = text.split(/\r\n|\r|\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function parseTokenizerJson(file: string, json: cv.Json): { tokens: string[]; normalizer: cv.Json; maxChars?: unknown } {
  const model = cv.object(file, json, 'model');
  if (model.type !== 'WordPiece') {
    throw new GitcapError('E_UNSUPPORTED', `${file}: tokenizer model ${JSON.stringify(model.type ?? null)} is not supported (expected "WordPiece")`);
  }
  const vocab = cv.object(file, model, 'vocab');
  const byId = new Map<number, string>();
  const add = (token: string, id: unknown) => {
    if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) {
      throw new GitcapError('E_MODEL_FORMAT', `${file}: token ${JSON.stringify(token)} has an invalid id`);
    }
    if (!byId.has(id)) byId.set(id, token);
  };
  for (const [token, id] of Object.entries(vocab)) add(token, id);
  const added = json.added_tokens;
  if (Array.isArray(added)) {
    for (const t of added as cv.Json[]) if (typeof t?.content === 'string') add(t.content, t.id);
  }
  const tokens: string[] = [];
  for (let id = 0; id < byId.size; id++) {
    const token = byId.get(id);
    if (token === undefined) throw new GitcapError('E_MODEL_FORMAT', `${file}: the vocabulary has no token with id ${id}`);
    tokens.push(token);
  }
  const normalizer = json.normalizer;
  return {
    tokens,
    normalizer: typeof normalizer === 'object' && normalizer !== null && !Array.isArray(normalizer) ? (normalizer as cv.Json) : {},
    maxChars: model.max_input_chars_per_word,
  };
}

/** A special token's text: a string, or an AddedToken object's `content`. */
function specialToken(config: cv.Json, key: string): string | undefined {
  const v = config[key];
  if (typeof v === 'string') return v;
  if (typeof v === 'object' && v !== null && typeof (v as cv.Json).content === 'string') return (v as cv.Json).content as string;
  return undefined;
}

/** Reads the tokenizer in `dir`; vocab.txt wins over tokenizer.json when both exist (the goldens follow the slow tokenizer). */
export async function readTokenizer(dir: string): Promise<TokenizerInfo> {
  const configFile = join(dir, 'tokenizer_config.json');
  const config = (await readJsonObject(configFile, true)) ?? {};
  const specialMap = (await readJsonObject(join(dir, 'special_tokens_map.json'), true)) ?? {};
  const tokenizerClass = config.tokenizer_class;
  if (typeof tokenizerClass === 'string' && !BERT_CLASSES.includes(tokenizerClass)) {
    throw new GitcapError('E_UNSUPPORTED', `${configFile}: tokenizer_class "${tokenizerClass}" is not supported (expected BertTokenizer)`);
  }

  let tokens: string[];
  let normalizer: cv.Json = {};
  let maxChars: unknown;
  const vocabFile = join(dir, 'vocab.txt');
  try {
    tokens = parseVocabTxt(await readText(vocabFile));
  } catch (err) {
    if (!(err instanceof GitcapError && err.code === 'E_NOT_FOUND')) throw err;
    const jsonFile = join(dir, 'tokenizer.json');
    const json = await readJsonObject(jsonFile, true);
    if (!json) throw new GitcapError('E_NOT_FOUND', `${dir}: no tokenizer found (looked for vocab.txt, tokenizer.json)`);
    ({ tokens, normalizer, maxChars } = parseTokenizerJson(jsonFile, json));
  }
  if (tokens.length === 0) throw new GitcapError('E_MODEL_FORMAT', `${dir}: the tokenizer vocabulary is empty`);

  // A key in tokenizer_config.json (even null) wins over the normalizer, as BertTokenizerFast
  // rebuilds the normalizer from its arguments.
  const option = (key: string, normalizerKey: string, fallback: boolean | null): boolean | null => {
    const v = Object.hasOwn(config, key) ? config[key] : (normalizer[normalizerKey] ?? fallback);
    if (v !== null && typeof v !== 'boolean') {
      throw new GitcapError('E_MODEL_FORMAT', `${configFile}: ${key} must be true, false or null, got ${JSON.stringify(v)}`);
    }
    return v;
  };
  const doLowerCase = option('do_lower_case', 'lowercase', true)!;
  const idOf = (key: string, fallback: string) => {
    const token = specialToken(specialMap, key) ?? specialToken(config, key) ?? fallback;
    const id = tokens.indexOf(token);
    if (id < 0) throw new GitcapError('E_MODEL_FORMAT', `${dir}: ${key} ${JSON.stringify(token)} is not in the vocabulary`);
    return id;
  };
  return {
    tokens,
    doLowerCase,
    stripAccents: option('strip_accents', 'strip_accents', null) ?? doLowerCase,
    tokenizeChineseChars: option('tokenize_chinese_chars', 'handle_chinese_chars', true)!,
    maxInputCharsPerWord: cv.positiveInt(join(dir, 'tokenizer.json'), { max_input_chars_per_word: maxChars }, 'max_input_chars_per_word', 100),
    unkId: idOf('unk_token', '[UNK]'),
    sepId: idOf('sep_token', '[SEP]'),
    clsId: idOf('cls_token', '[CLS]'),
    maskId: idOf('mask_token', '[MASK]'),
  };
}
