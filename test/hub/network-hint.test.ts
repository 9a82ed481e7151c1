// When the hub cannot be reached, the error says how to caption without it.
import './loopback-guard.js';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, it } from 'node:test';
import { DEFAULT_REPO_ID, pullModel } from '../../lib/hub/pull.js';
import { FAST_RETRY, tempDir } from './helpers.js';

let cache: Awaited<ReturnType<typeof tempDir>>;
let closedPort: number;

before(async () => {
  cache = await tempDir();
  // A port nothing listens on: bind one, then close it.
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closedPort = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
});
after(() => cache.remove());

it('E_NETWORK for the default model names gitcap convert and --model', async () => {
  await assert.rejects(
    pullModel(DEFAULT_REPO_ID, {
      endpoint: `http://127.0.0.1:${closedPort}`,
      cacheDir: cache.path,
      hfCacheDir: `${cache.path}/no-hf-cache`,
      offline: false,
      retry: FAST_RETRY,
    }),
    (err: { code: string; message: string }) => {
      assert.equal(err.code, 'E_NETWORK');
      assert.match(err.message, /failed after 3 attempts/);
      assert.match(err.message, /To caption without the hub, convert a checkpoint folder you have \("gitcap convert <folder> -o model\.gguf"\) and pass "--model model\.gguf"/);
      return true;
    },
  );
});
