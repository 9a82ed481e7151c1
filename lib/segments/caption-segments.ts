// Captions of a long video, one per segment, in order. The video is probed once; each segment's
// frames are read with seeks just before it is captioned (one segment read ahead), and several
// segments are captioned at once on the one model, whose worker batches their decode steps.
// Each segment's frames become pixel values as soon as they are read, so memory holds the decoded
// frames of one segment at a time and the much smaller pixel values of the others in flight.
import { checkCaptionOptions } from '../options/caption-options.js';
import { abortError, throwIfAborted } from '../../core/errors.js';
import { invalidArg } from '../inputs/arg-checks.js';
import type { RgbFrame } from '../inputs/rgb-frame.js';
import { VideoSource } from '../inputs/video-source.js';
import type { CaptionInput } from '../model-input.js';
import type { CaptionOptions } from '../options/caption-options.js';
import type { CaptionResult, ModelInfo, PixelValues, Timings } from '../model.js';
import { checkSegmentsInVideo, segmentFrameIndices, segmentWindows, type SegmentBounds } from './segment-frames.js';
import { checkSegmentOptions } from './segment-options.js';

/** The caption of one segment. */
export interface SegmentCaption {
  /** Position of the segment (0-based), in the order the segments are returned. */
  index: number;
  /** Seconds from the first frame: the segment is [start, end). */
  start: number;
  end: number;
  text: string;
  tokenIds: number[];
  /** The caption's timings; `readMs` is the reading of this segment's frames. */
  timings: Timings;
}

/** What captionSegments needs of a model. */
export interface SegmentCaptioner {
  readonly info: ModelInfo;
  caption(input: CaptionInput, options?: CaptionOptions): Promise<CaptionResult>;
  preprocess(input: CaptionInput, options?: Pick<CaptionOptions, 'signal'>): Promise<PixelValues>;
}

interface SegmentPixels {
  pixels: PixelValues;
  readMs: number;
  preprocessMs: number;
}

export async function* captionSegments(model: SegmentCaptioner, input: unknown, options: unknown): AsyncGenerator<SegmentCaption> {
  const videoPath = (input as { video?: unknown } | null)?.video;
  if (typeof input !== 'object' || input === null || typeof videoPath !== 'string' || videoPath === '') {
    throw invalidArg('input', 'a { video: path }', input);
  }
  const o = checkSegmentOptions(options);
  checkCaptionOptions(o.caption, model.info.text.maxPositions);
  const userSignal = o.caption.signal;
  throwIfAborted(userSignal);
  // Stops the reads and captions still running when the caller leaves the loop early.
  const stop = new AbortController();
  const signal = userSignal ? AbortSignal.any([userSignal, stop.signal]) : stop.signal;
  // One decoder thread: the reads overlap the captioning, so the least CPU matters, not their speed.
  const source = await VideoSource.open(videoPath, { ...o.video, signal, decoderThreads: 1 });
  const bounds = o.segments ?? segmentWindows(source.timeline, o.segmentSeconds!);
  if (o.segments) checkSegmentsInVideo(o.segments, source.timeline);
  o.onSegments?.(bounds.map(([start, end]) => [start, end]));
  const numFrames = model.info.vision.numFrames;
  const captionOptions: CaptionOptions = { ...o.caption, signal };

  const read = async (index: number): Promise<SegmentPixels> => {
    const { frames, readMs } = await readSegment(source, bounds[index]!, numFrames);
    const t0 = performance.now();
    const pixels = await model.preprocess({ frames }, { signal });
    return { pixels, readMs, preprocessMs: performance.now() - t0 };
  };
  const readAhead = (index: number) => {
    const segment = read(index);
    segment.catch(() => {}); // seen when it is awaited
    return segment;
  };
  const caption = async (index: number, segment: SegmentPixels): Promise<SegmentCaption> => {
    const r = await model.caption({ pixels: segment.pixels }, captionOptions);
    const [start, end] = bounds[index]!;
    const t = r.timings;
    const totalMs = t.totalMs - t.readMs - t.preprocessMs + segment.readMs + segment.preprocessMs;
    const timings = { ...t, readMs: segment.readMs, preprocessMs: segment.preprocessMs, totalMs };
    return { index, start, end, text: r.text, tokenIds: r.tokenIds, timings };
  };

  const running: Promise<SegmentCaption>[] = [];
  let next = 0;
  let reading: Promise<SegmentPixels> | undefined = readAhead(next);
  try {
    while (reading !== undefined || running.length > 0) {
      while (reading !== undefined && running.length < o.concurrency) {
        const frames = await reading;
        const started = caption(next, frames);
        started.catch(() => {}); // seen when its turn comes
        running.push(started);
        next += 1;
        reading = next < bounds.length ? readAhead(next) : undefined;
      }
      yield await running.shift()!;
    }
  } finally {
    if (reading !== undefined || running.length > 0) stop.abort(abortError(userSignal));
    await Promise.allSettled([reading, ...running]);
  }
}

/** Reads a segment's frames; chooses them again if the decoder's own count replaced the timeline. */
async function readSegment(source: VideoSource, bounds: SegmentBounds, numFrames: number): Promise<{ frames: RgbFrame[]; readMs: number }> {
  const t0 = performance.now();
  for (;;) {
    const indices = segmentFrameIndices(source.timeline, bounds, numFrames);
    const decoded = await source.readFrames([...new Set(indices)].sort((a, b) => a - b));
    if (decoded === undefined) continue;
    return { frames: indices.map((index) => decoded.get(index)!), readMs: performance.now() - t0 };
  }
}
