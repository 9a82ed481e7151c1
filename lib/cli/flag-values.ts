// The text of command-line flags turned into numbers, with one message style:
// Expected an integer between 1 and 64 for --concurrency but received "x".
import { GitcapError } from '../../core/errors.js';
import { expectedNumberText, numberFromText, type NumberRule } from '../options/option-rule.js';

export type FlagValues = Record<string, string | boolean | undefined>;

export function usageError(message: string): GitcapError {
  return new GitcapError('E_INVALID_ARG', message);
}

/**
 * A number flag; `accept` tells the numbers it takes and `expected` says them ("a positive
 * number"). Undefined when the flag is absent.
 */
export function numberFlag(values: FlagValues, flag: string, expected: string, accept: (n: number) => boolean): number | undefined {
  const text = values[flag] as string | undefined;
  if (text === undefined) return undefined;
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || !accept(n)) {
    throw usageError(`Expected ${expected} for --${flag} but received ${JSON.stringify(text)}`);
  }
  return n;
}

/** A number flag checked by an option's rule; `flagMax` replaces a bound known only with the model. */
export function ruleFlag<C>(values: FlagValues, flag: string, rule: NumberRule<C>, flagMax?: number): number | undefined {
  const text = values[flag] as string | undefined;
  if (text === undefined) return undefined;
  const n = numberFromText(rule, text, flagMax);
  if (n === undefined) throw usageError(`Expected ${expectedNumberText(rule, flagMax)} for --${flag} but received ${JSON.stringify(text)}`);
  return n;
}

/** An integer flag in [min, max]. */
export function integerFlag(values: FlagValues, flag: string, min: number, max: number): number | undefined {
  return ruleFlag(values, flag, { type: 'integer', min, max });
}
