// Memory stays flat over many calls: 500 captions (half of them concurrent, some aborted).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GitModel } from '../../lib/index.js';
import { fixtureGguf, pixelValues } from './goldens.js';
import { RSS_REASON, skipWhenSanitized } from '../sanitized.js';

describe('soak', () => {
  it('keeps RSS flat over 500 calls', { skip: skipWhenSanitized(RSS_REASON) }, async () => {
    await using model = await GitModel.load(await fixtureGguf('tiny-image'), { backend: 'cpu', threads: 1 });
    const input = { pixels: pixelValues('image_square_224x224') };
    const round = async (i: number) => {
      const ac = new AbortController();
      const calls = [0, 1, 2, 3, 4].map((k) =>
        model.caption(input, { maxNewTokens: 4, ...(k === 4 && i % 2 === 0 && { signal: ac.signal }) }),
      );
      ac.abort();
      await Promise.allSettled(calls);
    };
    for (let i = 0; i < 20; i++) await round(i); // warm-up: allocator pools reach their size
    const rss = process.memoryUsage().rss;
    for (let i = 0; i < 100; i++) await round(i);
    const grown = (process.memoryUsage().rss - rss) / 2 ** 20;
    assert.ok(grown < 16, `RSS grew by ${grown.toFixed(1)} MiB over 500 calls`);
    assert.equal(model.pending, 0);
  });
});
