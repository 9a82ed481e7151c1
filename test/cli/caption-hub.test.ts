// `gitcap clip.mp4` on a fresh machine: the default model is pulled from the hub (here a mock hub
// on the loopback interface serving the tiny video model as microsoft/git-base-vatex), converted
// to q8_0 and cached; the next run uses the cache without a request.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GitModel } from '../../lib/index.js';
import { DEFAULT_REPO_ID } from '../../lib/hub/pull.js';
import { MockHub } from '../hub/mock-hub.js';
import { vatexRepo } from '../hub/helpers.js';
import { FIXTURES } from '../model/goldens.js';
import { gitcap, tempDir } from './gitcap-process.js';

const CLIP = join(FIXTURES, 'inputs', 'clip.mp4');

describe('gitcap <video> with the default model', () => {
  let hub: MockHub;
  let cache: Awaited<ReturnType<typeof tempDir>>;

  before(async () => {
    hub = await MockHub.start([vatexRepo(DEFAULT_REPO_ID)]);
    cache = await tempDir();
  });
  after(async () => {
    await hub.close();
    await cache.remove();
  });

  it('downloads and converts it once, then captions from the cache', async () => {
    const env = { GITCAP_CACHE: cache.path, HF_ENDPOINT: hub.url, HF_HUB_OFFLINE: undefined };
    const first = await gitcap([CLIP, '--threads', '1'], env);
    assert.equal(first.code, 0, first.stderr);
    const commit = hub.commitOf(DEFAULT_REPO_ID);
    assert.match(first.stderr, /^Downloading config\.json \(1\/8\)\n/);
    assert.ok(first.stderr.endsWith(`${DEFAULT_REPO_ID} q8_0 (commit ${commit.slice(0, 12)}): downloaded and converted\n`), first.stderr);
    const requests = hub.requests.length;
    assert.ok(requests > 0);

    const gguf = join(cache.path, 'models', 'microsoft--git-base-vatex', commit, 'git-base-vatex-q8_0.gguf');
    const model = await GitModel.load(gguf, { backend: 'cpu', threads: 1 });
    try {
      const expected = await model.caption({ video: CLIP });
      assert.equal(model.info.quantization, 'q8_0');
      assert.equal(first.stdout, `${expected.text}\n`);
    } finally {
      await model.dispose();
    }

    const again = await gitcap([CLIP, '--threads', '1'], env);
    assert.deepEqual(again, { code: 0, stdout: first.stdout, stderr: '' });
    assert.equal(hub.requests.length, requests);
  });
});
