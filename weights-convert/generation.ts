// generation_config.json -> generation defaults and the special ids generation uses
// (the file wins over config.json, as in transformers' GenerationConfig).

import { GitcapError } from '../core/errors.js';
import * as cv from './config-values.js';
import type { GitHparams } from './hparams.js';

export interface GenerationDefaults {
  /** total length, prompt included (transformers' default: 20) */
  maxLength: number;
  bosId: number;
  eosId: number;
  padId: number;
  warnings: string[];
}

/** A token id, or the first of a list of ids (the engine stops on one EOS id). */
function tokenId(file: string, gen: cv.Json, key: string, fallback: number, warnings: string[]): number {
  const v = gen[key];
  if (Array.isArray(v)) {
    if (v.length === 0) throw new GitcapError('E_MODEL_FORMAT', `${file}: ${key} is an empty list`);
    if (v.length > 1) warnings.push(`${file}: ${key} lists ${v.length} ids; using the first, ${JSON.stringify(v[0])}`);
    return cv.nonNegativeInt(file, { [key]: v[0] }, key, fallback);
  }
  return cv.nonNegativeInt(file, gen, key, fallback);
}

export function parseGeneration(file: string, gen: cv.Json, hp: GitHparams): GenerationDefaults {
  const warnings: string[] = [];
  return {
    maxLength: cv.positiveInt(file, gen, 'max_length', 20),
    bosId: tokenId(file, gen, 'bos_token_id', hp.bosId, warnings),
    eosId: tokenId(file, gen, 'eos_token_id', hp.eosId, warnings),
    padId: tokenId(file, gen, 'pad_token_id', hp.padId, warnings),
    warnings,
  };
}
