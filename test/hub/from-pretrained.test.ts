// GitModel.fromPretrained against the mock hub: download + conversion once, then the cache alone.
import './loopback-guard.js';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GitModel } from '../../lib/index.js';
import { goldens, pixelValues } from '../model/goldens.js';
import { blockedConnections } from './loopback-guard.js';
import { FAST_RETRY, tempDir, vatexRepo } from './helpers.js';
import { MockHub } from './mock-hub.js';

describe('GitModel.fromPretrained', () => {
  let hub: MockHub;
  let cache: { path: string; remove: () => Promise<void> };

  before(async () => {
    hub = await MockHub.start([vatexRepo('test/tiny-vatex')]);
    cache = await tempDir();
  });

  after(async () => {
    await hub.close();
    await cache.remove();
    assert.deepEqual(blockedConnections, []);
  });

  it('pulls, converts, loads and captions; the second time from the cache with no request', async () => {
    const options = { endpoint: hub.url, cacheDir: cache.path, hfCacheDir: join(cache.path, 'no-hf-cache'), quantization: 'f32' as const, retry: FAST_RETRY, threads: 1, backend: 'cpu' as const };
    const phases = new Set<string>();
    const model = await GitModel.fromPretrained('test/tiny-vatex', { ...options, onProgress: (p) => phases.add(p.phase) });
    assert.ok(phases.has('download') && phases.has('convert') && phases.has('load'));
    assert.equal(model.info.quantization, 'f32');
    const r = await model.caption({ pixels: pixelValues('vatex_clip_full') });
    assert.deepEqual(r.tokenIds, goldens.cases.vatex_clip_full!.new_token_ids);
    await model.dispose();

    const before = hub.requests.length;
    const again = await GitModel.fromPretrained('test/tiny-vatex', options);
    assert.equal(hub.requests.length, before);
    await again.dispose();
  });
});
