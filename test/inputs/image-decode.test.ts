// Decoding: every PNG colour type and bit depth, JPEG sampling layouts, progressive, CMYK and GIF
// against Pillow's pixels; the broken-input corpus against its exact errors.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GitcapError, type GitcapErrorCode } from '../../core/errors.js';
import { callNative, getAddon } from '../../lib/native/binding.js';
import { fixtureBytes, parity, sha256 } from './image-helpers.js';

const MAX = 100_000_000;

function decodeError(bytes: Uint8Array, maxPixels = MAX): GitcapError {
  try {
    callNative((a) => a.decodeImage(bytes, maxPixels));
  } catch (err) {
    assert.ok(err instanceof GitcapError, `not a GitcapError: ${String(err)}`);
    return err;
  }
  assert.fail('decoding succeeded');
}

describe('decoded pixels equal Pillow\'s (test/fixtures/image-decode)', () => {
  for (const c of parity.decode) {
    test(c.file, () => {
      const d = getAddon().decodeImage(fixtureBytes(c.file), MAX);
      assert.deepEqual(
        { mode: d.mode, width: d.width, height: d.height, channels: d.channels },
        { mode: c.mode, width: c.width, height: c.height, channels: c.channels },
      );
      assert.equal(d.data.length, d.width * d.height * d.channels);
      assert.equal(sha256(d.data), c.sha256);
      assert.equal(d.format, c.file.endsWith('.png') ? 'png' : c.file.endsWith('.gif') ? 'gif' : 'jpeg');
    });
  }

  test('the fixture inputs decode to their sizes and modes', () => {
    const expected: Record<string, [number, number, string]> = {
      'inputs/photo_640x480.jpg': [640, 480, 'RGB'],
      'inputs/odd_333x500.jpg': [333, 500, 'RGB'],
      'inputs/rgba_300x200.png': [300, 200, 'RGBA'],
      'inputs/gray_256x320.png': [256, 320, 'L'],
      'inputs/palette_200x150.png': [200, 150, 'P'],
    };
    for (const [file, [width, height, mode]] of Object.entries(expected)) {
      const d = getAddon().decodeImage(fixtureBytes(file), MAX);
      assert.deepEqual([d.width, d.height, d.mode], [width, height, mode], file);
    }
  });
});

