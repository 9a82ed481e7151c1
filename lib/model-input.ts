// What a caller may pass as the picture(s) to caption, turned into what the addon takes.
import { GitcapError } from '../core/errors.js';
import { invalidArg } from './inputs/arg-checks.js';
import { checkRawImage, resolveImageSource, type ImageInput, type RawImageInput } from './inputs/image.js';
import type { FrameSampling } from './inputs/sampling.js';
import { readVideoFrames } from './inputs/video.js';
import type { RawInput } from './native/model-types.js';

export type { RawImageInput } from './inputs/image.js';

/** A file path, the bytes of a PNG/JPEG/GIF file, or decoded pixels. */
export type ImageLike = ImageInput;

/** Pixel values as preprocess() returns them: float32 [n, 3, H, W]. */
export interface PixelValuesInput {
  data: Float32Array;
  dims: readonly [number, number, number, number] | number[];
  /** Frames of a video (temporal embeddings); default: true when n > 1. */
  isVideo?: boolean;
}

/**
 * `{ video: path }` samples the model's frame count from a video (ffmpeg); `{ frames }` treats
 * several pictures as the frames of one video; `{ image }` or a raw image is one picture;
 * `{ pixels }` skips preprocessing (what preprocess() returned, or transformers' pixel_values).
 */
export type CaptionInput =
  | { video: string }
  | { image: ImageLike }
  | { frames: ImageLike[] }
  | { pixels: PixelValuesInput }
  | RawImageInput;

export interface ResolveOptions {
  /** Frames a video model takes (num_image_with_embedding); 1 for image models. */
  numFrames: number;
  /** Whether the model has temporal embeddings (a video model). */
  videoModel: boolean;
  sampling?: FrameSampling;
  maxPixels?: number;
  signal?: AbortSignal;
}

function isRawImage(v: unknown): v is RawImageInput {
  return typeof v === 'object' && v !== null && !(v instanceof Uint8Array) && 'data' in v && 'width' in v && 'height' in v;
}

/** The keys that each name one kind of input; an input object holds exactly one of them. */
const INPUT_KINDS = ['pixels', 'video', 'frames', 'image'] as const;

/** Reads files, samples video frames and checks raw pixels. */
export async function resolveInput(input: unknown, opts: ResolveOptions): Promise<RawInput> {
  const limit = opts.maxPixels === undefined ? {} : { maxPixels: opts.maxPixels };
  if (typeof input !== 'object' || input === null) {
    throw invalidArg('input', 'an object: { video }, { image }, { frames } or a raw image', input);
  }
  const kinds = INPUT_KINDS.filter((k) => k in input);
  if (kinds.length > 1) {
    throw new GitcapError('E_INVALID_ARG', `input has ${kinds.map((k) => `"${k}"`).join(' and ')}: give exactly one of ${INPUT_KINDS.join(', ')}`);
  }
  if ('pixels' in input) {
    const px = (input as { pixels: PixelValuesInput }).pixels;
    if (typeof px !== 'object' || px === null || !(px.data instanceof Float32Array)) {
      throw invalidArg('input.pixels.data', 'a Float32Array', (px as { data?: unknown } | null)?.data);
    }
    const dims = Array.from(px.dims ?? []);
    if (dims.length !== 4 || !dims.every((d) => Number.isInteger(d) && d > 0)) {
      throw invalidArg('input.pixels.dims', 'four positive integers [n, 3, height, width]', px.dims);
    }
    const bad = px.data.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new GitcapError('E_INPUT', `input.pixels.data[${bad}] is ${px.data[bad]}: pixel values must be finite`);
    return { pixels: { data: px.data, dims }, images: [], video: px.isVideo ?? dims[0]! > 1 };
  }
  if ('video' in input) {
    const path = (input as { video: unknown }).video;
    if (typeof path !== 'string' || path === '') throw invalidArg('input.video', 'a non-empty path', path);
    const video = await readVideoFrames(path, {
      numFrames: opts.numFrames,
      sampling: opts.sampling,
      maxPixels: opts.maxPixels,
      signal: opts.signal,
    });
    return { images: video.frames.map((f) => ({ ...f })), video: opts.videoModel, ...limit };
  }
  if ('frames' in input) {
    const frames = (input as { frames: unknown }).frames;
    if (!Array.isArray(frames) || frames.length === 0) throw invalidArg('input.frames', 'a non-empty array', frames);
    if (!opts.videoModel && frames.length > 1) {
      throw new GitcapError('E_INPUT', `this is a single-image model: input.frames must hold one picture, got ${frames.length}`);
    }
    if (frames.length > opts.numFrames) {
      throw new GitcapError('E_INPUT', `the model takes at most ${opts.numFrames} frames, input.frames has ${frames.length}`);
    }
    const images = await Promise.all(frames.map((f, i) => resolveImageSource(f, `input.frames[${i}]`, limit)));
    return { images, video: opts.videoModel, ...limit };
  }
  if ('image' in input) {
    return { images: [await resolveImageSource((input as { image: unknown }).image, 'input.image', limit)], video: false, ...limit };
  }
  if (isRawImage(input)) return { images: [checkRawImage(input, 'input', limit.maxPixels)], video: false, ...limit };
  throw invalidArg('input', 'an object: { video }, { image }, { frames } or a raw image', input);
}
