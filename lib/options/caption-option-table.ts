// Every caption option once: the values it accepts (checkCaptionOptions, the `gitcap caption`
// flags and the server's fields derive their checks and messages from it), its default, whether
// it crosses into the addon's caption() (RawCaptionOptions: the keys the native side reads) and
// whether a queued job may carry it. A new numeric option is a row here (and its C++ parameter).
import type { CaptionOptions } from './caption-options.js';
import type { OptionRule, RuleFor } from './option-rule.js';

/** What a check knows at the call: the model's limits and the options checked before it. */
export interface CaptionCheckContext {
  maxPositions: number;
  checked: Readonly<CaptionOptions>;
}

export interface CaptionOptionRow {
  rule: OptionRule<CaptionCheckContext>;
  /** What the addon uses when the option is absent. */
  default?: unknown;
  /** Passed to the addon's caption() under the same key. */
  native?: true;
  /** `gitcap caption --<flag>` (and `gitcap enqueue`); the server takes the option's own name as a field. */
  flag?: string;
  /** The flag's upper bound where the API's depends on the model. */
  flagMax?: number;
  /** Plain data that a queued job may carry. */
  job?: true;
}

/** A row whose rule and default fit a value of type V. */
type RowFor<V> = CaptionOptionRow & { rule: RuleFor<V, CaptionCheckContext>; default?: V };

/** One row per option of CaptionOptions, no more, no less. */
type CaptionOptionRows = { [K in keyof CaptionOptions]-?: RowFor<NonNullable<CaptionOptions[K]>> };

export const MAX_BEAMS = 16;
export const DEFAULT_MAX_NEW_TOKENS = 20;
const DEBUG_TENSORS = ['vision.frame0', 'vision.temporal', 'vision.projected'] as const;
/** Bounds of integers whose flags are read before the model is known. */
const MAX_FLAG_TOKENS = 100_000;

// In the order they are checked (and listed in messages).
export const CAPTION_OPTION_TABLE = {
  maxNewTokens: {
    rule: { type: 'integer', min: 0, max: (c: CaptionCheckContext) => c.maxPositions - 1 },
    default: DEFAULT_MAX_NEW_TOKENS,
    native: true,
    flag: 'max-new-tokens',
    flagMax: MAX_FLAG_TOKENS,
    job: true,
  },
  minNewTokens: {
    rule: { type: 'integer', min: 0, max: (c: CaptionCheckContext) => c.checked.maxNewTokens ?? DEFAULT_MAX_NEW_TOKENS },
    default: 0,
    native: true,
    flag: 'min-new-tokens',
    flagMax: MAX_FLAG_TOKENS,
    job: true,
  },
  numBeams: { rule: { type: 'integer', min: 1, max: MAX_BEAMS }, default: 1, native: true, flag: 'beams', job: true },
  lengthPenalty: { rule: { type: 'number', min: -100, max: 100 }, default: 1, native: true, job: true },
  earlyStopping: { rule: { type: 'boolean' }, default: false, native: true, job: true },
  temperature: { rule: { type: 'number', min: 0, max: 100 }, default: 0, native: true, flag: 'temperature', job: true },
  topK: { rule: { type: 'integer', min: 0, max: 1_000_000 }, default: 0, native: true, flag: 'top-k', job: true },
  topP: { rule: { type: 'number', above: 0, max: 1 }, default: 1, native: true, flag: 'top-p', job: true },
  seed: { rule: { type: 'integer', min: 0, max: Number.MAX_SAFE_INTEGER }, default: 0, native: true, flag: 'seed', job: true },
  repetitionPenalty: { rule: { type: 'number', above: 0 }, default: 1, native: true, flag: 'repetition-penalty', job: true },
  prompt: { rule: { type: 'string' }, native: true, flag: 'prompt', job: true },
  signal: { rule: { type: 'AbortSignal' } },
  onToken: { rule: { type: 'function' } },
  sampling: { rule: { type: 'checked-later' }, default: 'uniform', flag: 'sampling', job: true },
  maxPixels: { rule: { type: 'integer', min: 1, max: Number.MAX_SAFE_INTEGER }, job: true },
  returnFirstLogits: { rule: { type: 'boolean' }, native: true },
  debugTensors: { rule: { type: 'list', values: DEBUG_TENSORS }, native: true },
} as const satisfies CaptionOptionRows;

type Table = typeof CAPTION_OPTION_TABLE;
export type CaptionOptionName = keyof Table;
type KeysWhere<Mark extends string> = { [K in CaptionOptionName]: Table[K] extends Record<Mark, unknown> ? K : never }[CaptionOptionName];

/** The object the addon's caption() reads: the native options, under the same names. */
export type RawCaptionOptions = Pick<CaptionOptions, KeysWhere<'native'>>;

/** The caption options a job may carry: those that are plain data. */
export type JobCaptionOptions = Pick<CaptionOptions, KeysWhere<'job'>>;

export const CAPTION_OPTION_NAMES = Object.keys(CAPTION_OPTION_TABLE) as CaptionOptionName[];

/** The options that have a flag, and the server's fields. */
export const FLAGGED_CAPTION_OPTIONS = CAPTION_OPTION_NAMES.filter((name) => 'flag' in CAPTION_OPTION_TABLE[name]);

export const JOB_CAPTION_OPTIONS: ReadonlySet<string> = new Set(CAPTION_OPTION_NAMES.filter((name) => 'job' in CAPTION_OPTION_TABLE[name]));

export function isCaptionOptionName(name: string): name is CaptionOptionName {
  return Object.hasOwn(CAPTION_OPTION_TABLE, name);
}

/** A row, seen without its literal types (for code that handles every row alike). */
export function captionOptionRow(name: CaptionOptionName): CaptionOptionRow {
  return CAPTION_OPTION_TABLE[name];
}
