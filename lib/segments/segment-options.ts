// Options of captionSegments(): the caption options, plus where the segments lie and how many
// are captioned at once. Checked before any work, with messages that name the option.
import type { CaptionOptions } from '../options/caption-options.js';
import { GitcapError } from '../../core/errors.js';
import { definedOnly } from '../defined-only.js';
import { checkInteger, checkNumber, invalidArg } from '../inputs/arg-checks.js';
import type { ReadVideoOptions } from '../inputs/video-options.js';
import type { SegmentBounds } from './segment-frames.js';

export interface SegmentOptions extends Omit<CaptionOptions, 'onToken' | 'sampling'> {
  /** Cut the video into consecutive windows of this many seconds (the last one may be shorter). */
  segmentSeconds?: number;
  /** Or these segments, [startSeconds, endSeconds) from the first frame, captioned in this order. */
  segments?: ReadonlyArray<readonly [number, number]>;
  /** Segments captioned at once on the model, their decode steps batched (default 1, at most 64). */
  concurrency?: number;
  /** Called once the video is probed, with every segment's [start, end) (for progress). */
  onSegments?: (segments: Array<[number, number]>) => void;
  /** Each read of a segment's frames (ffmpeg) must finish within this; default 60000 ms. */
  timeoutMs?: number;
  ffmpegPath?: ReadVideoOptions['ffmpegPath'];
  ffprobePath?: ReadVideoOptions['ffprobePath'];
}

export interface CheckedSegmentOptions {
  segmentSeconds: number | undefined;
  segments: SegmentBounds[] | undefined;
  concurrency: number;
  onSegments: ((segments: Array<[number, number]>) => void) | undefined;
  video: Omit<ReadVideoOptions, 'numFrames' | 'sampling'>;
  caption: CaptionOptions;
}

// One at a time: the next segment is read while one is captioned, and on two cores a second
// caption in flight gained nothing (bench/segments.ts) while it cost a quarter more memory.
export const DEFAULT_SEGMENT_CONCURRENCY = 1;
export const MAX_SEGMENT_CONCURRENCY = 64;

/** Splits the options into the segments', the video reader's and the caption's own. */
export function checkSegmentOptions(options: unknown): CheckedSegmentOptions {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw invalidArg('options', 'an object with segmentSeconds or segments', options);
  }
  const { segmentSeconds, segments, concurrency, onSegments, timeoutMs, ffmpegPath, ffprobePath, ...caption } = options as SegmentOptions &
    Record<string, unknown>;
  if ('onToken' in caption) throw invalidArg('onToken', 'nothing: segments are captioned several at once', caption.onToken);
  if ('sampling' in caption && caption.sampling !== undefined && caption.sampling !== 'uniform') {
    throw invalidArg('sampling', "'uniform' (each segment's frames are sampled uniformly)", caption.sampling);
  }
  delete caption.sampling;
  if (onSegments !== undefined && typeof onSegments !== 'function') throw invalidArg('onSegments', 'a function', onSegments);
  if ((segmentSeconds === undefined) === (segments === undefined)) {
    throw new GitcapError('E_INVALID_ARG', 'Give exactly one of segmentSeconds and segments');
  }
  if (segmentSeconds !== undefined) checkNumber('segmentSeconds', segmentSeconds, 0);
  if (segmentSeconds === 0) throw invalidArg('segmentSeconds', 'a number above 0', segmentSeconds);
  const video = definedOnly({ timeoutMs, ffmpegPath, ffprobePath, maxPixels: caption.maxPixels, signal: caption.signal });
  return {
    segmentSeconds,
    segments: segments === undefined ? undefined : checkSegmentList(segments),
    concurrency:
      concurrency === undefined ? DEFAULT_SEGMENT_CONCURRENCY : checkInteger('concurrency', concurrency, 1, MAX_SEGMENT_CONCURRENCY),
    onSegments,
    video,
    caption: caption as CaptionOptions,
  };
}

function checkSegmentList(segments: unknown): SegmentBounds[] {
  if (!Array.isArray(segments) || segments.length === 0) {
    throw invalidArg('segments', 'a non-empty array of [startSeconds, endSeconds]', segments);
  }
  return segments.map((segment: unknown, i) => {
    if (!Array.isArray(segment) || segment.length !== 2) {
      throw invalidArg(`segments[${i}]`, 'a pair [startSeconds, endSeconds]', segment);
    }
    const start = checkNumber(`segments[${i}][0]`, segment[0], 0);
    const end = checkNumber(`segments[${i}][1]`, segment[1], 0);
    if (end <= start) throw invalidArg(`segments[${i}][1]`, `an end after the start (${start})`, end);
    return [start, end] as const;
  });
}
