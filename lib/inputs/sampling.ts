import { GitcapError } from '../../core/errors.js';
import { checkInteger, checkNumber, invalidArg } from './arg-checks.js';
import type { FrameTimeline } from './video-timeline.js';

/**
 * Which frames of a video to caption; `numFrames` (the model's frame count) frames are taken.
 * - `'uniform'` (default): evenly over the whole video, `numpy.linspace(0, n-1, numFrames)`
 *   truncated, as GIT's VATEX evaluation does; one frame → the middle frame `floor((n-1)/2)`.
 * - `window`: transformers' GIT video example (`sample_frame_indices`): a window of
 *   `numFrames * frameSampleRate` frames ending at a random frame, `numFrames` frames evenly in it.
 *   The random end comes from a seeded PRNG (mulberry32), so it is reproducible but not
 *   numpy's `np.random.randint` stream.
 * - `timestamps`: one frame per time (seconds from the first frame): the last frame shown at or
 *   before that time.
 */
export type FrameSampling =
  | 'uniform'
  | { readonly kind: 'uniform' }
  | { readonly kind: 'window'; readonly frameSampleRate: number; readonly seed?: number }
  | { readonly kind: 'timestamps'; readonly timestamps: readonly number[] };

export function checkSampling(sampling: unknown, numFrames: number): FrameSampling {
  if (sampling === undefined || sampling === 'uniform') return 'uniform';
  const kind = (sampling as { kind?: unknown } | null)?.kind;
  if (typeof sampling !== 'object' || sampling === null || (kind !== 'uniform' && kind !== 'window' && kind !== 'timestamps')) {
    throw invalidArg('sampling', "'uniform', { kind: 'window' } or { kind: 'timestamps' }", sampling);
  }
  if (kind === 'window') {
    const { frameSampleRate, seed } = sampling as { frameSampleRate?: unknown; seed?: unknown };
    checkNumber('sampling.frameSampleRate', frameSampleRate, 1);
    if (seed !== undefined) checkInteger('sampling.seed', seed, 0, 0xffffffff);
  }
  if (kind === 'timestamps') {
    const { timestamps } = sampling as { timestamps?: unknown };
    if (!Array.isArray(timestamps)) throw invalidArg('sampling.timestamps', 'an array of seconds', timestamps);
    if (timestamps.length !== numFrames) {
      throw new GitcapError('E_INVALID_ARG', `Expected ${numFrames} timestamps (numFrames) but received ${timestamps.length}`);
    }
    timestamps.forEach((value, index) => checkNumber(`sampling.timestamps[${index}]`, value, 0));
  }
  return sampling as FrameSampling;
}

/** Frame indices (presentation order) to decode, one per output frame; repeats allowed. */
export function sampleFrameIndices(timeline: FrameTimeline, numFrames: number, sampling: FrameSampling): number[] {
  if (sampling === 'uniform' || sampling.kind === 'uniform') return uniformIndices(timeline.count, numFrames);
  if (sampling.kind === 'window') {
    return windowIndices(timeline.count, numFrames, sampling.frameSampleRate, sampling.seed ?? 0);
  }
  return timestampIndices(timeline, sampling.timestamps);
}

/**
 * `numpy.linspace(0, n-1, k).astype(int64)` (numpy's float arithmetic, so the same indices), i.e.
 * `floor(i*(n-1)/(k-1))`. A video shorter than k frames repeats frames exactly as linspace does:
 * n=3, k=6 → [0,0,0,1,1,2]. k=1 → the middle frame.
 */
export function uniformIndices(frameCount: number, numFrames: number): number[] {
  if (numFrames === 1) return [Math.floor((frameCount - 1) / 2)];
  return linspace(0, frameCount - 1, numFrames).map(Math.trunc);
}

/**
 * transformers' `sample_frame_indices(clip_len=k, frame_sample_rate, seg_len=n)`:
 * `end = randint(k*rate, n)`, `linspace(end - k*rate, end, k)` clipped to `[start, end-1]`.
 * When the window does not fit (n <= k*rate, where numpy would raise) it spans the whole video.
 */
export function windowIndices(frameCount: number, numFrames: number, frameSampleRate: number, seed: number): number[] {
  const windowLength = Math.trunc(numFrames * frameSampleRate);
  let end = frameCount;
  if (windowLength < frameCount) {
    const random = mulberry32(seed);
    end = windowLength + Math.floor(random() * (frameCount - windowLength));
  }
  return windowEndingAt(end, windowLength, numFrames);
}

/** `np.clip(np.linspace(end - length, end, k), end - length, end - 1).astype(int64)`, start floored at 0. */
export function windowEndingAt(end: number, windowLength: number, numFrames: number): number[] {
  const start = Math.max(0, end - windowLength);
  return linspace(start, end, numFrames).map((value) => Math.trunc(Math.min(Math.max(value, start), end - 1)));
}

/** For each time, the last frame whose time is at or before it (1 µs tolerance, ffmpeg's precision). */
export function timestampIndices(timeline: FrameTimeline, timestamps: readonly number[]): number[] {
  return timestamps.map((seconds, position) => {
    if (seconds > timeline.duration + 1e-6) {
      throw new GitcapError(
        'E_INVALID_ARG',
        `sampling.timestamps[${position}] is ${seconds} s, past the end of the video (${timeline.duration} s)`,
      );
    }
    return lastIndexAtOrBefore(timeline.times, seconds + 1e-6);
  });
}

function lastIndexAtOrBefore(sortedTimes: readonly number[], limit: number): number {
  let low = 0;
  let high = sortedTimes.length - 1;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (sortedTimes[middle]! <= limit) low = middle;
    else high = middle - 1;
  }
  return low;
}

/** numpy.linspace(start, stop, num) with endpoint, step for step as numpy computes it in float64. */
export function linspace(start: number, stop: number, num: number): number[] {
  if (num === 1) return [start];
  const div = num - 1;
  const delta = stop - start;
  const step = delta / div;
  const values = Array.from({ length: num }, (_, i) => (step === 0 ? (i / div) * delta : i * step) + start);
  values[num - 1] = stop;
  return values;
}

/** A small seeded PRNG returning floats in [0, 1). */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
