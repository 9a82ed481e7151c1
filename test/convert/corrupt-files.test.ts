// The malformed checkpoints kept in test/fixtures/corrupt/ (inputs that once crashed the process or
// escaped as untyped errors): each gives its typed error, quickly, with no raw bytes in the message.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { convertCheckpoint } from '../../weights-convert/index.js';
import { copyModelFiles, FIXTURES, tempDir } from './helpers.js';

const CORRUPT = join(FIXTURES, 'corrupt');

const CASES: { file: string; code: string; message: RegExp }[] = [
  { file: 'zip-directory-beyond-file.bin', code: 'E_MODEL_FORMAT', message: /central directory \(\d+ bytes at 4294967280\) reaches past its end record/ },
  { file: 'zip64-directory-offset-2e62.bin', code: 'E_MODEL_FORMAT', message: /zip64 central directory offset 4611686018427387904 is out of range/ },
  { file: 'zip-local-header-beyond-file.bin', code: 'E_MODEL_FORMAT', message: /entry archive\/data.pkl \(\d+ bytes at 2147483632\) reaches past the end of the file/ },
  { file: 'pickle-appends-300k-items.bin', code: 'E_MODEL_FORMAT', message: /pickle does not hold a dict of tensors/ },
  { file: 'pickle-binary-global-name.bin', code: 'E_MODEL_FORMAT', message: /pickle refers to os\\x1b\[2J\\x00\\x07A+\.\.\. \(5015 characters in all\); only tensors/ },
];

describe('checkpoints in test/fixtures/corrupt', () => {
  let root: Awaited<ReturnType<typeof tempDir>>;
  before(async () => (root = await tempDir()));
  after(() => root.remove());

  for (const c of CASES) {
    it(c.file, async () => {
      const dir = join(root.path, c.file);
      await copyModelFiles(join(FIXTURES, 'tiny-vatex'), dir);
      await copyFile(join(CORRUPT, c.file), join(dir, 'pytorch_model.bin'));
      const started = performance.now();
      const err = await convertCheckpoint(dir, join(root.path, `${c.file}.gguf`), { type: 'f16' }).then(
        () => assert.fail('converted a corrupt checkpoint'),
        (e: unknown) => e as Error & { code: string },
      );
      assert.equal(err.name, 'GitcapError', String(err.stack));
      assert.equal(err.code, c.code);
      assert.match(err.message, c.message);
      assert.doesNotMatch(err.message, /[\x00-\x08\x0e-\x1f\x7f]/, 'no raw control bytes in the message');
      // A fast rejection takes milliseconds (the config and vocabulary read before the weights
      // included); the bound is loose for shared CI machines, yet far below a spin or a hang.
      assert.ok(performance.now() - started < 5000, 'rejected within seconds');
    });
  }
});
