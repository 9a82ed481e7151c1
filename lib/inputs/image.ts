// Pictures as callers give them (a file path, the bytes of an image file, decoded pixels) turned
// into what the native code takes, with every check done before any pixel is touched.
import { readFile } from 'node:fs/promises';
import { GitcapError } from '../../core/errors.js';
import { callNative } from '../native/binding.js';
import type { RawImageMode, RawPixels } from '../native/image-types.js';
import { checkInteger, invalidArg } from './arg-checks.js';

/**
 * Decoded 8-bit pixels, rows top to bottom, channels interleaved. `channels` may be left out for
 * RGB (3) or RGBA (4) data: it is then inferred from the length of `data`.
 */
export interface RawImageInput {
  data: Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
  /** 1 = grey, 2 = grey + alpha, 3 = RGB, 4 = RGBA. */
  channels?: number;
}

/** A file path, the bytes of a PNG, JPEG or GIF file (a Buffer or Uint8Array), or decoded pixels. */
export type ImageInput = string | Uint8Array | RawImageInput;

export interface DecodedImage {
  /** width * height * channels bytes. */
  data: Uint8Array;
  width: number;
  height: number;
  channels: number;
  /** Pillow's mode of the source ('P' and 'CMYK' are already converted to RGB). */
  mode: RawImageMode;
  format: 'png' | 'jpeg' | 'gif' | 'raw';
}

export interface ImageOptions {
  /** Images with more pixels are refused before they are decoded. Default 100 000 000. */
  maxPixels?: number;
}

/** 100 megapixels (see native/include/gitcap_image.h): at most 400 MB decoded. */
export const DEFAULT_MAX_PIXELS = 100_000_000;

const MAX_SIDE = 1 << 24;
const MODES: Record<number, RawImageMode> = { 1: 'L', 2: 'LA', 3: 'RGB', 4: 'RGBA' };

export function checkMaxPixels(value: unknown): number {
  if (value === undefined) return DEFAULT_MAX_PIXELS;
  return checkInteger('maxPixels', value, 1, Number.MAX_SAFE_INTEGER);
}

function isRawImage(v: unknown): v is RawImageInput {
  return typeof v === 'object' && v !== null && !(v instanceof Uint8Array) && 'data' in v && 'width' in v && 'height' in v;
}

function tooManyPixels(width: number, height: number, maxPixels: number): GitcapError {
  return new GitcapError(
    'E_INPUT',
    `Image of ${width}x${height} pixels (${width * height}) exceeds the limit of ${maxPixels} pixels (maxPixels)`,
  );
}

/** Checks decoded pixels; the result shares `data` with the input. */
export function checkRawImage(img: RawImageInput, name: string, maxPixels: number = DEFAULT_MAX_PIXELS): RawPixels {
  const { data } = img;
  if (!(data instanceof Uint8Array) && !(data instanceof Uint8ClampedArray)) {
    throw invalidArg(`${name}.data`, 'a Uint8Array', data);
  }
  const width = checkInteger(`${name}.width`, img.width, 1, MAX_SIDE);
  const height = checkInteger(`${name}.height`, img.height, 1, MAX_SIDE);
  if (width * height > maxPixels) throw tooManyPixels(width, height, maxPixels);
  let channels: number;
  if (img.channels === undefined) {
    channels = data.length === width * height * 4 ? 4 : 3;
    if (data.length !== width * height * channels) {
      throw new GitcapError(
        'E_INPUT',
        `${name}.data has ${data.length} bytes, neither width * height * 3 (${width * height * 3}) nor width * height * 4 ` +
          `(${width * height * 4}): give ${name}.channels`,
      );
    }
  } else {
    if (!(img.channels === 1 || img.channels === 2 || img.channels === 3 || img.channels === 4)) {
      throw invalidArg(`${name}.channels`, '1, 2, 3 or 4', img.channels);
    }
    channels = img.channels;
    const expected = width * height * channels;
    if (data.length !== expected) {
      throw new GitcapError(
        'E_INPUT',
        `${name}.data has ${data.length} bytes but width * height * channels is ${width} * ${height} * ${channels} = ${expected}`,
      );
    }
  }
  const bytes = data instanceof Uint8Array ? data : new Uint8Array(data.buffer, data.byteOffset, data.length);
  return { data: bytes, width, height, channels };
}

/** The bytes of an image file; E_NOT_FOUND, E_IO or E_INPUT (empty file) otherwise. */
export async function readImageFile(path: string): Promise<Uint8Array> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new GitcapError('E_NOT_FOUND', `${path}: no such file`);
    throw new GitcapError('E_IO', `${path}: cannot read the file (${(err as Error).message})`, { cause: err });
  }
  if (bytes.length === 0) throw new GitcapError('E_INPUT', `${path}: the file is empty`);
  return bytes;
}

/**
 * A picture as the native code takes it, still encoded when it came as a file or bytes: files are
 * read, bytes and raw pixels are checked. `name` is the argument's name in error messages.
 */
export async function resolveImageSource(
  input: unknown,
  name: string,
  options: ImageOptions = {},
): Promise<Uint8Array | RawPixels> {
  const maxPixels = checkMaxPixels(options.maxPixels);
  if (typeof input === 'string') {
    if (input === '') throw invalidArg(name, 'a non-empty path', input);
    return readImageFile(input);
  }
  if (input instanceof Uint8Array) {
    if (input.length === 0) throw new GitcapError('E_INPUT', `${name} is empty (0 bytes)`);
    return input;
  }
  if (isRawImage(input)) return checkRawImage(input, name, maxPixels);
  throw invalidArg(name, 'a file path, a Uint8Array of an encoded image or a raw image { data, width, height }', input);
}

/**
 * Decodes a picture into 8-bit pixels as Pillow's Image.open() would (PNG, JPEG, GIF's first
 * frame); raw pixels are checked and returned as they are. The decoding itself is synchronous
 * native code (a few milliseconds for a 640x480 JPEG).
 */
export async function loadImage(input: ImageInput, options: ImageOptions = {}, name = 'image'): Promise<DecodedImage> {
  const maxPixels = checkMaxPixels(options.maxPixels);
  const source = await resolveImageSource(input, name, { maxPixels });
  if (!(source instanceof Uint8Array)) {
    return { ...source, mode: MODES[source.channels]!, format: 'raw' };
  }
  return callNative((addon) => addon.decodeImage(source, maxPixels));
}
