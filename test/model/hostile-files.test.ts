// Model files made to break the loader: each is a typed error, quickly. The dims-overflow, zero-dim
// and kv-type files (and the cut one) are undefined behaviour in an unpatched ggml, which the sanitizer build of .ci/run
// turns into a failure.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GitModel } from '../../lib/index.js';
import { fixtureGguf } from './goldens.js';

const CORRUPT = join(import.meta.dirname, '..', 'fixtures', 'corrupt');
let dir: string;
before(async () => (dir = await mkdtemp(join(tmpdir(), 'gitcap-hostile-'))));
after(() => rm(dir, { recursive: true, force: true }));

/** `gguf` with the u32 value of metadata key `key` set to `value`. */
function withU32(gguf: Buffer, key: string, value: number): Buffer {
  const copy = Buffer.from(gguf);
  const at = copy.indexOf(Buffer.from(key, 'latin1'));
  assert.ok(at > 0, `${key} not found`);
  assert.equal(copy.readUInt32LE(at + key.length), 4, `${key} is a u32`);
  copy.writeUInt32LE(value, at + key.length + 4);
  return copy;
}

async function loadRejects(name: string, bytes: Buffer, code: string, message: RegExp): Promise<void> {
  const path = join(dir, name);
  await writeFile(path, bytes);
  const started = performance.now();
  await assert.rejects(GitModel.load(path, { backend: 'cpu', threads: 1 }), (err: Error & { code?: string }) => {
    assert.equal(err.name, 'GitcapError');
    assert.equal(err.code, code);
    assert.match(err.message, message);
    return true;
  });
  // milliseconds on an idle machine; loose for shared CI machines, yet far below a spin or a hang
  assert.ok(performance.now() - started < 5000, 'rejected within seconds');
}

describe('GitModel.load with hostile files', () => {
  it('rejects tensor dims whose product overflows', async () => {
    await loadRejects('dims.gguf', await readFile(join(CORRUPT, 'gguf-dims-overflow.gguf')), 'E_MODEL_FORMAT', /corrupt or truncated GGUF header/);
  });

  it('rejects a tensor with a zero dim whose other dims overflow (a fuzzing finding)', async () => {
    await loadRejects('zero-dim.gguf', await readFile(join(CORRUPT, 'gguf-zero-dim-overflow.gguf')), 'E_MODEL_FORMAT', /corrupt or truncated GGUF header/);
  });

  it('rejects a file cut inside a metadata value type (a fuzzing finding)', async () => {
    await loadRejects('cut-kv-type.gguf', await readFile(join(CORRUPT, 'gguf-truncated-kv-type.gguf')), 'E_MODEL_FORMAT', /corrupt or truncated GGUF header/);
  });

  it('rejects a metadata value type outside the GGUF types (a fuzzing finding)', async () => {
    await loadRejects('kv-type.gguf', await readFile(join(CORRUPT, 'gguf-kv-type-outside-enum.gguf')), 'E_MODEL_FORMAT', /corrupt or truncated GGUF header/);
  });

  it('rejects a crop the vision tower cannot take', async () => {
    const good = await readFile(await fixtureGguf('tiny-image', 'f16'));
    const huge = withU32(withU32(good, 'git.image.crop_height', 40000), 'git.image.crop_width', 40000);
    await loadRejects('crop.gguf', huge, 'E_UNSUPPORTED', /git\.image\.crop_height\/width 40000x40000 does not match the vision image_size 224x224/);
  });

  it('rejects a resize far beyond the vision tower', async () => {
    const good = await readFile(await fixtureGguf('tiny-image', 'f16'));
    await loadRejects('edge.gguf', withU32(good, 'git.image.shortest_edge', 40000), 'E_UNSUPPORTED',
      /git\.image\.shortest_edge = 40000 is more than 4 times the vision image_size 224/);
  });
});
