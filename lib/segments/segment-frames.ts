// Where the segments of a video lie and which frames caption each one.
import { GitcapError } from '../../core/errors.js';
import { linspace } from '../inputs/sampling.js';
import type { FrameTimeline } from '../inputs/video-timeline.js';

/** A segment's bounds in seconds from the first frame: [start, end). */
export type SegmentBounds = readonly [start: number, end: number];

// Frame times are exact to ffmpeg's microsecond; a frame this close to a bound is on it.
const TOLERANCE_S = 1e-6;

/** Seconds rounded to the microsecond, so that 3 * 0.1 is 0.3 in the output. */
function roundUs(seconds: number): number {
  return Math.round(seconds * 1e6) / 1e6;
}

/**
 * Consecutive windows of `segmentSeconds` from the first frame until the last frame is covered;
 * the last one ends at the end of the video, so it may be shorter.
 */
export function segmentWindows(timeline: FrameTimeline, segmentSeconds: number): SegmentBounds[] {
  const lastTime = timeline.times[timeline.count - 1] ?? 0;
  const count = Math.floor((lastTime + TOLERANCE_S) / segmentSeconds) + 1;
  return Array.from({ length: count }, (_, i) => {
    const start = roundUs(i * segmentSeconds);
    let end = roundUs((i + 1) * segmentSeconds);
    if (i === count - 1 && timeline.duration > start && timeline.duration < end) end = timeline.duration;
    return [start, end] as const;
  });
}

/** Explicit segments must start inside the video. */
export function checkSegmentsInVideo(segments: readonly SegmentBounds[], timeline: FrameTimeline): void {
  segments.forEach(([start], i) => {
    if (start >= timeline.duration) {
      throw new GitcapError(
        'E_INVALID_ARG',
        `segments[${i}] starts at ${start} s, at or past the end of the video (${timeline.duration} s)`,
      );
    }
  });
}

/** The first index whose time is at or after `seconds` (count when none). */
function firstAtOrAfter(times: readonly number[], seconds: number): number {
  let low = 0;
  let high = times.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (times[middle]! < seconds - TOLERANCE_S) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * The frames that caption a segment: of the frames whose time lies in [start, end), `numFrames`
 * taken with `numpy.linspace(first, last, numFrames).astype(int64)`, as the whole-clip uniform
 * sampling does (one frame: the middle one). A segment in which no frame starts (a gap of a
 * variable frame rate video) takes the frame on screen at its start.
 */
export function segmentFrameIndices(timeline: FrameTimeline, [start, end]: SegmentBounds, numFrames: number): number[] {
  const first = firstAtOrAfter(timeline.times, start);
  const afterLast = firstAtOrAfter(timeline.times, end);
  if (afterLast <= first) {
    const onScreen = Math.max(0, Math.min(first, timeline.count) - 1);
    return Array.from({ length: numFrames }, () => onScreen);
  }
  const last = afterLast - 1;
  if (numFrames === 1) return [first + Math.floor((last - first) / 2)];
  return linspace(first, last, numFrames).map(Math.trunc);
}
