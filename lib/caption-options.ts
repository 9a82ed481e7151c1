// Options of caption(), captionStream() and score(), checked with exact messages.
import { checkInteger, checkNumber, invalidArg } from './inputs/arg-checks.js';
import type { FrameSampling } from './inputs/sampling.js';
import type { RawCaptionOptions } from './native/model-types.js';

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

const KNOWN = new Set([
  'maxNewTokens', 'minNewTokens', 'numBeams', 'lengthPenalty', 'earlyStopping', 'temperature', 'topK', 'topP', 'seed',
  'repetitionPenalty', 'prompt', 'signal', 'onToken', 'sampling', 'maxPixels', 'returnFirstLogits', 'debugTensors',
]);
const DEBUG_TENSORS = new Set(['vision.frame0', 'vision.temporal', 'vision.projected']);

export const MAX_BEAMS = 16;

/** Checks every option against the model's limits; returns what the native side takes. */
export function checkCaptionOptions(options: unknown, maxPositions: number): RawCaptionOptions {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw invalidArg('options', 'an object', options);
  }
  const o = options as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!KNOWN.has(key)) throw invalidArg(key, 'a known option (see CaptionOptions)', o[key]);
  }
  const raw: RawCaptionOptions = {};
  if (o.maxNewTokens !== undefined) raw.maxNewTokens = checkInteger('maxNewTokens', o.maxNewTokens, 0, maxPositions - 1);
  if (o.minNewTokens !== undefined) {
    raw.minNewTokens = checkInteger('minNewTokens', o.minNewTokens, 0, raw.maxNewTokens ?? 20);
  }
  if (o.numBeams !== undefined) raw.numBeams = checkInteger('numBeams', o.numBeams, 1, MAX_BEAMS);
  if (o.lengthPenalty !== undefined) raw.lengthPenalty = checkNumber('lengthPenalty', o.lengthPenalty, -100, 100);
  if (o.earlyStopping !== undefined) raw.earlyStopping = checkBoolean('earlyStopping', o.earlyStopping);
  if (o.temperature !== undefined) raw.temperature = checkNumber('temperature', o.temperature, 0, 100);
  if (o.topK !== undefined) raw.topK = checkInteger('topK', o.topK, 0, 1_000_000);
  if (o.topP !== undefined) {
    if (typeof o.topP !== 'number' || !(o.topP > 0 && o.topP <= 1)) throw invalidArg('topP', 'number in (0, 1]', o.topP);
    raw.topP = o.topP;
  }
  if (o.seed !== undefined) raw.seed = checkInteger('seed', o.seed, 0, Number.MAX_SAFE_INTEGER);
  if (o.repetitionPenalty !== undefined) {
    if (typeof o.repetitionPenalty !== 'number' || !(o.repetitionPenalty > 0) || !Number.isFinite(o.repetitionPenalty)) {
      throw invalidArg('repetitionPenalty', 'positive number', o.repetitionPenalty);
    }
    raw.repetitionPenalty = o.repetitionPenalty;
  }
  if ((raw.numBeams ?? 1) > 1 && (raw.temperature ?? 0) > 0) {
    throw invalidArg('temperature', '0 when numBeams > 1 (beam search does not sample)', raw.temperature);
  }
  if (o.prompt !== undefined) {
    if (typeof o.prompt !== 'string') throw invalidArg('prompt', 'a string', o.prompt);
    raw.prompt = o.prompt;
  }
  if (o.signal !== undefined && !(o.signal instanceof AbortSignal)) throw invalidArg('signal', 'an AbortSignal', o.signal);
  if (o.onToken !== undefined && typeof o.onToken !== 'function') throw invalidArg('onToken', 'a function', o.onToken);
  if (o.maxPixels !== undefined) checkInteger('maxPixels', o.maxPixels, 1, Number.MAX_SAFE_INTEGER);
  if (o.returnFirstLogits !== undefined) raw.returnFirstLogits = checkBoolean('returnFirstLogits', o.returnFirstLogits);
  if (o.debugTensors !== undefined) {
    if (!Array.isArray(o.debugTensors) || !o.debugTensors.every((n) => typeof n === 'string' && DEBUG_TENSORS.has(n))) {
      throw invalidArg('debugTensors', `an array of ${[...DEBUG_TENSORS].join(', ')}`, o.debugTensors);
    }
    raw.debugTensors = [...o.debugTensors] as string[];
  }
  return raw;
}

function checkBoolean(name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw invalidArg(name, 'a boolean', value);
  return value;
}
