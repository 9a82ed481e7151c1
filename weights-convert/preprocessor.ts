// preprocessor_config.json -> the image preprocessing the engine replicates, with the defaults of
// transformers' CLIPImageProcessor and VideoMAEImageProcessor for every omitted key.

import { GitcapError } from '../core/errors.js';
import * as cv from './config-values.js';

export type ProcessorType = 'CLIPImageProcessor' | 'VideoMAEImageProcessor';

export interface Preprocessing {
  processor: ProcessorType;
  doResize: boolean;
  /** resize so the short side is this long (0 when resizing to resizeHeight x resizeWidth) */
  shortestEdge: number;
  resizeHeight: number;
  resizeWidth: number;
  /** PIL resample code: 0 nearest, 1 lanczos, 2 bilinear, 3 bicubic, 4 box, 5 hamming */
  resample: number;
  doCenterCrop: boolean;
  cropHeight: number;
  cropWidth: number;
  doRescale: boolean;
  rescaleFactor: number;
  doNormalize: boolean;
  mean: number[];
  std: number[];
  doConvertRgb: boolean;
}

const DEFAULTS: Record<ProcessorType, { resample: number; mean: number[]; std: number[] }> = {
  // OPENAI_CLIP_MEAN / OPENAI_CLIP_STD
  CLIPImageProcessor: {
    resample: 3,
    mean: [0.48145466, 0.4578275, 0.40821073],
    std: [0.26862954, 0.26130258, 0.27577711],
  },
  // IMAGENET_STANDARD_MEAN / IMAGENET_STANDARD_STD
  VideoMAEImageProcessor: { resample: 2, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] },
};

/** The processor class, accepting the older *FeatureExtractor and the *Fast spellings. */
function processorType(file: string, pp: cv.Json): ProcessorType {
  const declared = pp.image_processor_type ?? pp.feature_extractor_type;
  if (typeof declared !== 'string') {
    throw new GitcapError('E_MODEL_FORMAT', `${file}: neither image_processor_type nor feature_extractor_type is given`);
  }
  const name = declared.replace(/Fast$/, '').replace(/FeatureExtractor$/, 'ImageProcessor');
  if (name === 'CLIPImageProcessor' || name === 'VideoMAEImageProcessor') return name;
  throw new GitcapError(
    'E_UNSUPPORTED',
    `${file}: image processor "${declared}" is not supported (expected CLIPImageProcessor or VideoMAEImageProcessor)`,
  );
}

function resizeTarget(file: string, pp: cv.Json): { shortestEdge: number; resizeHeight: number; resizeWidth: number } {
  const size = pp.size;
  if (size == null) return { shortestEdge: 224, resizeHeight: 0, resizeWidth: 0 };
  // Both processors read an integer size with default_to_square=False: the shortest edge.
  if (typeof size === 'number') return { shortestEdge: cv.positiveInt(file, pp, 'size', 224), resizeHeight: 0, resizeWidth: 0 };
  const s = cv.object(file, pp, 'size');
  if (Object.hasOwn(s, 'shortest_edge') && !Object.hasOwn(s, 'longest_edge')) {
    return { shortestEdge: cv.positiveInt(file, s, 'shortest_edge', 224), resizeHeight: 0, resizeWidth: 0 };
  }
  if (Object.hasOwn(s, 'height') && Object.hasOwn(s, 'width')) {
    return { shortestEdge: 0, resizeHeight: cv.positiveInt(file, s, 'height', 224), resizeWidth: cv.positiveInt(file, s, 'width', 224) };
  }
  throw new GitcapError('E_UNSUPPORTED', `${file}: size ${JSON.stringify(size)} is not supported (expected {shortest_edge} or {height, width})`);
}

function cropSize(file: string, pp: cv.Json): { cropHeight: number; cropWidth: number } {
  const crop = pp.crop_size ?? 224;
  if (typeof crop === 'number') {
    const n = cv.positiveInt(file, pp, 'crop_size', 224);
    return { cropHeight: n, cropWidth: n };
  }
  const c = cv.object(file, pp, 'crop_size');
  if (!Object.hasOwn(c, 'height') || !Object.hasOwn(c, 'width')) {
    throw new GitcapError('E_UNSUPPORTED', `${file}: crop_size ${JSON.stringify(crop)} is not supported (expected {height, width})`);
  }
  return { cropHeight: cv.positiveInt(file, c, 'height', 224), cropWidth: cv.positiveInt(file, c, 'width', 224) };
}

