// The addon in several threads at once: models in worker threads and the main thread.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { GitModel } from '../../lib/index.js';
import { fixtureGguf, goldens, pixelValues } from './goldens.js';

function captionInWorker(gguf: string, caseName: string): Promise<number[]> {
  const worker = new Worker(new URL('./worker-thread-entry.mjs', import.meta.url), { workerData: { gguf, caseName } });
  return new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
}

describe('worker threads', () => {
  it('captions in two worker threads and the main thread at once', async () => {
    const gguf = await fixtureGguf('tiny-image');
    await using model = await GitModel.load(gguf, { backend: 'cpu', threads: 1 });
    const [a, b, c] = await Promise.all([
      captionInWorker(gguf, 'image_square_224x224'),
      captionInWorker(gguf, 'image_banner_1000x200'),
      model.caption({ pixels: pixelValues('image_tiny_20x15') }),
    ]);
    assert.deepEqual(a, goldens.cases.image_square_224x224!.new_token_ids);
    assert.deepEqual(b, goldens.cases.image_banner_1000x200!.new_token_ids);
    assert.deepEqual(c.tokenIds, goldens.cases.image_tiny_20x15!.new_token_ids);
  });
});
