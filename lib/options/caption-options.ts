// Options of caption() and captionStream(), documented here and checked with exact messages by
// the rows of caption-option-table.ts (which must match this interface key for key).
import { invalidArg } from '../inputs/arg-checks.js';
import type { FrameSampling } from '../inputs/sampling.js';
import {
  CAPTION_OPTION_NAMES,
  captionOptionRow,
  isCaptionOptionName,
  type CaptionCheckContext,
  type RawCaptionOptions,
} from './caption-option-table.js';
import { checkOption } from './option-rule.js';

export interface CaptionOptions {
  /** New tokens at most (default 20, transformers' default length for GIT). */
  maxNewTokens?: number;
  /** The end-of-sequence token is impossible until this many new tokens exist (default 0). */
  minNewTokens?: number;
  /** Beam search with this many beams (default 1 = greedy or sampling). */
  numBeams?: number;
  /** Beam search: scores are divided by length ** lengthPenalty (default 1). */
  lengthPenalty?: number;
  /** Beam search: stop once numBeams finished candidates exist (default false: transformers' heuristic). */
  earlyStopping?: boolean;
  /** > 0 samples from softmax(logits / temperature); 0 (default) is greedy. */
  temperature?: number;
  /** Sampling: keep only the topK most likely tokens (0 = all). */
  topK?: number;
  /** Sampling: keep the smallest set of tokens whose probability reaches topP (1 = all). */
  topP?: number;
  /** Sampling: seed of the random generator (default 0); the same seed gives the same caption. */
  seed?: number;
  /** > 1 discourages repeating tokens (transformers' RepetitionPenaltyLogitsProcessor); default 1. */
  repetitionPenalty?: number;
  /** A question for visual question answering: the model continues "[CLS] question". */
  prompt?: string;
  /** Aborts the call: it rejects with an AbortError (code E_ABORTED). */
  signal?: AbortSignal;
  /** Called with each piece of text as it is generated, and its token id (-1 for a held-back tail). */
  onToken?: (piece: string, id: number) => void;
  /** Video inputs: which frames to take (default 'uniform'). */
  sampling?: FrameSampling;
  /** Largest image or video frame accepted, in pixels (default 100 megapixels for images). */
  maxPixels?: number;
  /** Also return the raw logits of the first step (for parity checks). */
  returnFirstLogits?: boolean;
  /** Named intermediates to return: vision.frame0, vision.temporal, vision.projected. */
  debugTensors?: string[];
}

/** Checks every option against the model's limits; returns what the native side takes. */
export function checkCaptionOptions(options: unknown, maxPositions: number): RawCaptionOptions {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw invalidArg('options', 'an object', options);
  }
  const o = options as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!isCaptionOptionName(key)) throw invalidArg(key, 'a known option (see CaptionOptions)', o[key]);
  }
  const raw: Record<string, unknown> = {};
  const checked = raw as RawCaptionOptions;
  const context: CaptionCheckContext = { maxPositions, checked };
  for (const name of CAPTION_OPTION_NAMES) {
    if (o[name] === undefined) continue;
    const row = captionOptionRow(name);
    const value = checkOption(name, row.rule, o[name], context);
    if (row.native) raw[name] = value;
  }
  if ((checked.numBeams ?? 1) > 1 && (checked.temperature ?? 0) > 0) {
    throw invalidArg('temperature', '0 when numBeams > 1 (beam search does not sample)', checked.temperature);
  }
  return checked;
}
