// Options of score(), and the object the addon's score() reads from them.
import type { CaptionOptions } from './caption-options.js';

export interface ScoreOptions {
  /** VQA question that comes before the text. */
  prompt?: string;
  /** Count the end-of-sequence token as part of the text (default true). */
  includeEos?: boolean;
  /** Also return the logits of every scored position. */
  returnLogits?: boolean;
  signal?: AbortSignal;
  sampling?: CaptionOptions['sampling'];
  maxPixels?: number;
}

/** The options the addon reads, under the same names (the addon checks their types). */
const NATIVE_SCORE_OPTIONS = ['prompt', 'includeEos', 'returnLogits'] as const satisfies ReadonlyArray<keyof ScoreOptions>;

/** The object the addon's score() reads: the text, or token ids to score instead, and the native options. */
export type RawScoreOptions = { text?: string; ids?: number[] } & Pick<ScoreOptions, (typeof NATIVE_SCORE_OPTIONS)[number]>;

/** What the addon's score() takes: the text (or token ids) and the native options given. */
export function rawScoreOptions(text: string | number[], o: ScoreOptions): RawScoreOptions {
  const raw: RawScoreOptions = Array.isArray(text) ? { ids: text } : { text };
  for (const name of NATIVE_SCORE_OPTIONS) {
    if (o[name] !== undefined) Object.assign(raw, { [name]: o[name] });
  }
  return raw;
}
