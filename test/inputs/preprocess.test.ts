// Preprocessing parity: the native image processors against the goldens (transformers' output)
// and against Pillow + numpy for both processors, other sizes, crops and every PIL filter.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { GitcapError } from '../../core/errors.js';
import { callNative, getAddon } from '../../lib/native/binding.js';
import type { RawPixels, RawPreprocessParams } from '../../lib/native/image-types.js';
import { goldens, pixelValues, readSafetensors } from '../model/goldens.js';
import { byteDiff, FIXTURES, fixtureBytes, paramsOfModel, parity, sha256 } from './image-helpers.js';

const decoded = new Map<string, RawPixels>();
function decode(file: string): RawPixels {
  let image = decoded.get(file);
  if (!image) {
    image = getAddon().decodeImage(fixtureBytes(file), 100_000_000);
    decoded.set(file, image);
  }
  return image;
}

describe('goldens: resized_cropped_u8 and pixel_values of every case', () => {
  const intermediates = readSafetensors(join(FIXTURES, 'goldens/intermediates_u8.safetensors'));
  for (const [name, c] of Object.entries(goldens.cases)) {
    const golden = intermediates.get(`${name}.resized_cropped_u8`);
    if (!golden) continue; // same inputs as an earlier case
    test(name, () => {
      const params = paramsOfModel(c.model);
      const plane = 224 * 224 * 3;
      c.inputs.forEach((file, i) => {
        const ours = getAddon().preprocessDebug(decode(file), params);
        assert.deepEqual([ours.height, ours.width, ours.channels], [224, 224, 3]);
        const diff = byteDiff(ours.data, golden.data.subarray(i * plane, (i + 1) * plane) as Uint8Array);
        assert.deepEqual(diff, { differing: 0, max: 0 }, `${file}: resized and cropped pixels differ`);
      });
      const px = getAddon().preprocessImages(c.inputs.map(decode), params);
      const expected = pixelValues(name);
      assert.deepEqual(px.dims, expected.dims);
      assert.equal(sha256(px.data), sha256(expected.data), 'pixel_values differ');
    });
  }
});

describe('Pillow parity (test/tools/pil_preprocess.py)', () => {
  const byProcessor = new Map<string, typeof parity.preprocess>();
  for (const c of parity.preprocess) byProcessor.set(c.processor, [...(byProcessor.get(c.processor) ?? []), c]);
  for (const [processor, cases] of byProcessor) {
    test(`${processor}: ${cases.length} images`, () => {
      const params = parity.processors[processor]!;
      for (const c of cases) {
        const image = decode(c.image);
        const u8 = getAddon().preprocessDebug(image, params);
        assert.deepEqual([u8.height, u8.width, u8.channels], c.resized.shape, `${c.image}: size`);
        assert.equal(sha256(u8.data), c.resized.sha256, `${c.image}: resized and cropped pixels`);
        const px = getAddon().preprocessImages([image], params);
        assert.deepEqual(px.dims, c.pixelValues.dims, `${c.image}: dims`);
        assert.equal(sha256(px.data), c.pixelValues.sha256, `${c.image}: pixel values`);
      }
    });
  }

  test('covers both processors, every PIL filter and the padding branch of center crop', () => {
    const filters = new Set(Object.values(parity.processors).map((p) => p.resample));
    assert.deepEqual([...filters].sort(), [0, 1, 2, 3, 4, 5]);
    assert.ok(parity.processors['se224-crop256-pad-bilinear']);
    assert.ok(parity.preprocess.length >= 140);
  });
});

