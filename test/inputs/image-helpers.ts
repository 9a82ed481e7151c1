// Shared by the image tests: fixture paths, the Pillow parity expectations, digests and the
// processor settings of a preprocessor_config.json in the addon's form.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RawPreprocessParams } from '../../lib/native/image-types.js';

export const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

export interface ParityCase {
  processor: string;
  image: string;
  resized: { shape: number[]; sha256: string };
  pixelValues: { dims: number[]; sha256: string };
}

export interface DecodeCase {
  file: string;
  mode: string;
  width: number;
  height: number;
  channels: number;
  sha256: string;
}

/** test/fixtures/image-parity.json, written by test/tools/pil_preprocess.py. */
export const parity = JSON.parse(readFileSync(join(FIXTURES, 'image-parity.json'), 'utf8')) as {
  processors: Record<string, RawPreprocessParams>;
  preprocess: ParityCase[];
  decode: DecodeCase[];
};

export function sha256(data: ArrayBufferView): string {
  return createHash('sha256').update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)).digest('hex');
}

export function fixtureBytes(relative: string): Uint8Array {
  return readFileSync(join(FIXTURES, relative));
}

/** A model's preprocessor_config.json as the addon's params (transformers' defaults where absent). */
export function paramsOfModel(modelDir: string): RawPreprocessParams {
  const pp = JSON.parse(readFileSync(join(FIXTURES, modelDir, 'preprocessor_config.json'), 'utf8')) as {
    image_processor_type: string;
    do_convert_rgb?: boolean;
    do_resize: boolean;
    size: { shortest_edge?: number; height?: number; width?: number };
    resample: number;
    do_center_crop: boolean;
    crop_size: { height: number; width: number };
    do_rescale: boolean;
    rescale_factor: number;
    do_normalize: boolean;
    image_mean: number[];
    image_std: number[];
  };
  return {
    processor: pp.image_processor_type,
    doConvertRgb: pp.do_convert_rgb ?? pp.image_processor_type === 'CLIPImageProcessor',
    doResize: pp.do_resize,
    shortestEdge: pp.size.shortest_edge ?? 0,
    resizeHeight: pp.size.height ?? 0,
    resizeWidth: pp.size.width ?? 0,
    resample: pp.resample,
    doCenterCrop: pp.do_center_crop,
    cropHeight: pp.crop_size.height,
    cropWidth: pp.crop_size.width,
    doRescale: pp.do_rescale,
    rescaleFactor: pp.rescale_factor,
    doNormalize: pp.do_normalize,
    mean: pp.image_mean,
    std: pp.image_std,
  };
}

/** Number of differing bytes and the largest difference. */
export function byteDiff(a: Uint8Array, b: Uint8Array): { differing: number; max: number } {
  if (a.length !== b.length) throw new Error(`length ${a.length} != ${b.length}`);
  let differing = 0;
  let max = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (d > 0) differing++;
    if (d > max) max = d;
  }
  return { differing, max };
}
