// `gitcap info <model>`: the runtime information, then what the model is.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { fixtureGguf } from '../model/goldens.js';
import { gitcap } from './gitcap-process.js';

let vatex: string;
let image: string;

before(async () => {
  vatex = await fixtureGguf('tiny-vatex');
  image = await fixtureGguf('tiny-image', 'q8_0');
});

describe('gitcap info <model>', () => {
  it('prints the model after the runtime information', async () => {
    const r = await gitcap(['info', vatex]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    const [runtime, model] = r.stdout.split('\n\n');
    assert.match(runtime!, /^gitcap +\d+\.\d+\.\d+$/m);
    assert.equal(
      model,
      [
        `model       ${vatex}`,
        'name        tiny-vatex',
        'kind        video, 6 frames, 1182 image tokens',
        'weights     f32, 8.33 MB on CPU (file 8.79 MB), matmul ggml',
        'vision      2 layers, hidden 32, 4 heads, image 224, patch 16',
        'text        2 layers, hidden 32, 4 heads, ffn 64, vocabulary 30522, 1024 positions',
        'tokens      bos 101, eos 102, pad 0; max length 20',
        'preprocess  VideoMAEImageProcessor, bilinear, shortest edge 224, crop 224x224, mean 0.5 0.5 0.5, std 0.5 0.5 0.5',
        '',
      ].join('\n'),
    );
  });

  it('--json adds the ModelInfo as "model"', async () => {
    const r = await gitcap(['info', image, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const data = JSON.parse(r.stdout) as { version: string; model: Record<string, unknown> & { preprocessing: { mean: number[] } } };
    assert.equal(typeof data.version, 'string');
    assert.equal(data.model.kind, 'image');
    assert.equal(data.model.quantization, 'q8_0');
    assert.equal(data.model.imageTokens, 50);
    assert.deepEqual(data.model.vision, { hiddenSize: 48, layers: 3, heads: 3, imageSize: 224, patchSize: 32, numFrames: 1 });
    assert.deepEqual(
      data.model.preprocessing.mean.map((x) => Number(x.toFixed(6))),
      [0.481455, 0.457828, 0.408211],
    );
  });

  it('a missing model exits 1; two exit 2', async () => {
    const missing = join(import.meta.dirname, 'none.gguf');
    assert.deepEqual(await gitcap(['info', missing]), { code: 1, stdout: '', stderr: `gitcap info: ${missing}: no such file or folder (E_NOT_FOUND)\n` });
    const two = await gitcap(['info', vatex, image]);
    assert.deepEqual(two, { code: 2, stdout: '', stderr: `gitcap info: Unexpected argument "${image}"\nUsage: gitcap info [--json]\n` });
  });
});
