import { checkInteger, checkNumber, invalidArg } from './arg-checks.js';
import type { DecodeMethod } from './video-decode-plan.js';
import { checkSampling, type FrameSampling } from './sampling.js';

export interface ReadVideoOptions {
  /** Frames to return: the model's frame count (6 for GIT VATEX models, 1 for image models). 1..256. */
  readonly numFrames: number;
  /** Which frames; `'uniform'` by default. See {@link FrameSampling}. */
  readonly sampling?: FrameSampling;
  /** Aborting kills ffmpeg/ffprobe and rejects with E_ABORTED. */
  readonly signal?: AbortSignal;
  /** Limit for the whole call (every ffprobe/ffmpeg run together), default 60000 ms; E_FFMPEG after it. */
  readonly timeoutMs?: number;
  /** Largest frame (width * height) accepted, checked before decoding; default 7680*4320 (8K). */
  readonly maxPixels?: number;
  /** `auto` by default; see {@link DecodeMethod}. Every method gives the same frames. */
  readonly decodeMethod?: DecodeMethod;
  /** ffmpeg / ffprobe executables; default: FFMPEG_PATH / FFPROBE_PATH, an npm binary package, PATH. */
  readonly ffmpegPath?: string;
  readonly ffprobePath?: string;
}

export interface CheckedVideoOptions {
  readonly numFrames: number;
  readonly sampling: FrameSampling;
  readonly signal: AbortSignal | undefined;
  readonly timeoutMs: number;
  readonly maxPixels: number;
  readonly decodeMethod: DecodeMethod;
  readonly ffmpegPath: string | undefined;
  readonly ffprobePath: string | undefined;
}

export const MAX_NUM_FRAMES = 256;
export const DEFAULT_TIMEOUT_MS = 60_000;
export const DEFAULT_MAX_PIXELS = 7680 * 4320;
const DECODE_METHODS: readonly DecodeMethod[] = ['auto', 'select', 'seek'];

export function checkVideoOptions(options: unknown): CheckedVideoOptions {
  if (typeof options !== 'object' || options === null) throw invalidArg('options', 'an object', options);
  const given = options as Record<string, unknown>;
  const numFrames = checkInteger('numFrames', given.numFrames, 1, MAX_NUM_FRAMES);
  const signal = given.signal;
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw invalidArg('signal', 'an AbortSignal', signal);
  const decodeMethod = given.decodeMethod ?? 'auto';
  if (!DECODE_METHODS.includes(decodeMethod as DecodeMethod)) {
    throw invalidArg('decodeMethod', "'auto', 'select' or 'seek'", decodeMethod);
  }
  return {
    numFrames,
    sampling: checkSampling(given.sampling, numFrames),
    signal,
    timeoutMs: given.timeoutMs === undefined ? DEFAULT_TIMEOUT_MS : checkNumber('timeoutMs', given.timeoutMs, 1, 2 ** 31 - 1),
    maxPixels:
      given.maxPixels === undefined ? DEFAULT_MAX_PIXELS : checkInteger('maxPixels', given.maxPixels, 1, Number.MAX_SAFE_INTEGER),
    decodeMethod: decodeMethod as DecodeMethod,
    ffmpegPath: optionalPath('ffmpegPath', given.ffmpegPath),
    ffprobePath: optionalPath('ffprobePath', given.ffprobePath),
  };
}

function optionalPath(name: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') throw invalidArg(name, 'a non-empty string', value);
  return value;
}