describe('preprocessing', () => {
  const rgb = (width: number, height: number, channels = 3): RawPixels => ({
    data: new Uint8Array(width * height * channels).map((_, i) => (i * 37) % 256),
    width,
    height,
    channels,
  });

  test('grey, grey + alpha and RGBA pixels are converted as PIL convert("RGB") does', () => {
    const grey = rgb(40, 30, 1);
    const asRgb: RawPixels = { ...grey, channels: 3, data: new Uint8Array(grey.data.length * 3).map((_, i) => grey.data[Math.floor(i / 3)]!) };
    const la: RawPixels = { ...grey, channels: 2, data: new Uint8Array(grey.data.length * 2).map((_, i) => (i % 2 ? 7 : grey.data[i / 2]!)) };
    const p: RawPreprocessParams = { shortestEdge: 24, cropHeight: 20, cropWidth: 20 };
    const expected = getAddon().preprocessImages([asRgb], p);
    assert.equal(sha256(getAddon().preprocessImages([grey], p).data), sha256(expected.data));
    assert.equal(sha256(getAddon().preprocessImages([la], p).data), sha256(expected.data));
  });

  test('several images make one batch [n, 3, H, W]', () => {
    const px = getAddon().preprocessImages([rgb(64, 48), rgb(30, 90), rgb(50, 50, 4)], { shortestEdge: 32, cropHeight: 16, cropWidth: 24 });
    assert.deepEqual(px.dims, [3, 3, 16, 24]);
    assert.equal(px.data.length, 3 * 3 * 16 * 24);
  });

  const errors: Array<[string, () => unknown, string, string]> = [
    ['sizes differ without crop', () => getAddon().preprocessImages([rgb(64, 48), rgb(48, 64)], { doCenterCrop: false, shortestEdge: 32 }),
      'E_INPUT', 'Images preprocess to different sizes (42x32 and 32x42); give images of one size or enable center crop'],
    ['data too short', () => getAddon().preprocessImages([{ data: new Uint8Array(10), width: 4, height: 4, channels: 3 }], {}),
      'E_INPUT', 'images[0].data has 10 bytes but width * height * channels is 4 * 4 * 3 = 48'],
    ['too elongated', () => getAddon().preprocessImages([rgb(100_000, 1, 1)], {}),
      'E_INPUT', 'Image of 100000x1 pixels is too elongated: resizing its short side to 224 would make the long side 22400000 pixels'],
    ['no images', () => getAddon().preprocessImages([], {}), 'E_INVALID_ARG', 'Expected a non-empty array for images'],
    ['bad filter', () => getAddon().preprocessImages([rgb(8, 8)], { resample: 6 }),
      'E_INVALID_ARG', 'Expected a PIL filter code 0 to 5 or nearest, lanczos, bilinear, bicubic, box or hamming for params.resample'],
    ['zero std', () => getAddon().preprocessImages([rgb(8, 8)], { std: [0.5, 0, 0.5] }),
      'E_INVALID_ARG', 'Invalid preprocessing parameters: image_std must be finite and non-zero, got 0'],
    ['mean of 2', () => getAddon().preprocessImages([rgb(8, 8)], { mean: [0.5, 0.5] }), 'E_INVALID_ARG', 'Expected an array of 3 numbers for params.mean'],
    ['no resize size', () => getAddon().preprocessImages([rgb(8, 8)], { shortestEdge: 0 }),
      'E_INVALID_ARG', 'Invalid preprocessing parameters: resize needs shortest_edge > 0 or a positive resize_height and resize_width, got 0 and 0'],
    ['fractional crop', () => getAddon().preprocessDebug(rgb(8, 8), { cropHeight: 2.5 }), 'E_INVALID_ARG', 'Expected integer between 1 and 16777215 for params.cropHeight'],
    ['channels 5', () => getAddon().preprocessDebug({ ...rgb(8, 8), channels: 5 }, {}), 'E_INVALID_ARG', 'Expected integer between 1 and 4 for image.channels'],
    ['flag not boolean', () => getAddon().preprocessDebug(rgb(8, 8), { doResize: 1 as never }), 'E_INVALID_ARG', 'Expected a boolean for params.doResize'],
  ];
  for (const [what, call, code, message] of errors) {
    test(`error: ${what}`, () => {
      assert.throws(() => callNative(call as never), (err: unknown) => {
        assert.ok(err instanceof GitcapError);
        assert.equal(err.code, code);
        assert.equal(err.message, message);
        return true;
      });
    });
  }

  test('filters by name equal filters by code', () => {
    const image = decode('inputs/tiny_20x15.png');
    const byName = getAddon().preprocessDebug(image, { resample: 'hamming', shortestEdge: 40, cropHeight: 32, cropWidth: 32 });
    const byCode = getAddon().preprocessDebug(image, { resample: 5, shortestEdge: 40, cropHeight: 32, cropWidth: 32 });
    assert.equal(sha256(byName.data), sha256(byCode.data));
  });
});
