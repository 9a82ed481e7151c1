import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseRational, referenceHints, timelineFromDecodedFrames, timelineFromPackets } from '../../lib/inputs/video-timeline.js';

const timing = { timeBase: { num: 1, den: 100 }, fps: 25, duration: 0.2 };

describe('frame timeline', () => {
  test('packets in decode order become frames in presentation order', () => {
    const packets = [
      { pts: 0, duration: 4, flags: 'K_' },
      { pts: 12, duration: 4, flags: '__' },
      { pts: 4, duration: 4, flags: '__' },
      { pts: 8, duration: 4, flags: '__' },
      { pts: 16, duration: 4, flags: 'K_' },
    ];
    assert.deepEqual(timelineFromPackets(packets, timing), {
      count: 5,
      pts: [0, 4, 8, 12, 16],
      times: [0, 0.04, 0.08, 0.12, 0.16],
      keyframes: [0, 4],
      duration: 0.2,
      likelyReference: [true, false, false, true, true],
    });
  });

  test('discarded packets (flag D) are no frames; times start at the first shown frame', () => {
    const packets = [
      { pts: 96, flags: 'KD' },
      { pts: 100, duration: 4, flags: 'K_' },
      { pts: 104, duration: 4, flags: '__' },
    ];
    const result = timelineFromPackets(packets, timing);
    assert.deepEqual(result.pts, [100, 104]);
    assert.deepEqual(result.times, [0, 0.04]);
    assert.equal(result.duration, 0.08);
  });

  test('without pts, frames are spaced by the frame rate and cannot be seeked', () => {
    const result = timelineFromPackets([{ flags: 'K_' }, { flags: '__' }, { flags: '__' }], timing);
    assert.deepEqual(result, { count: 3, pts: null, times: [0, 0.04, 0.08], keyframes: [], duration: 0.2, likelyReference: null });
  });

  test('decoded frames keep their order', () => {
    const result = timelineFromDecodedFrames([0, 4, 10], timing);
    assert.deepEqual(result.times, [0, 0.04, 0.1]);
    assert.equal(result.duration, 0.14);
  });

  test('rationals', () => {
    assert.deepEqual(parseRational('30000/1001'), { num: 30000, den: 1001 });
    assert.equal(parseRational('0/0'), undefined);
    assert.equal(parseRational(undefined), undefined);
  });

  test('reference hints: I and P frames, and the B-frames that later B-frames are shown before', () => {
    // Decode order of an H.264 mini-GOP with a B-pyramid: I0 P4 B2 B1 B3 P8 B6 B5 B7.
    assert.deepEqual(referenceHints([0, 4, 2, 1, 3, 8, 6, 5, 7]), [true, true, true, false, false, true, true, false, false]);
    // Without B-frames every frame may be referenced; a trailing B-frame is not.
    assert.deepEqual(referenceHints([0, 1, 2, 3]), [true, true, true, true]);
    assert.deepEqual(referenceHints([0, 2, 1]), [true, true, false]);
  });
});
