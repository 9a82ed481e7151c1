// Writes the seed corpora of the fuzz targets into <out>/<target>/: a micro GIT model (converted to
// GGUF, and its safetensors, torch zip and pickle forms), the fixture images, the fixture configs.
// Usage: node --import tsx test/fuzz/make-seeds.ts <out>

import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { convertCheckpoint } from '../../weights-convert/index.js';
import { FIXTURES, tempDir, writeSyntheticModel, type SyntheticDims } from '../convert/helpers.js';
import { stateDictPickle, torchZip } from '../convert/torch-files.js';

/** The smallest model the converter and the loader accept: seeds of a few tens of KB. */
const MICRO: SyntheticDims = {
  vocab: 64, hidden: 32, ffn: 64, layers: 1, heads: 2, maxPositions: 16,
  vHidden: 32, vFfn: 64, vLayers: 1, vHeads: 2, imageSize: 32, patchSize: 16, frames: 1,
};

async function copyMatching(from: string, to: string, match: RegExp): Promise<void> {
  await mkdir(to, { recursive: true });
  for (const f of await readdir(from)) if (match.test(f)) await copyFile(join(from, f), join(to, f));
}

const out = process.argv[2];
if (!out) throw new Error('usage: make-seeds.ts <out>');
const dir = (name: string) => join(out, name);
for (const t of ['gguf', 'gguf-meta', 'safetensors', 'zip', 'pickle', 'config', 'preprocessor', 'tokenizer']) {
  await mkdir(dir(t), { recursive: true });
}

const tmp = await tempDir();
try {
  const model = join(tmp.path, 'micro');
  await writeSyntheticModel(model, MICRO);
  for (const type of ['f16', 'q8_0'] as const) {
    const gguf = join(dir('gguf'), `micro-${type}.gguf`);
    await convertCheckpoint(model, gguf, { type });
    await copyFile(gguf, join(dir('gguf-meta'), `micro-${type}.gguf`));
  }
  await copyFile(join(model, 'model.safetensors'), join(dir('safetensors'), 'micro.safetensors'));
  const tensors = [{ name: 'a', key: '0', numel: 6, shape: [2, 3] }, { name: 'b', key: '1', numel: 4, shape: [4], offset: 0 }];
  const pickle = stateDictPickle(tensors);
  await writeFile(join(dir('pickle'), 'state-dict.pkl'), pickle);
  const storages = { '0': new Uint8Array(24), '1': new Uint8Array(16) };
  await writeFile(join(dir('zip'), 'stored.bin'), torchZip(pickle, storages, { byteorder: 'little' }));
  await writeFile(join(dir('zip'), 'deflated.bin'), torchZip(pickle, storages, { deflate: true }));
  for (const fixture of ['tiny-vatex', 'tiny-image']) {
    await copyFile(join(FIXTURES, fixture, 'config.json'), join(dir('config'), `${fixture}.json`));
    await copyFile(join(FIXTURES, fixture, 'preprocessor_config.json'), join(dir('preprocessor'), `${fixture}.json`));
  }
  await copyFile(join(model, 'config.json'), join(dir('config'), 'micro.json'));
} finally {
  await tmp.remove();
}

// Native targets: images (all of them, and the JPEGs alone) and tokenizer texts.
await copyMatching(join(FIXTURES, 'image-decode'), dir('image'), /\.(png|jpe?g|gif)$/);
await copyMatching(join(FIXTURES, 'image-broken'), dir('image'), /\.(png|jpe?g|gif|webp)$/);
await copyMatching(join(FIXTURES, 'image-decode'), dir('jpeg'), /\.jpe?g$/);
const extra = JSON.parse(await readFile(join(FIXTURES, 'tokenizer-extra.json'), 'utf8')) as unknown;
const texts = JSON.stringify(extra).match(/"[^"\\]{1,200}"/g) ?? [];
for (const [i, t] of texts.slice(0, 200).entries()) await writeFile(join(dir('tokenizer'), `text-${i}.txt`), `\x00${JSON.parse(t)}`);
await writeFile(join(dir('tokenizer'), 'ids.bin'), Buffer.concat([Buffer.from([1]), Buffer.from(Int32Array.from([101, 1037, 3899, 1012, 102, 0, 100]).buffer)]));
console.log(`seeds written to ${out}`);
