import './loopback-guard.js';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { pullModel } from '../../lib/hub/pull.js';
import { blockedConnections } from './loopback-guard.js';
import { tempDir } from './helpers.js';

describe('test network guard', () => {
  it('refuses any connection that would leave the machine', async () => {
    const socket = net.connect({ host: '192.0.2.1', port: 80 });
    const [err] = (await once(socket, 'error')) as [Error];
    assert.equal(err.message, 'test network guard: connection to 192.0.2.1 refused');
    assert.deepEqual(blockedConnections.splice(0), ['192.0.2.1']);
  });

  it('stops a pull from the default endpoint, huggingface.co', async () => {
    const cache = await tempDir();
    const saved = process.env.HF_ENDPOINT;
    delete process.env.HF_ENDPOINT;
    try {
      await assert.rejects(
        pullModel('microsoft/git-base-vatex', {
          cacheDir: cache.path,
          hfCacheDir: `${cache.path}/no-hf-cache`,
          retry: { retries: 0, baseDelayMs: 0, maxDelayMs: 0 },
        }),
        {
          code: 'E_NETWORK',
          message:
            'Reading config.json of microsoft/git-base-vatex failed after 1 attempt: test network guard: connection to huggingface.co refused from https://huggingface.co/microsoft/git-base-vatex/resolve/main/config.json' +
            '. To caption without the hub, convert a checkpoint folder you have ("gitcap convert <folder> -o model.gguf") and pass "--model model.gguf" (the API: GitModel.load("model.gguf"))',
        },
      );
    } finally {
      if (saved !== undefined) process.env.HF_ENDPOINT = saved;
      await cache.remove();
    }
    assert.deepEqual(blockedConnections.splice(0), ['huggingface.co']);
  });
});
