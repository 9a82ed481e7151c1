// What values one option accepts, said once: checking a value given to the API, the text of a
// command-line flag and the text of a form field all derive from it, with one message style
// ("Expected <what> for <name> but received <value>").
import { invalidArg } from '../inputs/arg-checks.js';

/** A bound known only at the call (the model's limits, an option checked before). */
export type Bound<C> = number | ((context: C) => number);

export type NumberRule<C = unknown> =
  /** An integer in [min, max]. */
  | { type: 'integer'; min: number; max: Bound<C> }
  /** A finite number in [min, max]. */
  | { type: 'number'; min: number; max: number }
  /** A finite number above `above`, and at most `max` when given. */
  | { type: 'number'; above: number; max?: number };

export type OptionRule<C = unknown> =
  | NumberRule<C>
  | { type: 'boolean' }
  | { type: 'string' }
  /** One of `values`. */
  | { type: 'oneOf'; values: readonly string[] }
  | { type: 'function' }
  | { type: 'AbortSignal' }
  /** An array of some of `values`. */
  | { type: 'list'; values: readonly string[] }
  /** Checked where it is used (video frame sampling: against the model's frame count). */
  | { type: 'checked-later' };

/**
 * The rules a value of type V may take: numbers a NumberRule, booleans 'boolean', and so on;
 * any value may be left to the code that uses it.
 */
export type RuleFor<V, C = unknown> =
  | { type: 'checked-later' }
  | ([V] extends [number]
      ? NumberRule<C>
      : [V] extends [boolean]
        ? { type: 'boolean' }
        : [V] extends [string]
          ? { type: 'string' } | { type: 'oneOf'; values: readonly V[] }
          : [V] extends [AbortSignal]
            ? { type: 'AbortSignal' }
            : [V] extends [Function]
              ? { type: 'function' }
              : [V] extends [string[]]
                ? { type: 'list'; values: readonly string[] }
                : never);

export function isNumberRule<C>(rule: OptionRule<C>): rule is NumberRule<C> {
  return rule.type === 'integer' || rule.type === 'number';
}

/** The upper bound of an integer rule at this call. */
function boundAt<C>(rule: NumberRule<C> & { type: 'integer' }, context: C): number {
  return typeof rule.max === 'function' ? rule.max(context) : rule.max;
}

/** What a message says a number must be, without an article: "integer between 0 and 16". */
function expectedNumber<C>(rule: NumberRule<C>, integerMax: number): string {
  if (rule.type === 'integer') return `integer between ${rule.min} and ${integerMax}`;
  if ('min' in rule) return `number between ${rule.min} and ${rule.max}`;
  if (rule.max !== undefined) return `number in (${rule.above}, ${rule.max}]`;
  return rule.above === 0 ? 'positive number' : `number above ${rule.above}`;
}

function acceptsNumber<C>(rule: NumberRule<C>, n: number, integerMax: number): boolean {
  if (rule.type === 'integer') return Number.isInteger(n) && n >= rule.min && n <= integerMax;
  if (!Number.isFinite(n)) return false;
  if ('min' in rule) return n >= rule.min && n <= rule.max;
  return n > rule.above && (rule.max === undefined || n <= rule.max);
}

/** `value` of option `name` when `rule` accepts it (lists are copied); else E_INVALID_ARG. */
export function checkOption<C>(name: string, rule: OptionRule<C>, value: unknown, context: C): unknown {
  switch (rule.type) {
    case 'integer':
    case 'number': {
      const max = rule.type === 'integer' ? boundAt(rule, context) : Infinity;
      if (typeof value !== 'number' || !acceptsNumber(rule, value, max)) throw invalidArg(name, expectedNumber(rule, max), value);
      return value;
    }
    case 'boolean':
      if (typeof value !== 'boolean') throw invalidArg(name, 'a boolean', value);
      return value;
    case 'string':
      if (typeof value !== 'string') throw invalidArg(name, 'a string', value);
      return value;
    case 'oneOf':
      if (!rule.values.includes(value as string)) throw invalidArg(name, `one of ${rule.values.join(', ')}`, value);
      return value;
    case 'function':
      if (typeof value !== 'function') throw invalidArg(name, 'a function', value);
      return value;
    case 'AbortSignal':
      if (!(value instanceof AbortSignal)) throw invalidArg(name, 'an AbortSignal', value);
      return value;
    case 'list':
      if (!Array.isArray(value) || !value.every((v) => typeof v === 'string' && rule.values.includes(v))) {
        throw invalidArg(name, `an array of ${rule.values.join(', ')}`, value);
      }
      return [...value];
    case 'checked-later':
      return value;
  }
}

/**
 * The number in a flag's or a field's text when `rule` accepts it, else undefined. `flagMax`
 * replaces an integer bound that depends on the call (a flag is read before the model loads).
 */
export function numberFromText<C>(rule: NumberRule<C>, text: string, flagMax?: number): number | undefined {
  const n = Number(text);
  return text.trim() !== '' && acceptsNumber(rule, n, fixedMax(rule, flagMax)) ? n : undefined;
}

/** What a flag's message says a number must be: "an integer between 0 and 16". */
export function expectedNumberText<C>(rule: NumberRule<C>, flagMax?: number): string {
  const expected = expectedNumber(rule, fixedMax(rule, flagMax));
  return `${/^[aeiou]/.test(expected) ? 'an' : 'a'} ${expected}`;
}

function fixedMax<C>(rule: NumberRule<C>, flagMax: number | undefined): number {
  if (flagMax !== undefined) return flagMax;
  if (rule.type !== 'integer') return Infinity;
  if (typeof rule.max === 'function') throw new Error('an integer bound that depends on the call needs a fixed one for flags');
  return rule.max;
}
