// The TypeScript readers the Node fuzz loops drive. Each takes the path of a mutated input file
// and reads it the way the converter does; it must return or throw a GitcapError, nothing else.

import { readFile } from 'node:fs/promises';
import { parseGeneration } from '../../weights-convert/generation.js';
import { readJsonObject } from '../../weights-convert/files.js';
import { readGgufMetadata } from '../../weights-convert/gguf-reader.js';
import { parseHparams } from '../../weights-convert/hparams.js';
import { unpickleStateDict } from '../../weights-convert/pickle.js';
import { checkPreprocessingFitsVision, parsePreprocessing } from '../../weights-convert/preprocessor.js';
import { openSafetensors } from '../../weights-convert/safetensors.js';
import type { SourceTensor } from '../../weights-convert/tensor-source.js';
import { DTYPE_SIZE, elementCount } from '../../weights-convert/tensor-source.js';
import { openTorchZip } from '../../weights-convert/torch-zip.js';

/** Reads the first elements of every tensor, as the converter's first rows would. */
async function readSome(tensors: SourceTensor[]): Promise<void> {
  for (const t of tensors) {
    const count = Math.min(elementCount(t.shape), 4096);
    await t.read(0, count, new Uint8Array(count * (DTYPE_SIZE[t.dtype] ?? 1)));
  }
}

export interface NodeTarget {
  /** the name the input file gets (some readers look at it) */
  fileName: string;
  /** whether mutateJson applies */
  json: boolean;
  run(file: string): Promise<void>;
}

export const NODE_TARGETS: Record<string, NodeTarget> = {
  safetensors: {
    fileName: 'model.safetensors',
    json: false,
    async run(file) {
      const { tensors, close } = await openSafetensors(file);
      try {
        await readSome(tensors);
      } finally {
        await close();
      }
    },
  },
  zip: {
    fileName: 'pytorch_model.bin',
    json: false,
    async run(file) {
      const { tensors, close } = await openTorchZip(file);
      try {
        await readSome(tensors);
      } finally {
        await close();
      }
    },
  },
  pickle: {
    fileName: 'data.pkl',
    json: false,
    async run(file) {
      unpickleStateDict(await readFile(file), file);
    },
  },
  'gguf-meta': {
    fileName: 'model.gguf',
    json: false,
    async run(file) {
      await readGgufMetadata(file);
    },
  },
  config: {
    fileName: 'config.json',
    json: true,
    async run(file) {
      const hp = parseHparams(file, await readJsonObject(file));
      parseGeneration(file, {}, hp);
    },
  },
  preprocessor: {
    fileName: 'preprocessor_config.json',
    json: true,
    async run(file) {
      const p = parsePreprocessing(file, await readJsonObject(file), 3);
      checkPreprocessingFitsVision(file, p, 224);
    },
  },
};
