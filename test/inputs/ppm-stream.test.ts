import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PpmStreamReader } from '../../lib/inputs/ppm-stream.js';

function ppm(width: number, height: number, fill: number): Buffer {
  return Buffer.concat([Buffer.from(`P6\n${width} ${height}\n255\n`), Buffer.alloc(width * height * 3, fill)]);
}

describe('PPM stream reader', () => {
  test('splits frames whatever the chunk boundaries', () => {
    // 0x0a (a newline) as pixel value right after the header must be read as data.
    const stream = Buffer.concat([ppm(3, 2, 0x0a), ppm(2, 1, 7)]);
    for (let cut = 1; cut < stream.length; cut++) {
      const reader = new PpmStreamReader(2, 6);
      reader.push(stream.subarray(0, cut));
      reader.push(stream.subarray(cut));
      reader.finish();
      assert.deepEqual(
        reader.frames.map((f) => [f.width, f.height, f.channels, f.data.length, f.data[0]]),
        [
          [3, 2, 3, 18, 0x0a],
          [2, 1, 3, 6, 7],
        ],
      );
    }
  });

  test('rejects what ffmpeg should never send', () => {
    const cases: [Buffer, number, number, string][] = [
      [Buffer.from('P5\n2 2\n255\n'), 1, 4, 'ffmpeg returned a frame header that is not binary PPM (P6, maxval 255)'],
      [Buffer.from('P6\n2 2\n65535\n'), 1, 4, 'ffmpeg returned a frame header that is not binary PPM (P6, maxval 255)'],
      [Buffer.alloc(80, 0x41), 1, 4, 'ffmpeg returned a frame header that is not binary PPM (P6, maxval 255)'],
      [Buffer.concat([ppm(1, 1, 0), ppm(1, 1, 0)]), 1, 4, 'ffmpeg returned more than the 1 frames requested'],
      [ppm(3, 2, 0), 1, 4, 'ffmpeg returned a 3x2 frame, more than maxPixels (4)'],
    ];
    for (const [bytes, maxFrames, maxPixels, message] of cases) {
      assert.throws(() => new PpmStreamReader(maxFrames, maxPixels).push(bytes), { code: 'E_FFMPEG', message });
    }
  });

  test('a stream cut inside a frame is an error', () => {
    const reader = new PpmStreamReader(1, 4);
    reader.push(ppm(2, 2, 1).subarray(0, 15));
    assert.throws(() => reader.finish(), { code: 'E_FFMPEG', message: 'ffmpeg output ended in the middle of a frame' });
  });
});
