// Where segments lie and which frames caption each, against numpy's linspace (values computed
// with numpy 1.x: np.linspace(first, last, 6).astype(np.int64)).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FrameTimeline } from '../../lib/inputs/video-timeline.js';
import { checkSegmentsInVideo, segmentFrameIndices, segmentWindows } from '../../lib/segments/segment-frames.js';
import { formatOfFileName, formatSegment, formatTimestamp } from '../../lib/segments/segment-formats.js';
import { checkSegmentOptions } from '../../lib/segments/segment-options.js';

function constantRate(count: number, fps: number): FrameTimeline {
  const times = Array.from({ length: count }, (_, i) => i / fps);
  return { count, pts: times.map((_, i) => i), times, keyframes: [0], duration: count / fps, likelyReference: null };
}

function fromTimes(times: number[], duration: number): FrameTimeline {
  return { count: times.length, pts: null, times, keyframes: [], duration, likelyReference: null };
}

describe('segmentWindows', () => {
  it('cuts 24 s at 25 fps into four 6-s windows', () => {
    assert.deepEqual(segmentWindows(constantRate(600, 25), 6), [[0, 6], [6, 12], [12, 18], [18, 24]]);
  });

  it('ends the last window at the end of the video', () => {
    assert.deepEqual(segmentWindows(constantRate(250, 25), 4), [[0, 4], [4, 8], [8, 10]]);
  });

  it('gives a window to a frame that starts exactly on a bound', () => {
    // frames at 0, 1, 2 s, the last one shown for 1 s: the frame at 2 s opens a third window
    assert.deepEqual(segmentWindows(fromTimes([0, 1, 2], 3), 1), [[0, 1], [1, 2], [2, 3]]);
  });

  it('rounds bounds to the microsecond', () => {
    const windows = segmentWindows(constantRate(10, 25), 0.1);
    assert.deepEqual(windows.map(([start]) => start), [0, 0.1, 0.2, 0.3]);
    assert.equal(windows[3]![1], 0.4);
  });
});

describe('segmentFrameIndices', () => {
  const timeline = constantRate(600, 25);

  it('takes numpy.linspace(first, last, 6) of the frames in [start, end)', () => {
    assert.deepEqual(segmentFrameIndices(timeline, [0, 6], 6), [0, 29, 59, 89, 119, 149]);
    assert.deepEqual(segmentFrameIndices(timeline, [6, 12], 6), [150, 179, 209, 239, 269, 299]);
    assert.deepEqual(segmentFrameIndices(timeline, [18, 24], 6), [450, 479, 509, 539, 569, 599]);
    assert.deepEqual(segmentFrameIndices(timeline, [0, 10], 6), [0, 49, 99, 149, 199, 249]);
  });

  it('repeats frames as linspace does when a segment has fewer frames than the model takes', () => {
    // frames 3..7 lie in [0.12, 0.32)
    assert.deepEqual(segmentFrameIndices(timeline, [0.12, 0.32], 6), [3, 3, 4, 5, 6, 7]);
    assert.deepEqual(segmentFrameIndices(timeline, [0.28, 0.36], 6), [7, 7, 7, 7, 7, 8]);
  });

  it('takes the middle frame for a one-frame model, as whole-clip uniform sampling does', () => {
    assert.deepEqual(segmentFrameIndices(timeline, [6, 12], 1), [224]);
  });

  it('takes the frame on screen at the start of a segment in which no frame starts', () => {
    const gap = fromTimes([0, 1, 5, 6], 7);
    assert.deepEqual(segmentFrameIndices(gap, [2, 4], 6), [1, 1, 1, 1, 1, 1]);
    assert.deepEqual(segmentFrameIndices(gap, [6.5, 7], 1), [3]);
  });

  it('refuses explicit segments that start at or after the end', () => {
    assert.throws(() => checkSegmentsInVideo([[0, 1], [24, 25]], timeline), /segments\[1\] starts at 24 s/);
  });
});

describe('segment options', () => {
  it('needs exactly one of segmentSeconds and segments', () => {
    assert.throws(() => checkSegmentOptions({}), { code: 'E_INVALID_ARG' });
    assert.throws(() => checkSegmentOptions({ segmentSeconds: 5, segments: [[0, 1]] }), { code: 'E_INVALID_ARG' });
  });

  it('names the bad value', () => {
    assert.throws(() => checkSegmentOptions({ segmentSeconds: 0 }), /segmentSeconds/);
    assert.throws(() => checkSegmentOptions({ segmentSeconds: -1 }), /segmentSeconds/);
    assert.throws(() => checkSegmentOptions({ segments: [[2, 1]] }), /segments\[0\]\[1\]/);
    assert.throws(() => checkSegmentOptions({ segments: [[0, 1], [1]] }), /segments\[1\]/);
    assert.throws(() => checkSegmentOptions({ segments: [] }), /segments/);
    assert.throws(() => checkSegmentOptions({ segmentSeconds: 1, concurrency: 0 }), /concurrency/);
    assert.throws(() => checkSegmentOptions({ segmentSeconds: 1, onToken: () => {} }), /onToken/);
    assert.throws(() => checkSegmentOptions({ segmentSeconds: 1, sampling: { kind: 'window', frameSampleRate: 2 } }), /sampling/);
  });

  it('splits video options from caption options', () => {
    const o = checkSegmentOptions({ segmentSeconds: 2, maxNewTokens: 5, timeoutMs: 1000, maxPixels: 100 });
    assert.deepEqual(o.caption, { maxNewTokens: 5, maxPixels: 100 });
    assert.deepEqual(o.video, { timeoutMs: 1000, maxPixels: 100 });
    assert.equal(o.concurrency, 1);
  });
});

describe('segment formats', () => {
  const segment = { index: 2, start: 3723.4564, end: 3729, text: 'a man\nsings', tokenIds: [1], timings: {} as never };

  it('writes millisecond times', () => {
    assert.equal(formatTimestamp(3723.4564, ','), '01:02:03,456');
    assert.equal(formatTimestamp(0.0005, '.'), '00:00:00.001');
    assert.equal(formatTimestamp(59.9996, '.'), '00:01:00.000');
  });

  it('writes SubRip, WebVTT and text cues', () => {
    assert.equal(formatSegment(segment, 'srt'), '3\n01:02:03,456 --> 01:02:09,000\na man sings\n\n');
    assert.equal(formatSegment(segment, 'vtt'), '01:02:03.456 --> 01:02:09.000\na man sings\n\n');
    assert.equal(formatSegment(segment, 'text'), '[01:02:03.456-01:02:09.000] a man sings\n');
    assert.deepEqual(JSON.parse(formatSegment(segment, 'jsonl')), segment);
  });

  it('tells the format from the output name', () => {
    assert.equal(formatOfFileName('a/b.SRT'), 'srt');
    assert.equal(formatOfFileName('b.vtt'), 'vtt');
    assert.equal(formatOfFileName('b.jsonl'), 'jsonl');
    assert.equal(formatOfFileName('b.txt'), 'text');
    assert.equal(formatOfFileName('b.json'), undefined);
  });
});
