// What one benchmark child (bench/one-run.ts) measures and prints as one JSON line.

/** One caption's stage times (ms), as GitModel.caption() reports them. */
export interface StageTimes {
  /** Reading the frame files (JS side, before the native call). */
  readMs: number;
  /** Decoding and resizing the frames to pixel values. */
  preprocessMs: number;
  /** The vision tower over all frames (incl. temporal embedding and projection). */
  visionMs: number;
  /** The image tokens through the decoder (their K/V cached). */
  prefixMs: number;
  /** Every decode step, the first (prompt) step included. */
  decodeMs: number;
  /** decodeMs / new tokens. */
  perTokenMs: number;
  tokensPerSecond: number;
  /** End to end: read + preprocess + vision + prefix + decode. */
  totalMs: number;
}

export const STAGE_KEYS = ['readMs', 'preprocessMs', 'visionMs', 'prefixMs', 'decodeMs', 'perTokenMs', 'tokensPerSecond', 'totalMs'] as const;

export interface OneRunResult {
  model: string;
  /** The file's weight type as the model reports it (general.file_type). */
  quantization: string;
  backend: string;
  /** ModelInfo.matmulKernel: 'int8-avx512vnni' or 'ggml'. */
  matmulKernel: string;
  threads: number;
  fileBytes: number;
  /** GitModel.load wall time. */
  loadMs: number;
  /** RSS of the child before loading (Node.js, tsx, the addon): the floor under peakRssBytes. */
  baselineRssBytes: number;
  /** process.resourceUsage().maxRSS after every caption: the child's peak. */
  peakRssBytes: number;
  warmupMs: number;
  /** CPUs other processes kept busy during the timed captions (null where unknown). */
  othersCpus: number | null;
  /** One entry per timed caption. */
  runs: StageTimes[];
  newTokens: number;
  /** The warm-up caption's new token ids and text (every run is greedy: the same). */
  tokenIds: number[];
  text: string;
}
