// transformers 5 saves the temporal embeddings as git.img_temporal_embedding.N (the hub's
// checkpoints: img_temperal_embedding); both convert to the same GGUF.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { convertCheckpoint } from '../../weights-convert/index.js';
import { TINY_VATEX, copyModelFiles, readSafetensorsRaw, safetensorsBytes, tempDir } from './helpers.js';

describe('temporal embedding names', () => {
  it('converts a checkpoint saved with the transformers 5 spelling like the original', async () => {
    const tmp = await tempDir();
    try {
      const renamed = join(tmp.path, 'renamed');
      await copyModelFiles(TINY_VATEX, renamed);
      const tensors = await readSafetensorsRaw(join(TINY_VATEX, 'model.safetensors'));
      const specs = [...tensors].map(([name, t]) => ({
        name: name.replace('git.img_temperal_embedding.', 'git.img_temporal_embedding.'),
        dtype: t.dtype,
        shape: t.shape,
        data: t.bytes,
      }));
      assert.ok(specs.some((s) => s.name === 'git.img_temporal_embedding.5'));
      await writeFile(join(renamed, 'model.safetensors'), safetensorsBytes(specs));
      await convertCheckpoint(renamed, join(tmp.path, 'renamed.gguf'), { type: 'f32' });
      await convertCheckpoint(TINY_VATEX, join(tmp.path, 'original.gguf'), { type: 'f32', name: 'renamed' });
      const [a, b] = await Promise.all([readFile(join(tmp.path, 'renamed.gguf')), readFile(join(tmp.path, 'original.gguf'))]);
      assert.ok(a.equals(b));
    } finally {
      await tmp.remove();
    }
  });
});
