import './loopback-guard.js';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { open, readdir, readFile, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { pullModel, type PullOptions, type PullProgress } from '../../lib/hub/pull.js';
import { RepoCache } from '../../lib/hub/cache.js';
import { acquireLock } from '../../lib/hub/lock.js';
import { readGgufMetadata } from '../../weights-convert/index.js';
import { loadQuantizeAddon } from '../../weights-convert/native-quantizer.js';
import { blockedConnections } from './loopback-guard.js';
import { MockHub, GOOD_TOKEN } from './mock-hub.js';
import { runChild } from './child-process.js';
import { FAST_RETRY, IMAGE_DIR, VATEX_DIR, VATEX_FILES, tempDir, vatexRepo } from './helpers.js';

const VATEX = 'test/tiny-vatex';
// The small files, in the order they are downloaded.
const PLAN_ORDER = ['preprocessor_config.json', 'tokenizer.json', 'vocab.txt', 'tokenizer_config.json', 'special_tokens_map.json', 'generation_config.json'];
const SHARD = 'model-00001-of-00001.safetensors';

/** The fixture's model.safetensors as the only shard of an index. */
async function shardedExtra(): Promise<Record<string, Buffer | string>> {
  const weights = await readFile(join(VATEX_DIR, 'model.safetensors'));
  const header = JSON.parse(weights.subarray(8, 8 + Number(weights.readBigUInt64LE(0))).toString('utf8')) as object;
  const weightMap = Object.fromEntries(Object.keys(header).filter((k) => k !== '__metadata__').map((k) => [k, SHARD]));
  return { [SHARD]: weights, 'model.safetensors.index.json': JSON.stringify({ metadata: {}, weight_map: weightMap }) };
}

/** q8_0 needs the addon's quantizer: a reason to skip while it is not built, else false. */
function addonMissing(): string | false {
  try {
    loadQuantizeAddon();
    return false;
  } catch {
    return 'the native addon (needed to quantize) is not built';
  }
}

async function ggufMagic(path: string): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const { buffer } = await handle.read(Buffer.alloc(4), 0, 4, 0);
    return buffer.toString('latin1');
  } finally {
    await handle.close();
  }
}

