// The Hugging Face cache: a checkpoint there is converted in place with no request to the hub,
// nothing in that cache changes, a snapshot that lacks a file is downloaded instead (or, offline,
// named in the error), a revision may be a commit hash, and hfCache downloads land there in
// huggingface_hub's layout.
import './loopback-guard.js';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { access, lstat, readdir, readFile, readlink, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { listCache } from '../../lib/hub/cache-entries.js';
import { hfCacheDir } from '../../lib/hub/hf-cache.js';
import { pullModel, type PullOptions } from '../../lib/hub/pull.js';
import { FAST_RETRY, VATEX_DIR, VATEX_FILES, tempDir, vatexRepo } from './helpers.js';
import { repoFolder, treeState, writeHfCache } from './hf-cache-layout.js';
import { MockHub } from './mock-hub.js';

const VATEX = 'test/tiny-vatex';
const exists = (p: string) => access(p).then(() => true, () => false);

let hub: MockHub;
let commit: string;
let work: Awaited<ReturnType<typeof tempDir>>;
let n = 0;
/** A fresh gitcap cache and Hugging Face cache per test. */
let dirs: { cache: string; hf: string };

before(async () => {
  hub = await MockHub.start([vatexRepo(VATEX)]);
  commit = hub.commitOf(VATEX);
  work = await tempDir();
});
after(async () => {
  await hub.close();
  await work.remove();
});
beforeEach(() => {
  n++;
  dirs = { cache: join(work.path, `cache-${n}`), hf: join(work.path, `hf-${n}`) };
  hub.requests.length = 0;
});

const options = (extra: PullOptions = {}): PullOptions => ({
  cacheDir: dirs.cache,
  hfCacheDir: dirs.hf,
  endpoint: hub.url,
  retry: FAST_RETRY,
  quantization: 'f16',
  offline: false,
  ...extra,
});

describe('a checkpoint in the Hugging Face cache', () => {
  it('is converted in place, offline, and nothing in that cache changes', async () => {
    const snapshot = await writeHfCache({ root: dirs.hf, repoId: VATEX, commit, dir: VATEX_DIR, files: VATEX_FILES });
    const before = await treeState(dirs.hf);
    const r = await pullModel(VATEX, options({ offline: true }));
    assert.equal(r.commit, commit);
    assert.equal(r.fromCache, false);
    assert.ok(r.ggufPath.startsWith(dirs.cache));
    assert.deepEqual(await treeState(dirs.hf), before);
    assert.equal(await exists(join(dirs.cache, 'models', 'test--tiny-vatex', commit, 'source')), false, 'nothing copied');
    const [entry, ...more] = await listCache(dirs.cache);
    assert.deepEqual(more, []);
    assert.equal(entry!.origin, 'hf-cache');
    assert.equal((await readFile(`${r.ggufPath}.hf-cache`, 'utf8')).trim(), snapshot);
    const again = await pullModel(VATEX, options({ offline: true }));
    assert.deepEqual([again.fromCache, again.ggufPath], [true, r.ggufPath]);
  });

  it('is used online without any request to the hub', async () => {
    await writeHfCache({ root: dirs.hf, repoId: VATEX, commit, dir: VATEX_DIR, files: VATEX_FILES });
    const r = await pullModel(VATEX, options());
    assert.equal(r.commit, commit);
    assert.deepEqual(hub.requests, []);
  });

  it('a revision given as a commit hash needs no ref', async () => {
    await writeHfCache({ root: dirs.hf, repoId: VATEX, commit, dir: VATEX_DIR, files: VATEX_FILES, refs: [] });
    const offline = await pullModel(VATEX, options({ offline: true, revision: commit }));
    assert.equal(offline.commit, commit);
    await assert.rejects(pullModel(VATEX, options({ offline: true, cacheDir: join(dirs.cache, 'other') })), {
      code: 'E_NOT_FOUND',
      message: /nor in the Hugging Face cache/,
    });
  });

  it('files recorded as absent (.no_exist) are not missing', async () => {
    const files = VATEX_FILES.filter((f) => f !== 'generation_config.json');
    await writeHfCache({ root: dirs.hf, repoId: VATEX, commit, dir: VATEX_DIR, files, noExist: ['generation_config.json'] });
    const r = await pullModel(VATEX, options({ offline: true }));
    assert.equal(r.commit, commit);
  });

  it('--update asks the hub which commit the revision is, and downloads nothing', async () => {
    await writeHfCache({ root: dirs.hf, repoId: VATEX, commit, dir: VATEX_DIR, files: VATEX_FILES });
    const r = await pullModel(VATEX, options({ update: true }));
    assert.equal(r.commit, commit);
    assert.deepEqual(hub.requests.map((q) => `${q.method} ${q.file}`), ['HEAD config.json']);
  });
});

describe('a snapshot that lacks a file', () => {
  it('offline: fails naming the file', async () => {
    const snapshot = await writeHfCache({ root: dirs.hf, repoId: VATEX, commit, dir: VATEX_DIR, files: VATEX_FILES, omit: ['model.safetensors'] });
    await assert.rejects(pullModel(VATEX, options({ offline: true })), (err: { code: string; message: string }) => {
      assert.equal(err.code, 'E_NOT_FOUND');
      assert.ok(err.message.includes(`in the Hugging Face cache at ${snapshot} without model.safetensors (or pytorch_model.bin)`), err.message);
      assert.match(err.message, /gitcap pull test\/tiny-vatex --quant f16" once while online/);
      return true;
    });
  });

  it('a lost blob counts as missing', async () => {
    await writeHfCache({ root: dirs.hf, repoId: VATEX, commit, dir: VATEX_DIR, files: VATEX_FILES });
    const blobs = join(repoFolder(dirs.hf, VATEX), 'blobs');
    const link = await readlink(join(repoFolder(dirs.hf, VATEX), 'snapshots', commit, 'preprocessor_config.json'));
    await rm(resolve(join(repoFolder(dirs.hf, VATEX), 'snapshots', commit), link));
    assert.equal((await readdir(blobs)).length, VATEX_FILES.length - 1);
    await assert.rejects(pullModel(VATEX, options({ offline: true })), { code: 'E_NOT_FOUND', message: / without preprocessor_config\.json, and offline mode/ });
  });

  it('online: falls back to a download into gitcap\'s cache, and the Hugging Face cache stays as it was', async () => {
    await writeHfCache({ root: dirs.hf, repoId: VATEX, commit, dir: VATEX_DIR, files: VATEX_FILES, omit: ['tokenizer_config.json'] });
    const before = await treeState(dirs.hf);
    const r = await pullModel(VATEX, options());
    assert.equal(r.commit, commit);
    assert.ok(hub.requests.some((q) => q.method === 'GET' && q.file === 'model.safetensors'));
    assert.deepEqual(await treeState(dirs.hf), before);
    assert.equal((await listCache(dirs.cache))[0]!.origin, 'hub');
  });
});

describe('hfCache: downloads into the Hugging Face cache', () => {
  it("lays them out as huggingface_hub does, and converts from there", async () => {
    const r = await pullModel(VATEX, options({ hfCache: true }));
    const repo = repoFolder(dirs.hf, VATEX);
    assert.equal(await readFile(join(repo, 'refs', 'main'), 'utf8'), commit);
    const snapshot = join(repo, 'snapshots', commit);
    assert.deepEqual((await readdir(snapshot)).sort(), [...VATEX_FILES].sort());
    for (const file of VATEX_FILES) {
      assert.ok((await lstat(join(snapshot, file))).isSymbolicLink(), file);
      const target = await readlink(join(snapshot, file));
      assert.match(target, /^\.\.\/\.\.\/blobs\/[0-9a-f]{40,64}$/, `${file} -> ${target}`);
      const content = await readFile(join(snapshot, file));
      assert.deepEqual(content, await readFile(join(VATEX_DIR, file)));
      const name = target.split('/').pop()!;
      const expected =
        name.length === 64
          ? createHash('sha256').update(content).digest('hex')
          : createHash('sha1').update(`blob ${content.length}\0`).update(content).digest('hex');
      assert.equal(name, expected, file);
    }
    assert.equal(await exists(join(dirs.cache, 'models', 'test--tiny-vatex', commit, 'source')), false);
    assert.equal((await listCache(dirs.cache))[0]!.origin, 'hf-cache');
    // Another gitcap cache finds it there, offline.
    const other = await pullModel(VATEX, options({ offline: true, cacheDir: join(dirs.cache, 'other') }));
    assert.equal(other.commit, r.commit);
  });

  it('GITCAP_USE_HF_CACHE=1 is the default of hfCache', async () => {
    process.env.GITCAP_USE_HF_CACHE = '1';
    try {
      await pullModel(VATEX, options());
    } finally {
      delete process.env.GITCAP_USE_HF_CACHE;
    }
    assert.ok(await exists(join(repoFolder(dirs.hf, VATEX), 'snapshots', commit, 'model.safetensors')));
  });
});

describe('where the Hugging Face cache is', () => {
  it('HF_HUB_CACHE, else HF_HOME/hub, else XDG_CACHE_HOME/huggingface/hub or ~/.cache/huggingface/hub', () => {
    assert.equal(hfCacheDir(undefined, { HF_HUB_CACHE: '/a/hub', HF_HOME: '/b' }, '/home/u'), resolve('/a/hub'));
    assert.equal(hfCacheDir(undefined, { HF_HOME: '/b' }, '/home/u'), join(resolve('/b'), 'hub'));
    assert.equal(hfCacheDir(undefined, { XDG_CACHE_HOME: '/x' }, '/home/u'), join(resolve('/x/huggingface'), 'hub'));
    assert.equal(hfCacheDir(undefined, {}, '/home/u'), join(resolve('/home/u/.cache/huggingface'), 'hub'));
    assert.equal(hfCacheDir('/explicit', {}, '/home/u'), resolve('/explicit'));
    assert.throws(() => hfCacheDir(''), { code: 'E_INVALID_ARG' });
  });
});
