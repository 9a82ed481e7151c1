// Exact types of the addon's Model class (native/addon/model.cpp). User code never sees these.
import type { RawCaptionOptions } from '../options/caption-option-table.js';
import type { RawLoadOptions } from '../options/load-options.js';
import type { RawScoreOptions } from '../options/score-options.js';

export interface RawImage {
  data: Uint8Array;
  width: number;
  height: number;
  channels: number;
}

/** Encoded files (PNG/JPEG/GIF bytes) or decoded pixels; `video` = frames of one video. */
export interface RawInput {
  /** Already preprocessed pixel values; then `images` is empty. */
  pixels?: { data: Float32Array; dims: number[] };
  images: Array<Uint8Array | RawImage>;
  video: boolean;
  maxPixels?: number;
}

/** The caption options the addon reads: the rows of lib/options/caption-option-table.ts marked native. */
export type { RawCaptionOptions } from '../options/caption-option-table.js';

export interface RawTimings {
  preprocessMs: number;
  visionMs: number;
  prefixMs: number;
  decodeMs: number;
  decodeSteps: number;
  totalMs: number;
}

export interface RawDebugTensor {
  name: string;
  shape: number[];
  data: Float32Array;
}

export interface RawCaptionResult {
  tokenIds: number[];
  promptIds: number[];
  text: string;
  fullText: string;
  stoppedByEos: boolean;
  score: number;
  timings: RawTimings;
  firstLogits?: Float32Array;
  debug?: RawDebugTensor[];
}

/** The score options the addon reads: built by lib/options/score-options.ts. */
export type { RawScoreOptions } from '../options/score-options.js';

export interface RawScoreResult {
  tokenIds: number[];
  tokenLogprobs: Float32Array;
  total: number;
  logits?: Float32Array;
}

export interface RawPixelValues {
  data: Float32Array;
  dims: number[];
  isVideo: boolean;
}

export interface RawModelInfo {
  name: string;
  fileType: string;
  backend: string;
  threads: number;
  vocabSize: number;
  hiddenSize: number;
  layers: number;
  heads: number;
  intermediateSize: number;
  maxPositions: number;
  visionHiddenSize: number;
  visionLayers: number;
  visionHeads: number;
  imageSize: number;
  patchSize: number;
  numFrames: number;
  imageTokens: number;
  bosId: number;
  eosId: number;
  padId: number;
  maxLength: number;
  weightsBytes: number;
  fileBytes: number;
  matmulKernel: string;
  preprocessing: {
    processor: string;
    resample: string;
    shortestEdge: number;
    cropHeight: number;
    cropWidth: number;
    doConvertRgb: boolean;
    rescaleFactor: number;
    mean: Float32Array;
    std: Float32Array;
  };
}

export interface RawJobError {
  code: string;
  message: string;
}

/** onEvent('token', id, piece) (id -1: text held back until the end), then 'done' or 'error' once. */
export type RawJobEvent<R> = (kind: 'token' | 'done' | 'error', a: number | R | RawJobError, b?: string) => void;

export interface RawModel {
  info(): RawModelInfo;
  caption(input: RawInput, options: RawCaptionOptions, onEvent: RawJobEvent<RawCaptionResult>): number;
  score(input: RawInput, options: RawScoreOptions, onEvent: RawJobEvent<RawScoreResult>): number;
  preprocess(input: RawInput, onEvent: RawJobEvent<RawPixelValues>): number;
  cancel(jobId: number): void;
  inFlight(): number;
  tokenize(text: string, addSpecialTokens: boolean): Int32Array;
  detokenize(ids: number[], skipSpecialTokens: boolean, cleanUp: boolean): string;
  dispose(): Promise<void>;
}

/** The load options the addon reads: the rows of lib/options/load-options.ts marked native. */
export type { RawLoadOptions } from '../options/load-options.js';

export interface AddonModelPart {
  Model: { load(path: string, options: RawLoadOptions): Promise<RawModel> };
}