/** mean or std: a list with one value per channel, or one number for all channels. */
function perChannel(file: string, pp: cv.Json, key: string, fallback: number[], channels: number, nonZero: boolean): number[] {
  const v = pp[key] ?? fallback;
  const list = typeof v === 'number' ? new Array<number>(channels).fill(v) : v;
  const ok = Array.isArray(list) && list.every((x) => typeof x === 'number' && Number.isFinite(x) && (!nonZero || x !== 0));
  if (!ok) throw new GitcapError('E_MODEL_FORMAT', `${file}: ${key} must be a number or a list of ${nonZero ? 'non-zero ' : ''}numbers`);
  if (list.length !== channels) {
    throw new GitcapError('E_MODEL_FORMAT', `${file}: ${key} has ${list.length} values but the model has ${channels} channels`);
  }
  return list as number[];
}

/** Preprocessing from a parsed preprocessor_config.json; `channels` is the vision tower's. */
export function parsePreprocessing(file: string, pp: cv.Json, channels: number): Preprocessing {
  const processor = processorType(file, pp);
  const defaults = DEFAULTS[processor];
  const resample = cv.nonNegativeInt(file, pp, 'resample', defaults.resample);
  if (resample > 5) throw new GitcapError('E_UNSUPPORTED', `${file}: resample ${resample} is not a PIL resampling filter (0-5)`);
  return {
    processor,
    doResize: cv.boolean(file, pp, 'do_resize', true),
    ...resizeTarget(file, pp),
    resample,
    doCenterCrop: cv.boolean(file, pp, 'do_center_crop', true),
    ...cropSize(file, pp),
    doRescale: cv.boolean(file, pp, 'do_rescale', true),
    rescaleFactor: cv.positiveNumber(file, pp, 'rescale_factor', 1 / 255),
    doNormalize: cv.boolean(file, pp, 'do_normalize', true),
    mean: perChannel(file, pp, 'image_mean', defaults.mean, channels, false),
    std: perChannel(file, pp, 'image_std', defaults.std, channels, true),
    // VideoMAEImageProcessor has no RGB conversion step at all, whatever the file says.
    doConvertRgb: processor === 'CLIPImageProcessor' ? cv.boolean(file, pp, 'do_convert_rgb', true) : false,
  };
}

/** Resizing to more than this many times the vision tower's side only burns time and memory. */
const MAX_RESIZE_FACTOR = 4;

/**
 * The vision tower takes exactly imageSize x imageSize pixels: the crop (or, without one, the fixed
 * resize) must produce that, and no resize may ask for more than a few times it.
 */
export function checkPreprocessingFitsVision(file: string, p: Preprocessing, imageSize: number): void {
  const unsupported = (problem: string) => new GitcapError('E_UNSUPPORTED', `${file}: ${problem}`);
  if (p.doResize) {
    const limit = MAX_RESIZE_FACTOR * imageSize;
    const sizes: [string, number][] = p.shortestEdge > 0
      ? [['size.shortest_edge', p.shortestEdge]]
      : [['size.height', p.resizeHeight], ['size.width', p.resizeWidth]];
    for (const [key, value] of sizes) {
      if (value > limit) throw unsupported(`${key} ${value} is more than ${MAX_RESIZE_FACTOR} times the vision tower's image_size ${imageSize}`);
    }
  }
  const fits = (h: number, w: number) => h === imageSize && w === imageSize;
  if (p.doCenterCrop) {
    if (!fits(p.cropHeight, p.cropWidth)) {
      throw unsupported(`crop_size ${p.cropWidth}x${p.cropHeight} does not match the vision tower's image_size ${imageSize}x${imageSize}`);
    }
  } else if (!p.doResize || p.shortestEdge > 0) {
    throw unsupported(`without do_center_crop, size must be {height, width} of the vision tower's image_size ${imageSize}, or images would not fit it`);
  } else if (!fits(p.resizeHeight, p.resizeWidth)) {
    throw unsupported(`size ${p.resizeWidth}x${p.resizeHeight} does not match the vision tower's image_size ${imageSize}x${imageSize}`);
  }
}
