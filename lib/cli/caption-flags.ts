// `gitcap caption`'s option strings turned into LoadOptions and CaptionOptions, checked before
// anything is loaded or downloaded, with messages that name the flag the user typed.
import type { CaptionOptions } from '../caption-options.js';
import { MAX_BEAMS } from '../caption-options.js';
import { GitcapError } from '../../core/errors.js';
import { checkSampling, type FrameSampling } from '../inputs/sampling.js';
import type { Backend } from '../model.js';
import { validateQuantization, type QuantType } from '../hub/quantization.js';

export const BACKENDS: readonly Backend[] = ['auto', 'cpu', 'cuda', 'metal', 'vulkan'];

/** The parseArgs table of `gitcap caption`. */
export const CAPTION_FLAGS = {
  model: { type: 'string' },
  quant: { type: 'string' },
  frames: { type: 'boolean' },
  prompt: { type: 'string' },
  json: { type: 'boolean' },
  'max-new-tokens': { type: 'string' },
  'min-new-tokens': { type: 'string' },
  beams: { type: 'string' },
  temperature: { type: 'string' },
  'top-k': { type: 'string' },
  'top-p': { type: 'string' },
  seed: { type: 'string' },
  'repetition-penalty': { type: 'string' },
  sampling: { type: 'string' },
  backend: { type: 'string' },
  threads: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  // Long videos and folders (caption-mode-flags.ts).
  segments: { type: 'string' },
  format: { type: 'string' },
  output: { type: 'string', short: 'o' },
  recursive: { type: 'boolean', short: 'r' },
  jsonl: { type: 'string' },
  resume: { type: 'boolean' },
  concurrency: { type: 'string' },
} as const;

export type FlagValues = Record<string, string | boolean | undefined>;

export interface CaptionFlags {
  /** --model as given; undefined: the default hub model. */
  model: string | undefined;
  /** --quant; undefined when not given. */
  quantization: QuantType | undefined;
  frames: boolean;
  json: boolean;
  backend: Backend | undefined;
  threads: number | undefined;
  caption: CaptionOptions;
}

function usageError(message: string): GitcapError {
  return new GitcapError('E_INVALID_ARG', message);
}

/** An integer flag in [min, max]; undefined when absent. */
function integerFlag(values: FlagValues, flag: string, min: number, max: number): number | undefined {
  const text = values[flag] as string | undefined;
  if (text === undefined) return undefined;
  const n = Number(text);
  if (text.trim() === '' || !Number.isInteger(n) || n < min || n > max) {
    throw usageError(`Expected an integer between ${min} and ${max} for --${flag} but received ${JSON.stringify(text)}`);
  }
  return n;
}

/** A number flag; `accept` states the range for the message. */
function numberFlag(values: FlagValues, flag: string, accept: (n: number) => boolean, range: string): number | undefined {
  const text = values[flag] as string | undefined;
  if (text === undefined) return undefined;
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || !accept(n)) {
    throw usageError(`Expected ${range} for --${flag} but received ${JSON.stringify(text)}`);
  }
  return n;
}

/**
 * --sampling: `uniform`, `window:<frameSampleRate>[:<seed>]` or `timestamps:<s>,<s>,...`
 * (seconds from the first frame, one per frame the model takes).
 */
export function parseSampling(text: string): FrameSampling {
  const [kind, ...rest] = text.split(':');
  const bad = () =>
    usageError(
      `Expected uniform, window:<frameSampleRate>[:<seed>] or timestamps:<seconds>,... for --sampling but received ${JSON.stringify(text)}`,
    );
  const num = (s: string | undefined) => {
    if (s === undefined || s.trim() === '' || !Number.isFinite(Number(s))) throw bad();
    return Number(s);
  };
  let sampling: FrameSampling;
  if (kind === 'uniform' && rest.length === 0) sampling = 'uniform';
  else if (kind === 'window' && (rest.length === 1 || rest.length === 2)) {
    sampling = { kind: 'window', frameSampleRate: num(rest[0]), ...(rest.length === 2 && { seed: num(rest[1]) }) };
  } else if (kind === 'timestamps' && rest.length === 1) {
    sampling = { kind: 'timestamps', timestamps: rest[0]!.split(',').map(num) };
  } else throw bad();
  // The number of timestamps is checked against the model once it is loaded.
  const count = typeof sampling === 'object' && sampling.kind === 'timestamps' ? sampling.timestamps.length : 1;
  checkSampling(sampling, count);
  return sampling;
}

/** Checks every option of `gitcap caption`; throws E_INVALID_ARG naming the flag. */
export function parseCaptionFlags(values: FlagValues): CaptionFlags {
  const backend = values.backend as string | undefined;
  if (backend !== undefined && !BACKENDS.includes(backend as Backend)) {
    throw usageError(`Expected one of ${BACKENDS.join(', ')} for --backend but received ${JSON.stringify(backend)}`);
  }
  const quant = values.quant as string | undefined;
  if (quant !== undefined) {
    try {
      validateQuantization(quant);
    } catch (err) {
      throw usageError((err as Error).message.replace(' for quantization ', ' for --quant '));
    }
  }
  const maxNewTokens = integerFlag(values, 'max-new-tokens', 0, 100_000);
  const minNewTokens = integerFlag(values, 'min-new-tokens', 0, 100_000);
  if (minNewTokens !== undefined && minNewTokens > (maxNewTokens ?? 20)) {
    throw usageError(`--min-new-tokens (${minNewTokens}) is more than --max-new-tokens (${maxNewTokens ?? '20, the default'})`);
  }
  const numBeams = integerFlag(values, 'beams', 1, MAX_BEAMS);
  const temperature = numberFlag(values, 'temperature', (n) => n >= 0 && n <= 100, 'a number between 0 and 100');
  if ((numBeams ?? 1) > 1 && (temperature ?? 0) > 0) {
    throw usageError('--temperature must be 0 with --beams above 1 (beam search does not sample)');
  }
  const topK = integerFlag(values, 'top-k', 0, 1_000_000);
  const topP = numberFlag(values, 'top-p', (n) => n > 0 && n <= 1, 'a number in (0, 1]');
  const seed = integerFlag(values, 'seed', 0, Number.MAX_SAFE_INTEGER);
  const repetitionPenalty = numberFlag(values, 'repetition-penalty', (n) => n > 0, 'a positive number');
  const samplingText = values.sampling as string | undefined;
  const prompt = values.prompt as string | undefined;
  const caption: CaptionOptions = {
    ...(maxNewTokens !== undefined && { maxNewTokens }),
    ...(minNewTokens !== undefined && { minNewTokens }),
    ...(numBeams !== undefined && { numBeams }),
    ...(temperature !== undefined && { temperature }),
    ...(topK !== undefined && { topK }),
    ...(topP !== undefined && { topP }),
    ...(seed !== undefined && { seed }),
    ...(repetitionPenalty !== undefined && { repetitionPenalty }),
    ...(samplingText !== undefined && { sampling: parseSampling(samplingText) }),
    ...(prompt !== undefined && { prompt }),
  };
  return {
    model: values.model as string | undefined,
    quantization: quant as QuantType | undefined,
    frames: values.frames === true,
    json: values.json === true,
    backend: backend as Backend | undefined,
    threads: integerFlag(values, 'threads', 1, 1024),
    caption,
  };
}
