// Bad model files give a typed error with a clear message, never a crash.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GitModel } from '../../lib/index.js';
import { fixtureGguf } from './goldens.js';

let dir: string;
let good: Buffer;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gitcap-load-'));
  good = await readFile(await fixtureGguf('tiny-image', 'f32'));
});

after(() => rm(dir, { recursive: true, force: true }));

/** `good` with the first occurrence of `from` (in the header) replaced by `to` (same length). */
function patched(from: string, to: string): Buffer {
  const copy = Buffer.from(good);
  const at = copy.indexOf(Buffer.from(from, 'latin1'));
  assert.ok(at > 0, `${from} not found`);
  copy.write(to, at, 'latin1');
  return copy;
}

async function loadBytes(name: string, bytes: Buffer) {
  const path = join(dir, name);
  await writeFile(path, bytes);
  return GitModel.load(path, { backend: 'cpu', threads: 1 });
}

describe('GitModel.load with bad files', () => {
  it('rejects a file that is not a GGUF', async () => {
    await assert.rejects(loadBytes('text.gguf', Buffer.from('not a model at all')), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'E_MODEL_FORMAT');
      assert.match(err.message, /text\.gguf: not a GGUF file \(convert a Hugging Face checkpoint with `gitcap convert`\)$/);
      return true;
    });
  });

  it('rejects an empty file', async () => {
    await assert.rejects(loadBytes('empty.gguf', Buffer.alloc(0)), { code: 'E_MODEL_FORMAT' });
  });

  it('rejects a truncated header', async () => {
    await assert.rejects(loadBytes('header.gguf', good.subarray(0, 4096)), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'E_MODEL_FORMAT');
      assert.match(err.message, /header\.gguf: corrupt or truncated GGUF header$/);
      return true;
    });
  });

  it('rejects truncated tensor data', async () => {
    await assert.rejects(loadBytes('short.gguf', good.subarray(0, good.length - 1000)), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'E_MODEL_FORMAT');
      assert.match(err.message, /short\.gguf: (tensor '[^']+' extends past the end of the file|corrupt or truncated GGUF header)/);
      return true;
    });
  });

  it('rejects another architecture', async () => {
    const bytes = patched('\u0003\u0000\u0000\u0000\u0000\u0000\u0000\u0000git', '\u0003\u0000\u0000\u0000\u0000\u0000\u0000\u0000gpt');
    await assert.rejects(loadBytes('arch.gguf', bytes), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'E_UNSUPPORTED');
      assert.match(err.message, /arch\.gguf: model architecture is 'gpt', expected 'git' \(GitForCausalLM\): gitcap runs GIT models only$/);
      return true;
    });
  });

  it('names a missing tensor', async () => {
    await assert.rejects(loadBytes('missing.gguf', patched('output.bias', 'outpux.bias')), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'E_MODEL_FORMAT');
      assert.match(err.message, /missing\.gguf: missing tensor 'output\.bias'$/);
      return true;
    });
  });

  it('names a key of the wrong type or range', async () => {
    await assert.rejects(loadBytes('key.gguf', patched('git.block_count', 'git.block_cnt__')), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'E_MODEL_FORMAT');
      assert.match(err.message, /key\.gguf: missing key 'git\.block_count'/);
      return true;
    });
  });

  it('rejects a missing path and a folder that is not a checkpoint', async () => {
    await assert.rejects(GitModel.load(join(dir, 'nope.gguf')), { code: 'E_NOT_FOUND' });
    await assert.rejects(GitModel.load(dir), (err: Error & { code?: string }) => ['E_NOT_FOUND', 'E_MODEL_FORMAT'].includes(err.code!));
  });

  it('rejects bad options with exact messages', async () => {
    const path = await fixtureGguf('tiny-image', 'f32');
    await assert.rejects(GitModel.load(path, { backend: 'tpu' as never }), {
      code: 'E_INVALID_ARG',
      message: 'Expected one of auto, cpu, cuda, metal, vulkan for backend but received "tpu" of type string',
    });
    await assert.rejects(GitModel.load(path, { threads: 0 }), {
      code: 'E_INVALID_ARG',
      message: 'Expected integer between 1 and 1024 for threads but received 0 of type number',
    });
  });

  it('says when a named backend is not in this build', async () => {
    const path = await fixtureGguf('tiny-image', 'f32');
    await assert.rejects(GitModel.load(path, { backend: 'vulkan' }), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'E_BACKEND');
      assert.match(err.message, /^backend 'vulkan' is not available \(devices found: CPU\); build gitcap from source with -DGITCAP_VULKAN=ON/);
      return true;
    });
  });
});
