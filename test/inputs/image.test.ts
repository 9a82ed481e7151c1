// lib/inputs/image.ts: what callers may pass as a picture, and the exact errors otherwise.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { GitcapError, type GitcapErrorCode } from '../../core/errors.js';
import { DEFAULT_MAX_PIXELS, loadImage, resolveImageSource, type ImageInput } from '../../lib/inputs/image.js';
import { FIXTURES, fixtureBytes, parity, sha256 } from './image-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'gitcap-image-'));
writeFileSync(join(dir, 'empty.png'), new Uint8Array(0));
after(() => rmSync(dir, { recursive: true, force: true }));

async function rejects(promise: Promise<unknown>, code: GitcapErrorCode, message: string): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof GitcapError, `not a GitcapError: ${String(err)}`);
    assert.equal(err.code, code);
    assert.equal(err.message, message);
    return true;
  });
}

describe('loadImage', () => {
  const jpeg = parity.decode.find((c) => c.file === 'image-decode/jpg_420.jpg')!;

  test('a file path, a Buffer and a Uint8Array give the same pixels', async () => {
    const fromPath = await loadImage(join(FIXTURES, jpeg.file));
    const fromBuffer = await loadImage(fixtureBytes(jpeg.file));
    const fromView = await loadImage(new Uint8Array(fixtureBytes(jpeg.file)));
    for (const d of [fromPath, fromBuffer, fromView]) {
      assert.deepEqual([d.width, d.height, d.channels, d.mode, d.format], [jpeg.width, jpeg.height, 3, 'RGB', 'jpeg']);
      assert.equal(sha256(d.data), jpeg.sha256);
    }
  });

  test('raw pixels come back as they are, channels inferred for RGB and RGBA', async () => {
    const rgba = new Uint8ClampedArray(4 * 3 * 4).fill(9);
    const d = await loadImage({ data: rgba, width: 4, height: 3 });
    assert.deepEqual([d.width, d.height, d.channels, d.mode, d.format], [4, 3, 4, 'RGBA', 'raw']);
    assert.equal(d.data.buffer, rgba.buffer);
    const rgb = await loadImage({ data: new Uint8Array(36), width: 4, height: 3 });
    assert.deepEqual([rgb.channels, rgb.mode], [3, 'RGB']);
    const grey = await loadImage({ data: new Uint8Array(12), width: 4, height: 3, channels: 1 });
    assert.deepEqual([grey.channels, grey.mode], [1, 'L']);
  });

  test('maxPixels applies to files and raw pixels', async () => {
    await rejects(loadImage(fixtureBytes(jpeg.file), { maxPixels: 100 }), 'E_INPUT',
      `Image of ${jpeg.width}x${jpeg.height} pixels (${jpeg.width * jpeg.height}) exceeds the limit of 100 pixels (maxPixels)`);
    await rejects(loadImage({ data: new Uint8Array(300), width: 10, height: 10 }, { maxPixels: 99 }), 'E_INPUT',
      'Image of 10x10 pixels (100) exceeds the limit of 99 pixels (maxPixels)');
    assert.equal(DEFAULT_MAX_PIXELS, 100_000_000);
  });

  const errors: Array<[string, () => Promise<unknown>, GitcapErrorCode, string]> = [
    ['missing file', () => loadImage(join(FIXTURES, 'no-such.png')), 'E_NOT_FOUND', `${join(FIXTURES, 'no-such.png')}: no such file`],
    ['empty file', () => loadImage(join(dir, 'empty.png')), 'E_INPUT', `${join(dir, 'empty.png')}: the file is empty`],
    ['a folder', () => loadImage(dir), 'E_IO', `${dir}: cannot read the file (EISDIR: illegal operation on a directory, read)`],
    ['empty path', () => loadImage(''), 'E_INVALID_ARG', 'Expected a non-empty path for image but received "" of type string'],
    ['empty bytes', () => loadImage(new Uint8Array(0)), 'E_INPUT', 'image is empty (0 bytes)'],
    ['not an image', () => loadImage(new TextEncoder().encode('hello')), 'E_INPUT', 'Unrecognized image data: expected a PNG, JPEG or GIF file'],
    ['a number', () => loadImage(42 as unknown as ImageInput), 'E_INVALID_ARG',
      'Expected a file path, a Uint8Array of an encoded image or a raw image { data, width, height } for image but received 42 of type number'],
    ['raw data not bytes', () => loadImage({ data: [1, 2, 3] as never, width: 1, height: 1 }), 'E_INVALID_ARG',
      'Expected a Uint8Array for image.data but received an array of length 3'],
    ['raw width 0', () => loadImage({ data: new Uint8Array(3), width: 0, height: 1 }), 'E_INVALID_ARG',
      'Expected integer between 1 and 16777216 for image.width but received 0 of type number'],
    ['raw height fractional', () => loadImage({ data: new Uint8Array(3), width: 1, height: 1.5 }), 'E_INVALID_ARG',
      'Expected integer between 1 and 16777216 for image.height but received 1.5 of type number'],
    ['raw channels 5', () => loadImage({ data: new Uint8Array(5), width: 1, height: 1, channels: 5 }), 'E_INVALID_ARG',
      'Expected 1, 2, 3 or 4 for image.channels but received 5 of type number'],
    ['raw length, channels given', () => loadImage({ data: new Uint8Array(5), width: 2, height: 1, channels: 3 }), 'E_INPUT',
      'image.data has 5 bytes but width * height * channels is 2 * 1 * 3 = 6'],
    ['raw length, channels inferred', () => loadImage({ data: new Uint8Array(5), width: 2, height: 1 }), 'E_INPUT',
      'image.data has 5 bytes, neither width * height * 3 (6) nor width * height * 4 (8): give image.channels'],
    ['maxPixels 0', () => loadImage(new Uint8Array(3), { maxPixels: 0 }), 'E_INVALID_ARG',
      'Expected integer between 1 and 9007199254740991 for maxPixels but received 0 of type number'],
  ];
  for (const [what, call, code, message] of errors) {
    test(`error: ${what}`, () => rejects(call(), code, message));
  }
});

describe('resolveImageSource', () => {
  test('keeps files encoded and names the argument in errors', async () => {
    const bytes = await resolveImageSource(join(FIXTURES, 'inputs/tiny_20x15.png'), 'input.frames[2]');
    assert.ok(bytes instanceof Uint8Array);
    assert.equal(sha256(bytes), sha256(fixtureBytes('inputs/tiny_20x15.png')));
    await rejects(resolveImageSource({ data: new Uint8Array(2), width: 1, height: 1 }, 'input.frames[2]'), 'E_INPUT',
      'input.frames[2].data has 2 bytes, neither width * height * 3 (3) nor width * height * 4 (4): give input.frames[2].channels');
  });
});
