// `gitcap caption`'s option strings turned into LoadOptions and CaptionOptions, checked before
// anything is loaded or downloaded, with messages that name the flag the user typed.
import type { CaptionOptions } from '../options/caption-options.js';
import { CAPTION_OPTION_TABLE, FLAGGED_CAPTION_OPTIONS, captionOptionRow } from '../options/caption-option-table.js';
import { isNumberRule } from '../options/option-rule.js';
import { parseSampling } from '../inputs/sampling-text.js';
import { BACKENDS, LOAD_OPTION_TABLE, type Backend } from '../options/load-options.js';
import { validateQuantization, type QuantType } from '../hub/quantization.js';
import { ruleFlag, usageError, type FlagValues } from './flag-values.js';

export type { FlagValues } from './flag-values.js';
export { BACKENDS } from '../options/load-options.js';

/** The parseArgs entries of the caption options that have a flag (each takes a value). */
export const CAPTION_OPTION_FLAGS: Readonly<Record<string, { type: 'string' }>> = Object.fromEntries(
  FLAGGED_CAPTION_OPTIONS.map((name) => [captionOptionRow(name).flag!, { type: 'string' }]),
);

/** The parseArgs table of `gitcap caption`. */
export const CAPTION_FLAGS = {
  model: { type: 'string' },
  quant: { type: 'string' },
  frames: { type: 'boolean' },
  json: { type: 'boolean' },
  ...CAPTION_OPTION_FLAGS,
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
  const caption = parseCaptionOptionFlags(values);
  return {
    model: values.model as string | undefined,
    quantization: quant as QuantType | undefined,
    frames: values.frames === true,
    json: values.json === true,
    backend: backend as Backend | undefined,
    threads: ruleFlag(values, 'threads', LOAD_OPTION_TABLE.threads.rule),
    caption,
  };
}

/** The caption options among the flags, each read as its row of the option table says. */
function parseCaptionOptionFlags(values: FlagValues): CaptionOptions {
  const caption: Record<string, unknown> = {};
  for (const name of FLAGGED_CAPTION_OPTIONS) {
    const { rule, flag, flagMax } = captionOptionRow(name);
    const text = values[flag!] as string | undefined;
    if (text === undefined) continue;
    if (isNumberRule(rule)) caption[name] = ruleFlag(values, flag!, rule, flagMax);
    else if (name === 'sampling') caption[name] = parseSampling(text);
    else caption[name] = text;
  }
  // What the API checks together, said with the flags' names.
  const { maxNewTokens, minNewTokens, numBeams, temperature } = caption as CaptionOptions;
  const defaultMax = CAPTION_OPTION_TABLE.maxNewTokens.default;
  if (minNewTokens !== undefined && minNewTokens > (maxNewTokens ?? defaultMax)) {
    throw usageError(`--min-new-tokens (${minNewTokens}) is more than --max-new-tokens (${maxNewTokens ?? `${defaultMax}, the default`})`);
  }
  if ((numBeams ?? 1) > 1 && (temperature ?? 0) > 0) {
    throw usageError('--temperature must be 0 with --beams above 1 (beam search does not sample)');
  }
  return caption;
}
