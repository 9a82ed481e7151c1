import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { readGgufMetadata } from '../../weights-convert/index.js';
import { tempDir, TINY_VATEX } from './helpers.js';

const MAIN = join(import.meta.dirname, '..', '..', 'lib', 'cli', 'main.ts');

function gitcap(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('gitcap convert', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  before(async () => (dir = await tempDir()));
  after(() => dir.remove());

  it('writes the GGUF, prints its path, and reports on stderr without a bar when not a terminal', async () => {
    const out = join(dir.path, 'vatex.gguf');
    const r = await gitcap(['convert', TINY_VATEX, '-o', out, '--type', 'f16', '--weights', 'model-f16.safetensors', '--name', 'tiny']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${out}\n`);
    assert.match(r.stderr, /^Wrote 87 tensors \(4\.\d\d MB, f16\) in \d+\.\d s\n$/);
    const meta = await readGgufMetadata(out);
    assert.equal(meta.kv.get('general.name')!.value, 'tiny');
  });

  it('exits 2 on a usage mistake and 1 on a conversion error, with the message', async () => {
    const noOut = await gitcap(['convert', TINY_VATEX]);
    assert.deepEqual([noOut.code, noOut.stderr], [2, `gitcap convert: Missing -o <out.gguf>\nUsage: gitcap convert <hf-dir> -o <out.gguf> [--type <type>] [--output-type <type>] [--token-embd-type <type>]\n`]);
    const badType = await gitcap(['convert', TINY_VATEX, '-o', join(dir.path, 'x.gguf'), '--output-type', 'q2_K']);
    assert.equal(badType.code, 2);
    assert.equal(badType.stderr, 'gitcap convert: Expected one of f32, f16, q4_0, q4_1, q5_0, q5_1, q8_0, q4_K, q5_K, q6_K for --output-type but received "q2_K"\nUsage: gitcap convert <hf-dir> -o <out.gguf> [--type <type>] [--output-type <type>] [--token-embd-type <type>]\n');
    const missing = join(dir.path, 'nothing');
    const failed = await gitcap(['convert', missing, '-o', join(dir.path, 'y.gguf')]);
    assert.deepEqual([failed.code, failed.stdout, failed.stderr], [1, '', `gitcap convert: ${join(missing, 'config.json')}: file not found (E_NOT_FOUND)\n`]);
  });
});