describe('pullModel', () => {
  let hub: MockHub;
  let cache: { path: string; remove: () => Promise<void> };
  const savedEnv = { ...process.env };

  before(async () => {
    const bertConfig = JSON.stringify({ model_type: 'bert', architectures: ['BertModel'] });
    hub = await MockHub.start([
      vatexRepo(VATEX),
      { ...vatexRepo('test/gated'), gated: true },
      { id: 'test/old-name', dir: VATEX_DIR, renamedTo: VATEX },
      {
        id: 'test/tiny-image-bin',
        dir: IMAGE_DIR,
        files: VATEX_FILES.filter((f) => f !== 'model.safetensors').concat('pytorch_model.bin'),
      },
      { id: 'test/sharded', dir: VATEX_DIR, files: VATEX_FILES.filter((f) => f !== 'model.safetensors'), extra: await shardedExtra() },
      { id: 'test/broken', dir: VATEX_DIR, files: VATEX_FILES.filter((f) => f !== 'model.safetensors'), extra: { 'model.safetensors': 'not safetensors' } },
      { id: 'test/bert', dir: VATEX_DIR, files: VATEX_FILES.filter((f) => f !== 'config.json'), extra: { 'config.json': bertConfig } },
    ]);
  });
  after(async () => {
    await hub.close();
    assert.deepEqual(blockedConnections, []);
  });
  beforeEach(async () => {
    cache = await tempDir();
    hub.reset();
    for (const name of ['HF_TOKEN', 'HF_ENDPOINT', 'HF_HUB_OFFLINE', 'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy']) {
      delete process.env[name];
    }
    process.env.HF_HUB_CACHE = join(cache.path, 'no-hf-cache'); // not the machine's own
  });
  afterEach(async () => {
    process.env = { ...savedEnv };
    await cache.remove();
  });

  const pull = (repoId: string, options: PullOptions = {}) =>
    pullModel(repoId, { endpoint: hub.url, cacheDir: cache.path, quantization: 'f16', retry: FAST_RETRY, ...options });

  it('downloads and converts on first use, then answers from the cache with no request', async () => {
    const events: PullProgress[] = [];
    const first = await pull(VATEX, { onProgress: (p) => events.push(p) });
    const commit = hub.commitOf(VATEX);
    assert.deepEqual(first, {
      ggufPath: join(cache.path, 'models', 'test--tiny-vatex', commit, 'tiny-vatex-f16.gguf'),
      repoId: VATEX,
      commit,
      quantization: 'f16',
      fromCache: false,
    });
    const gguf = await readGgufMetadata(first.ggufPath);
    assert.equal(gguf.kv.get('general.architecture')?.value, 'git');
    assert.equal(gguf.kv.get('general.file_type')?.value, 1); // MOSTLY_F16
    assert.deepEqual(await readdir(join(cache.path, 'models', 'test--tiny-vatex', commit)), ['tiny-vatex-f16.gguf']);
    assert.equal(hub.count({ kind: 'cdn', method: 'GET' }), 1);

    const downloads = events.filter((e) => e.phase === 'download');
    const total = (await stat(join(VATEX_DIR, 'model.safetensors'))).size;
    const last = downloads.at(-1)!;
    assert.equal(last.file, 'model.safetensors');
    assert.equal(last.totalBytesDone, last.totalBytesTotal);
    assert.equal(last.bytesDone, total);
    assert.deepEqual([...new Set(downloads.map((e) => e.filesTotal))], [8]);
    const converts = events.filter((e) => e.phase === 'convert');
    assert.ok(converts.length > 0 && events.indexOf(converts[0]!) > events.indexOf(last));
    assert.equal(converts.at(-1)!.tensorsDone, converts.at(-1)!.tensorsTotal);

    hub.reset();
    const second = await pull(VATEX);
    assert.deepEqual(second, { ...first, fromCache: true });
    assert.equal(hub.requests.length, 0);
  });

  it('converts to q8_0 unless asked otherwise', { skip: addonMissing() }, async () => {
    const result = await pullModel(VATEX, { endpoint: hub.url, cacheDir: cache.path, retry: FAST_RETRY });
    assert.equal(result.quantization, 'q8_0');
    assert.equal(result.ggufPath, join(cache.path, 'models', 'test--tiny-vatex', result.commit, 'tiny-vatex-q8_0.gguf'));
    const gguf = await readGgufMetadata(result.ggufPath);
    assert.equal(gguf.kv.get('general.file_type')?.value, 7); // MOSTLY_Q8_0
    assert.ok(gguf.tensors.some((t) => t.typeName === 'q8_0'));
  });

  it('works offline from the cache, and says what to do when the cache has nothing', async () => {
    await pull(VATEX);
    hub.reset();
    process.env.HF_HUB_OFFLINE = '1';
    assert.equal((await pull(VATEX)).fromCache, true);
    await assert.rejects(pull(VATEX, { quantization: 'f32', revision: 'v2' }), {
      code: 'E_NOT_FOUND',
      message: `test/tiny-vatex (revision v2, f32) is not in the cache at ${cache.path} nor in the Hugging Face cache at ${join(cache.path, 'no-hf-cache')}, and offline mode (HF_HUB_OFFLINE or the offline option) forbids downloading it: run "gitcap pull test/tiny-vatex --revision v2 --quant f32" once while online`,
    });
    assert.equal(hub.requests.length, 0);
  });

  it('keeps the source with keepSource and converts other types from it, online and offline', async () => {
    const first = await pull(VATEX, { keepSource: true });
    const source = new RepoCache(cache.path, VATEX).sourceDir(first.commit);
    assert.ok((await readdir(source)).includes('model.safetensors'));

    hub.reset();
    const f32 = await pull(VATEX, { quantization: 'f32', keepSource: true });
    assert.equal(f32.fromCache, false);
    assert.deepEqual(hub.requests.map((r) => `${r.method} ${r.file}`), ['HEAD config.json']);

    await unlink(first.ggufPath);
    hub.reset();
    const offline = await pull(VATEX, { offline: true, keepSource: true });
    assert.deepEqual(offline, first);
    assert.equal(hub.requests.length, 0);

    // A kept source that lost a file is completed, not downloaded again.
    await unlink(first.ggufPath);
    await unlink(join(source, 'vocab.txt'));
    hub.reset();
    assert.deepEqual(await pull(VATEX, { keepSource: true }), first);
    assert.deepEqual(hub.requests.filter((r) => r.method === 'GET').map((r) => r.file), ['vocab.txt']);
  });

  it('resumes an interrupted pull with a Range request', async () => {
    const controller = new AbortController();
    const total = (await stat(join(VATEX_DIR, 'model.safetensors'))).size;
    await assert.rejects(
      pull(VATEX, {
        signal: controller.signal,
        onProgress: (p) => {
          if (p.phase === 'download' && p.file === 'model.safetensors' && p.bytesDone >= total / 2) controller.abort();
        },
      }),
      { code: 'E_ABORTED' },
    );
    const repo = new RepoCache(cache.path, VATEX);
    await assert.rejects(stat(repo.lockPath), { code: 'ENOENT' });
    const partial = (await stat(join(repo.sourceDir(hub.commitOf(VATEX)), 'model.safetensors.incomplete'))).size;
    hub.reset();
    const result = await pull(VATEX);
    assert.equal(result.fromCache, false);
    assert.deepEqual(
      hub.requests.filter((r) => r.kind === 'cdn').map((r) => r.range),
      [`bytes=${partial}-`],
    );
    // Files that were complete are not fetched again.
    assert.equal(hub.count({ method: 'GET', file: 'tokenizer.json' }), 0);
  });

  it('retries a 503 and succeeds', async () => {
    hub.addFault({ kind: 'resolve', method: 'HEAD', file: 'config.json', status: 503 });
    hub.addFault({ kind: 'cdn', file: 'model.safetensors', status: 503 });
    assert.equal((await pull(VATEX)).fromCache, false);
    assert.equal(hub.count({ kind: 'cdn', method: 'GET' }), 2);
  });

  it('fails with E_MODEL_FORMAT on a corrupt download and caches nothing', async () => {
    hub.addFault({ kind: 'cdn', file: 'model.safetensors', corrupt: true });
    await assert.rejects(pull(VATEX), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'E_MODEL_FORMAT');
      assert.match(err.message, /^Downloaded model\.safetensors of test\/tiny-vatex does not match its sha256 checksum \(expected [0-9a-f]{64}, received [0-9a-f]{64}\): the damaged download was removed, run again$/);
      return true;
    });
    const commitDir = join(cache.path, 'models', 'test--tiny-vatex', hub.commitOf(VATEX));
    assert.deepEqual(await readdir(commitDir), ['source']);
    assert.equal((await pull(VATEX)).fromCache, false);
  });

  it('maps missing repositories, revisions and refused access to typed errors', async () => {
    await assert.rejects(pull('test/nope'), {
      code: 'E_AUTH',
      message: 'test/nope was not found or needs authentication (HTTP 401): check the name, or set HF_TOKEN or pass token for a private repository',
    });
    await assert.rejects(pull('test/nope', { token: GOOD_TOKEN }), {
      code: 'E_NOT_FOUND',
      message: `Repository test/nope does not exist on ${hub.url}`,
    });
    await assert.rejects(pull(VATEX, { revision: 'v9' }), {
      code: 'E_NOT_FOUND',
      message: 'Revision "v9" does not exist in test/tiny-vatex',
    });
  });

  it('explains gated repositories and uses HF_TOKEN for them', async () => {
    await assert.rejects(pull('test/gated'), {
      code: 'E_AUTH',
      message: `test/gated is a gated repository: accept its conditions at ${hub.url}/test/gated, then set HF_TOKEN or pass token`,
    });
    await assert.rejects(pull('test/gated', { token: 'hf_wrong' }), {
      code: 'E_AUTH',
      message: `test/gated is a gated repository and the token has no access to it: accept its conditions at ${hub.url}/test/gated with the token's account`,
    });
    process.env.HF_TOKEN = GOOD_TOKEN;
    hub.reset();
    assert.equal((await pull('test/gated')).fromCache, false);
    assert.ok(hub.requests.filter((r) => r.kind === 'resolve').every((r) => r.authorization === `Bearer ${GOOD_TOKEN}`));
    assert.ok(hub.requests.filter((r) => r.kind === 'cdn').every((r) => r.authorization === undefined));
  });

  it('checks its options before anything else', async () => {
    await assert.rejects(pull(VATEX, { endpoint: 'ftp://x' }), {
      code: 'E_INVALID_ARG',
      message: 'Expected an http(s) URL for endpoint but received "ftp://x"',
    });
    await assert.rejects(pull(VATEX, { retry: { retries: -1, baseDelayMs: 1, maxDelayMs: 1 } }), {
      code: 'E_INVALID_ARG',
      message: 'Expected a non-negative integer for retry.retries but received -1 of type number',
    });
    await assert.rejects(pull(VATEX, { revision: '' }), {
      code: 'E_INVALID_ARG',
      message: 'Expected a branch, tag or commit for revision but received ""',
    });
    assert.equal(hub.requests.length, 0);
  });

  it('refuses a model that is not GIT before downloading weights', async () => {
    await assert.rejects(pull('test/bert'), {
      code: 'E_UNSUPPORTED',
      message: 'test/bert is a "bert" model; gitcap runs GIT models (model_type "git") only',
    });
    assert.equal(hub.count({ file: 'model.safetensors' }), 0);
  });

  it('does not keep a checkpoint the converter rejects', async () => {
    await assert.rejects(pull('test/broken'), { code: 'E_MODEL_FORMAT' });
    const repoDir = join(cache.path, 'models', 'test--broken');
    assert.deepEqual(await readdir(join(repoDir, hub.commitOf('test/broken'))), []);
  });

  it('falls back to pytorch_model.bin when the repository has no safetensors', async () => {
    const result = await pull('test/tiny-image-bin');
    const gguf = await readGgufMetadata(result.ggufPath);
    assert.equal(gguf.kv.get('general.architecture')?.value, 'git');
    const gets = hub.requests.filter((r) => r.method === 'GET').map((r) => r.file);
    assert.deepEqual(gets, ['config.json', ...PLAN_ORDER, 'pytorch_model.bin']);
    assert.equal(hub.count({ method: 'HEAD', file: 'pytorch_model.bin.index.json' }), 0);
  });

  it('follows sharded safetensors through their index', async () => {
    const sharded = await pull('test/sharded');
    assert.equal(await ggufMagic(sharded.ggufPath), 'GGUF');
    assert.equal(hub.count({ kind: 'cdn', file: SHARD }), 1);
  });

  it('follows the 307 of a renamed repository', async () => {
    const result = await pull('test/old-name');
    assert.equal(result.commit, hub.commitOf(VATEX));
    assert.equal(hub.count({ repo: 'test/old-name', method: 'HEAD' }) > 0, true);
  });

  it('goes through HTTPS_PROXY / HTTP_PROXY', async () => {
    process.env.HTTP_PROXY = hub.url;
    const result = await pull(VATEX, { endpoint: 'http://hub.invalid' });
    assert.equal(result.fromCache, false);
    assert.ok(hub.proxied.includes('hub.invalid:80'), hub.proxied.join(', '));
    assert.ok(hub.proxied.includes(new URL(hub.cdnUrl).host));
  });

  it('lets two processes pull the same model with one download', async () => {
    const repo = new RepoCache(cache.path, VATEX);
    const held = await acquireLock(repo.lockPath);
    const a = runChild('pull-child.ts', [hub.url, cache.path, VATEX]);
    const b = runChild('pull-child.ts', [hub.url, cache.path, VATEX]);
    await Promise.all([a.printed('waiting'), b.printed('waiting')]);
    await held.release();
    const results = await Promise.all([a.exit, b.exit]);
    for (const r of results) assert.equal(r.code, 0, r.stderr);
    const outputs = results.map((r) => JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { ggufPath: string; fromCache: boolean; blockedConnections: string[] });
    assert.deepEqual(outputs.map((o) => o.fromCache).sort(), [false, true]);
    assert.equal(outputs[0]!.ggufPath, outputs[1]!.ggufPath);
    assert.deepEqual(outputs.flatMap((o) => o.blockedConnections), []);
    assert.equal(hub.count({ kind: 'cdn', method: 'GET' }), 1);
    assert.equal(await ggufMagic(outputs[0]!.ggufPath), 'GGUF');
  });
});
