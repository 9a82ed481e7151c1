import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  checkSampling,
  linspace,
  sampleFrameIndices,
  timestampIndices,
  uniformIndices,
  windowEndingAt,
  windowIndices,
} from '../../lib/inputs/sampling.js';
import type { FrameTimeline } from '../../lib/inputs/video-timeline.js';

function timeline(times: number[], duration: number): FrameTimeline {
  return { count: times.length, pts: null, times, keyframes: [], duration, likelyReference: null };
}

describe('uniform sampling', () => {
  test('equals numpy.linspace(0, n-1, k).astype(int64)', () => {
    // Values printed by numpy 1.24.
    assert.deepEqual(uniformIndices(100, 6), [0, 19, 39, 59, 79, 99]);
    // Here numpy's float step gives 60 where floor(7*122/14) = 61: numpy is followed.
    assert.deepEqual(uniformIndices(123, 15), [0, 8, 17, 26, 34, 43, 52, 60, 69, 78, 87, 95, 104, 113, 122]);
  });

  test('a video shorter than k repeats frames as linspace does', () => {
    assert.deepEqual(uniformIndices(3, 6), [0, 0, 0, 1, 1, 2]);
    assert.deepEqual(uniformIndices(1, 6), [0, 0, 0, 0, 0, 0]);
  });

  test('one frame is the middle frame', () => {
    assert.deepEqual(uniformIndices(100, 1), [49]);
    assert.deepEqual(uniformIndices(101, 1), [50]);
    assert.deepEqual(uniformIndices(1, 1), [0]);
  });

  test('linspace keeps the end point exact', () => {
    assert.deepEqual(linspace(0, 1, 3), [0, 0.5, 1]);
    assert.deepEqual(linspace(5, 5, 3), [5, 5, 5]);
    assert.deepEqual(linspace(2, 9, 1), [2]);
  });
});

describe('window sampling (transformers sample_frame_indices)', () => {
  test('the window formula equals numpy for a given end', () => {
    // np.clip(np.linspace(end-L, end, k), end-L, end-1).astype(int64), printed by numpy.
    assert.deepEqual(windowEndingAt(150, 24, 6), [126, 130, 135, 140, 145, 149]);
    assert.deepEqual(windowEndingAt(100, 21, 6), [79, 83, 87, 91, 95, 99]);
    assert.deepEqual(windowEndingAt(17, 16, 8), [1, 3, 5, 7, 10, 12, 14, 16]);
  });

  test('the seed fixes the window; other seeds move it', () => {
    assert.deepEqual(windowIndices(300, 6, 4, 0), [73, 77, 82, 87, 92, 96]);
    assert.deepEqual(windowIndices(300, 6, 4, 0), [73, 77, 82, 87, 92, 96]);
    assert.deepEqual(windowIndices(300, 6, 4, 1), [173, 177, 182, 187, 192, 196]);
  });

  test('every window lies inside the video and spans k*rate frames', () => {
    for (let seed = 0; seed < 200; seed++) {
      const indices = windowIndices(50, 6, 4, seed);
      const first = indices[0]!;
      const last = indices[5]!;
      assert.ok(first >= 0 && last <= 49, `seed ${seed}: ${indices}`);
      assert.equal(last - first, 23, `seed ${seed}: ${indices}`);
    }
  });

  test('a window longer than the video spans the whole video', () => {
    assert.deepEqual(windowIndices(10, 6, 4, 0), [0, 2, 4, 6, 8, 9]);
    assert.deepEqual(windowIndices(24, 6, 4, 7), [0, 4, 9, 14, 19, 23]);
  });
});

describe('timestamp sampling', () => {
  const clip = timeline([0, 0.04, 0.08, 0.12], 0.16);

  test('takes the last frame at or before each time', () => {
    assert.deepEqual(timestampIndices(clip, [0, 0.039, 0.04, 0.1, 0.15, 0.16]), [0, 0, 1, 2, 3, 3]);
  });

  test('a time past the end is an error', () => {
    assert.throws(() => timestampIndices(clip, [0.1, 0.2]), {
      code: 'E_INVALID_ARG',
      message: 'sampling.timestamps[1] is 0.2 s, past the end of the video (0.16 s)',
    });
  });

  test('variable frame rate uses the real frame times', () => {
    const vfr = timeline([0, 0.08, 0.16, 0.2, 0.24], 0.28);
    assert.deepEqual(sampleFrameIndices(vfr, 3, { kind: 'timestamps', timestamps: [0.1, 0.17, 0.2] }), [1, 2, 3]);
  });
});

describe('sampling options', () => {
  test('default and uniform', () => {
    assert.equal(checkSampling(undefined, 6), 'uniform');
    assert.deepEqual(sampleFrameIndices(timeline([0, 1, 2, 3, 4], 5), 2, { kind: 'uniform' }), [0, 4]);
  });

  test('bad values are rejected with exact messages', () => {
    const cases: [unknown, number, string][] = [
      ['linear', 6, `Expected 'uniform', { kind: 'window' } or { kind: 'timestamps' } for sampling but received "linear" of type string`],
      [{ kind: 'random' }, 6, `Expected 'uniform', { kind: 'window' } or { kind: 'timestamps' } for sampling but received an object`],
      [{ kind: 'window', frameSampleRate: 0.5 }, 6, 'Expected finite number >= 1 for sampling.frameSampleRate but received 0.5 of type number'],
      [{ kind: 'window', frameSampleRate: 4, seed: -1 }, 6, 'Expected integer between 0 and 4294967295 for sampling.seed but received -1 of type number'],
      [{ kind: 'timestamps', timestamps: [0, 1] }, 6, 'Expected 6 timestamps (numFrames) but received 2'],
      [{ kind: 'timestamps', timestamps: [0, Number.NaN] }, 2, 'Expected finite number >= 0 for sampling.timestamps[1] but received NaN of type number'],
      [{ kind: 'timestamps', timestamps: [-1] }, 1, 'Expected finite number >= 0 for sampling.timestamps[0] but received -1 of type number'],
      [{ kind: 'timestamps' }, 1, 'Expected an array of seconds for sampling.timestamps but received undefined of type undefined'],
    ];
    for (const [sampling, numFrames, message] of cases) {
      assert.throws(() => checkSampling(sampling, numFrames), { code: 'E_INVALID_ARG', message });
    }
  });
});
