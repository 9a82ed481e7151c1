import './loopback-guard.js';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import * as pullCommand from '../../lib/cli/commands/pull.js';
import * as lsCommand from '../../lib/cli/commands/ls.js';
import * as rmCommand from '../../lib/cli/commands/rm.js';
import { blockedConnections } from './loopback-guard.js';
import { MockHub } from './mock-hub.js';
import { tempDir, vatexRepo } from './helpers.js';

const VATEX = 'test/tiny-vatex';

/** Runs a command with stdout and stderr captured. */
async function capture(run: () => Promise<number>): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = { stdout: '', stderr: '' };
  const original = { stdout: process.stdout.write, stderr: process.stderr.write };
  process.stdout.write = ((chunk: string) => ((out.stdout += chunk), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string) => ((out.stderr += chunk), true)) as typeof process.stderr.write;
  try {
    return { code: await run(), ...out };
  } finally {
    process.stdout.write = original.stdout;
    process.stderr.write = original.stderr;
  }
}

describe('gitcap pull / ls / rm', () => {
  let hub: MockHub;
  let cache: { path: string; remove: () => Promise<void> };
  const savedEnv = { ...process.env };

  before(async () => {
    hub = await MockHub.start([vatexRepo(VATEX)]);
  });
  after(async () => {
    await hub.close();
    assert.deepEqual(blockedConnections, []);
  });
  beforeEach(async () => {
    cache = await tempDir();
    hub.reset();
    process.env.HF_ENDPOINT = hub.url;
    process.env.GITCAP_CACHE = cache.path;
    process.env.HF_HUB_CACHE = join(cache.path, 'no-hf-cache');
    delete process.env.HF_HUB_OFFLINE;
    delete process.env.HF_TOKEN;
  });
  afterEach(async () => {
    process.env = { ...savedEnv };
    await cache.remove();
  });

  it('pulls, lists and removes a model', async () => {
    const commit = hub.commitOf(VATEX);
    const gguf = join(cache.path, 'models', 'test--tiny-vatex', commit, 'tiny-vatex-f16.gguf');
    const pulled = await capture(() => pullCommand.run([VATEX, '--quant', 'f16', '--keep-source']));
    assert.equal(pulled.code, 0);
    assert.equal(pulled.stdout, `${gguf}\n`);
    assert.match(pulled.stderr, /^Downloading config\.json \(1\/8\)\n/);
    assert.match(pulled.stderr, /\nConverting to tiny-vatex-f16\.gguf\n/);
    assert.ok(pulled.stderr.endsWith(`test/tiny-vatex f16 (commit ${commit.slice(0, 12)}): downloaded and converted\n`));

    const again = await capture(() => pullCommand.run([VATEX, '--quant', 'f16']));
    assert.deepEqual(again, {
      code: 0,
      stdout: `${gguf}\n`,
      stderr: `test/tiny-vatex f16 (commit ${commit.slice(0, 12)}): cached\n`,
    });

    const listed = await capture(() => lsCommand.run([]));
    const lines = listed.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 3);
    assert.match(lines[0]!, /^REPO +REVISION +COMMIT +QUANT +SIZE +FROM +PATH$/);
    assert.match(lines[1]!, new RegExp(`^test/tiny-vatex +main +${commit.slice(0, 12)} +f16 +[0-9.]+ MB +hub +${gguf}$`));
    assert.match(lines[2]!, new RegExp(`^test/tiny-vatex +main +${commit.slice(0, 12)} +source +[0-9.]+ MB +hub +${join(cache.path, 'models', 'test--tiny-vatex', commit, 'source')}$`));
    const json = JSON.parse((await capture(() => lsCommand.run(['--json']))).stdout) as { path: string; bytes: number }[];
    assert.equal(json[0]!.path, gguf);
    assert.equal(json[0]!.bytes, (await stat(gguf)).size);

    const removed = await capture(() => rmCommand.run([VATEX, '--quant', 'f16']));
    assert.equal(removed.stdout, `Removed ${gguf}\n`);
    assert.match(removed.stderr, /^Freed [0-9.]+ MB\n$/);
    await assert.rejects(stat(gguf), { code: 'ENOENT' });
    await assert.rejects(capture(() => rmCommand.run([VATEX, '--quant', 'f16'])), {
      code: 'E_NOT_FOUND',
      message: `No cached model matches test/tiny-vatex (f16) in ${cache.path}`,
    });
    const all = await capture(() => rmCommand.run([VATEX]));
    assert.equal(all.stdout, `Removed ${join(cache.path, 'models', 'test--tiny-vatex', commit, 'source')}\n`);
    assert.deepEqual(await capture(() => lsCommand.run([])), { code: 0, stdout: '', stderr: `No models in ${cache.path}\n` });
  });

  it('rejects bad arguments with the usage line', async () => {
    await assert.rejects(pullCommand.run([VATEX, '--quant', 'q3']), {
      code: 'E_INVALID_ARG',
      message: 'Expected one of f32, f16, q4_0, q4_1, q5_0, q5_1, q8_0, q4_K, q5_K, q6_K for quantization but received "q3"',
    });
    await assert.rejects(pullCommand.run([VATEX, '--force']), {
      code: 'E_INVALID_ARG',
      message: `Unknown option "--force"\nUsage: gitcap pull [<repo>] [--quant <type>] [--revision <rev>] [--keep-source] [--update] [--hf-cache]`,
    });
    await assert.rejects(rmCommand.run([]), {
      code: 'E_INVALID_ARG',
      message: 'Missing <repo> or <folder>\nUsage: gitcap rm <repo|folder> [--quant <type>]',
    });
    await assert.rejects(lsCommand.run(['extra']), {
      code: 'E_INVALID_ARG',
      message: 'Unexpected argument "extra"\nUsage: gitcap ls [--json]',
    });
  });

  it('prints its usage with --help', async () => {
    const help = await capture(() => pullCommand.run(['--help']));
    assert.deepEqual(help, { code: 0, stdout: `Usage: ${pullCommand.usage}\n`, stderr: '' });
    assert.equal(typeof pullCommand.summary, 'string');
  });
});
