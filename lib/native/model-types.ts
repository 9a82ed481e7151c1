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

/** The addon builds ModelInfo exactly as users see it (native/addon/results.cpp); lib/model.ts passes it on. */
export interface ModelInfo {
  architecture: 'git';
  /** 'video' models take several frames (temporal embeddings); 'image' models one picture. */
  kind: 'video' | 'image';
  name: string;
  /** Weight type of the file: f32, f16, q8_0, q4_0, ... */
  quantization: string;
  /** The device the weights are on, e.g. "CPU" or "CUDA0". */
  backend: string;
  /** The threads given at load, or without them the most the default uses (an idle machine's). */
  threads: number;
  /**
   * What multiplies the linear layers: gitcap's kernels for q8_0 or q4_0 weights repacked at load
   * for x86 CPUs, 'amx-bf16' (AMX-BF16 tiles, the weights dequantized to bf16 as they are used;
   * products of few rows, the decode steps, on AVX-512 VNNI), 'int8-avx512vnni', 'int8-avxvnni' or
   * 'int8-avx2' (the fastest the CPU runs, or the one GITCAP_GEMM names); 'ggml-repack' (arm64:
   * q8_0 or q4_0 weights in ggml's interleaved layouts for its int8 dot-product kernels) or 'ggml'
   * (ggml's own kernels).
   */
  matmulKernel: string;
  path: string;
  text: { vocabSize: number; hiddenSize: number; layers: number; heads: number; intermediateSize: number; maxPositions: number };
  vision: { hiddenSize: number; layers: number; heads: number; imageSize: number; patchSize: number; numFrames: number };
  /** Tokens the decoder sees for one input (frames * (1 + patches)). */
  imageTokens: number;
  special: { bos: number; eos: number; pad: number };
  /** transformers' generation default (counts the prompt). */
  maxLength: number;
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
  memory: { weightsBytes: number; fileBytes: number };
}

export interface RawJobError {
  code: string;
  message: string;
}

/** onEvent('token', id, piece) (id -1: text held back until the end), then 'done' or 'error' once. */
export type RawJobEvent<R> = (kind: 'token' | 'done' | 'error', a: number | R | RawJobError, b?: string) => void;

export interface RawModel {
  info(): ModelInfo;
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
