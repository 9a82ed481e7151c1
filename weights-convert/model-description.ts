// Everything but the weights: config.json, preprocessor_config.json, generation_config.json and
// the tokenizer files of a Hugging Face GIT folder, checked against each other.

import { basename, join, resolve } from 'node:path';
import { GitcapError } from '../core/errors.js';
import { readJsonObject } from './files.js';
import { parseGeneration } from './generation.js';
import { parseHparams } from './hparams.js';
import type { ModelDescription } from './metadata.js';
import { checkPreprocessingFitsVision, parsePreprocessing } from './preprocessor.js';
import { readTokenizer } from './tokenizer.js';

export async function readModelDescription(
  dir: string,
  name: string | undefined,
  fileType: number,
): Promise<{ description: ModelDescription; warnings: string[] }> {
  const configFile = join(dir, 'config.json');
  const config = await readJsonObject(configFile);
  const hparams = parseHparams(configFile, config);
  const ppFile = join(dir, 'preprocessor_config.json');
  const preprocessing = parsePreprocessing(ppFile, await readJsonObject(ppFile), hparams.vision.channels);
  checkPreprocessingFitsVision(ppFile, preprocessing, hparams.vision.imageSize);
  const genFile = join(dir, 'generation_config.json');
  const generation = parseGeneration(genFile, (await readJsonObject(genFile, true)) ?? {}, hparams);
  const tokenizer = await readTokenizer(dir);

  const vocab = hparams.text.vocabSize;
  if (tokenizer.tokens.length !== vocab) {
    throw new GitcapError(
      'E_MODEL_FORMAT',
      `${dir}: the tokenizer has ${tokenizer.tokens.length} tokens but config.json has vocab_size ${vocab}`,
    );
  }
  for (const [key, id] of [['bos_token_id', generation.bosId], ['eos_token_id', generation.eosId], ['pad_token_id', generation.padId]] as const) {
    if (id >= vocab) throw new GitcapError('E_MODEL_FORMAT', `${dir}: ${key} ${id} is outside the vocabulary (${vocab} tokens)`);
  }
  const nameOrPath = config._name_or_path;
  const modelName = name ?? (typeof nameOrPath === 'string' && nameOrPath !== '' ? nameOrPath : basename(resolve(dir)));
  return {
    description: { name: modelName, fileType, hparams, preprocessing, tokenizer, generation },
    warnings: generation.warnings,
  };
}