describe('broken inputs fail with a typed error (test/fixtures/image-broken)', () => {
  const corpus: Array<[string, GitcapErrorCode, string]> = [
    ['truncated.png', 'E_INPUT', 'Corrupt or truncated PNG image (outofdata)'],
    ['truncated.jpg', 'E_INPUT', 'Corrupt or truncated JPEG image (missing end-of-image marker)'],
    ['no_end_marker.jpg', 'E_INPUT', 'Corrupt or truncated JPEG image (missing end-of-image marker)'],
    ['truncated.gif', 'E_INPUT', 'Corrupt or truncated GIF image (unknown code)'],
    ['zero_width.png', 'E_INPUT', 'Corrupt or truncated PNG image (0-pixel image)'],
    ['huge_100000x100000.png', 'E_INPUT', 'Image of 100000x100000 pixels (10000000000) exceeds the limit of 100000000 pixels (maxPixels)'],
    ['huge_65000x65000.jpg', 'E_INPUT', 'Image of 65000x65000 pixels (4225000000) exceeds the limit of 100000000 pixels (maxPixels)'],
    ['bad_header.jpg', 'E_INPUT', 'Corrupt or truncated JPEG image (bad APP len)'],
    ['not_an_image.txt', 'E_INPUT', 'Unrecognized image data: expected a PNG, JPEG or GIF file'],
    ['header.webp', 'E_UNSUPPORTED', 'WebP images are not supported: convert to PNG or JPEG'],
  ];
  for (const [file, code, message] of corpus) {
    test(file, () => {
      const err = decodeError(fixtureBytes(`image-broken/${file}`));
      assert.equal(err.code, code);
      assert.equal(err.message, message);
    });
  }

  test('a PNG whose first IDAT chunk is empty (a fuzzing finding: memcpy to NULL in stb_image, which the sanitizer build reports)', () => {
    const err = decodeError(fixtureBytes('corrupt/png-empty-first-idat.png'));
    assert.deepEqual([err.code, err.message], ['E_INPUT', 'Corrupt or truncated PNG image (no IDAT)']);
  });

  test('a JPEG whose entropy-coded data runs out of bits (a fuzzing finding: a shift by 34 in stb_image, which the sanitizer build reports)', () => {
    const err = decodeError(fixtureBytes('corrupt/jpeg-code-bits-negative.jpg'));
    assert.deepEqual([err.code, err.message], ['E_INPUT', 'Corrupt or truncated JPEG image (unknown marker)']);
  });

  test('a PNG whose IDAT chunk claims 2 GiB (a fuzzing finding: stb_image grew its buffer to it; the sanitizer run caps allocations at 1 GiB)', () => {
    const err = decodeError(fixtureBytes('corrupt/png-idat-length-2gib.png'));
    assert.deepEqual([err.code, err.message], ['E_INPUT', 'Corrupt or truncated PNG image (outofdata)']);
  });

  test('empty buffer', () => {
    const err = decodeError(new Uint8Array(0));
    assert.deepEqual([err.code, err.message], ['E_INPUT', 'Image data is empty']);
  });

  test('maxPixels is checked from the header, for every format', () => {
    for (const file of ['inputs/photo_640x480.jpg', 'inputs/rgba_300x200.png', 'image-decode/gif_animated.gif']) {
      const d = getAddon().decodeImage(fixtureBytes(file), MAX);
      const pixels = d.width * d.height;
      assert.equal(getAddon().decodeImage(fixtureBytes(file), pixels).width, d.width);
      const err = decodeError(fixtureBytes(file), pixels - 1);
      assert.equal(err.message, `Image of ${d.width}x${d.height} pixels (${pixels}) exceeds the limit of ${pixels - 1} pixels (maxPixels)`);
    }
  });

  test('a huge image within maxPixels is refused by the decoder, not allocated', () => {
    const err = decodeError(fixtureBytes('image-broken/huge_100000x100000.png'), 1e12);
    assert.deepEqual([err.code, err.message], ['E_INPUT', 'PNG image is too large to decode (over 1 GiB of pixels)']);
  });

  test('every prefix of a PNG and a JPEG fails cleanly or decodes', () => {
    for (const file of ['image-decode/png_rgb8_adam7.png', 'image-decode/jpg_420_progressive.jpg']) {
      const bytes = fixtureBytes(file);
      for (let n = 0; n < bytes.length; n += 7) {
        try {
          callNative((a) => a.decodeImage(bytes.subarray(0, n), MAX));
        } catch (err) {
          assert.ok(err instanceof GitcapError && err.code === 'E_INPUT', `${file}[0, ${n}): ${String(err)}`);
        }
      }
    }
  });

  const badArgs: Array<[string, () => unknown, string]> = [
    ['not bytes', () => getAddon().decodeImage('x.png' as never, MAX), 'Expected a Uint8Array for the image bytes'],
    ['maxPixels 0', () => getAddon().decodeImage(new Uint8Array(4), 0), 'Expected integer between 1 and 9007199254740991 for maxPixels'],
    ['maxPixels missing', () => (getAddon().decodeImage as (b: Uint8Array) => unknown)(new Uint8Array(4)),
      'Expected integer between 1 and 9007199254740991 for maxPixels'],
  ];
  for (const [what, call, message] of badArgs) {
    test(`argument: ${what}`, () => {
      assert.throws(() => callNative(call as never), (err: unknown) => err instanceof GitcapError && err.code === 'E_INVALID_ARG' && err.message === message);
    });
  }
});
