// What a caller may pass as the picture(s) to caption, turned into what the addon takes.
import { readFile } from 'node:fs/promises';
import { GitcapError } from './errors.js';
import { invalidArg } from './inputs/arg-checks.js';
import type { FrameSampling } from './inputs/sampling.js';
import { readVideoFrames } from './inputs/video.js';
import type { RawImage, RawInput } from './native/model-types.js';

/** Decoded 8-bit pixels, rows top to bottom, channels interleaved (1 = grey, 3 = RGB, 4 = RGBA). */
export interface RawImageInput {
  data: Uint8Array;
  width: number;
  height: number;
  /** Default 3. */
  channels?: number;
}

/** A file path, the bytes of a PNG/JPEG/GIF file, or decoded pixels. */
export type ImageLike = string | Uint8Array | RawImageInput;

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

function checkRaw(img: RawImageInput, name: string): RawImage {
  const channels = img.channels ?? 3;
  if (!(img.data instanceof Uint8Array)) throw invalidArg(`${name}.data`, 'a Uint8Array', img.data);
  for (const [key, value] of [['width', img.width], ['height', img.height]] as const) {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 1 << 24) {
      throw invalidArg(`${name}.${key}`, 'integer between 1 and 16777216', value);
    }
  }
  if (![1, 2, 3, 4].includes(channels)) throw invalidArg(`${name}.channels`, '1, 2, 3 or 4', channels);
  const expected = img.width * img.height * channels;
  if (img.data.length !== expected) {
    throw new GitcapError(
      'E_INPUT',
      `${name}.data has ${img.data.length} bytes but width * height * channels is ${img.width} * ${img.height} * ${channels} = ${expected}`,
    );
  }
  return { data: img.data, width: img.width, height: img.height, channels };
}

async function readImageFile(path: string): Promise<Uint8Array> {
  try {
    const bytes = await readFile(path);
    if (bytes.length === 0) throw new GitcapError('E_INPUT', `${path}: the file is empty`);
    return bytes;
  } catch (err) {
    if (err instanceof GitcapError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new GitcapError('E_NOT_FOUND', `${path}: no such file`);
    throw new GitcapError('E_IO', `${path}: cannot read the file (${(err as Error).message})`, { cause: err });
  }
}

async function resolveImage(image: unknown, name: string): Promise<Uint8Array | RawImage> {
  if (typeof image === 'string') {
    if (image === '') throw invalidArg(name, 'a non-empty path', image);
    return readImageFile(image);
  }
  if (image instanceof Uint8Array) {
    if (image.length === 0) throw new GitcapError('E_INPUT', `${name} is empty (0 bytes)`);
    return image;
  }
  if (isRawImage(image)) return checkRaw(image, name);
  throw invalidArg(name, 'a file path, a Uint8Array of an encoded image or a raw image { data, width, height }', image);
}

/** Reads files, samples video frames and checks raw pixels. */
export async function resolveInput(input: unknown, opts: ResolveOptions): Promise<RawInput> {
  const base = opts.maxPixels === undefined ? {} : { maxPixels: opts.maxPixels };
  if (typeof input !== 'object' || input === null) {
    throw invalidArg('input', 'an object: { video }, { image }, { frames } or a raw image', input);
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
    return { pixels: { data: px.data, dims }, images: [], video: px.isVideo ?? dims[0]! > 1 };
  }
  if ('video' in input) {
    const path = (input as { video: unknown }).video;
    if (typeof path !== 'string' || path === '') throw invalidArg('input.video', 'a non-empty path', path);
    const video = await readVideoFrames(path, {
      numFrames: opts.numFrames,
      ...(opts.sampling !== undefined && { sampling: opts.sampling }),
      ...(opts.maxPixels !== undefined && { maxPixels: opts.maxPixels }),
      ...(opts.signal !== undefined && { signal: opts.signal }),
    });
    return { images: video.frames.map((f) => ({ ...f })), video: opts.videoModel, ...base };
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
    const images = await Promise.all(frames.map((f, i) => resolveImage(f, `input.frames[${i}]`)));
    return { images, video: opts.videoModel, ...base };
  }
  if ('image' in input) {
    return { images: [await resolveImage((input as { image: unknown }).image, 'input.image')], video: false, ...base };
  }
  if (isRawImage(input)) return { images: [checkRaw(input, 'input')], video: false, ...base };
  throw invalidArg('input', 'an object: { video }, { image }, { frames } or a raw image', input);
}
