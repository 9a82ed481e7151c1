import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { planDecodeRuns, SPAWN_COST_PIXELS } from '../../lib/inputs/video-decode-plan.js';
import type { FrameTimeline } from '../../lib/inputs/video-timeline.js';

// 25 fps, a keyframe every `gop` frames, pts = index * 512 (time base 1/12800).
function cfr(count: number, gop: number): FrameTimeline {
  const pts = Array.from({ length: count }, (_, i) => i * 512);
  const keyframes = Array.from({ length: Math.ceil(count / gop) }, (_, i) => i * gop);
  return { count, pts, times: pts.map((p) => p / 12800), keyframes, duration: count / 25, likelyReference: null };
}

const FULL_HD = 1920 * 1080;
const TINY = 64 * 48;

describe('decode planning', () => {
  const long = cfr(9000, 250); // 6 minutes
  const targets = [0, 1799, 3599, 5399, 7199, 8999];

  test('select decodes everything in one run from the start', () => {
    assert.deepEqual(planDecodeRuns(targets, long, FULL_HD, 'select', true), [{ seekTo: null, frames: targets }]);
  });

  test('auto seeks in a long full-HD video: a run per wanted frame', () => {
    const runs = planDecodeRuns(targets, long, FULL_HD, 'auto', true);
    assert.deepEqual(runs, targets.map((frame, i) => ({ seekTo: i === 0 ? null : frame, frames: [frame] })));
  });

  test('auto does not seek when starting ffmpeg costs more than decoding tiny frames', () => {
    const short = cfr(1000, 50);
    assert.ok(1000 * TINY < SPAWN_COST_PIXELS, 'decoding the whole video is cheaper than one more ffmpeg');
    assert.deepEqual(planDecodeRuns([0, 500, 999], short, TINY, 'auto', true), [{ seekTo: null, frames: [0, 500, 999] }]);
  });

  test('frames in one GOP share a run; seek forces a run per GOP', () => {
    const video = cfr(1000, 100);
    assert.deepEqual(planDecodeRuns([150, 160, 420], video, TINY, 'seek', true), [
      { seekTo: 150, frames: [150, 160] },
      { seekTo: 420, frames: [420] },
    ]);
  });

  test('no seeking without an index, pts or keyframes', () => {
    const video = cfr(1000, 100);
    const one = [{ seekTo: null, frames: [150, 420] }];
    assert.deepEqual(planDecodeRuns([150, 420], video, FULL_HD, 'seek', false), one);
    assert.deepEqual(planDecodeRuns([150, 420], { ...video, pts: null }, FULL_HD, 'seek', true), one);
    assert.deepEqual(planDecodeRuns([150, 420], { ...video, keyframes: [] }, FULL_HD, 'seek', true), one);
  });
});
