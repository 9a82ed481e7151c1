import { GitcapError } from '../../core/errors.js';

/** "Expected positive integer for numFrames but received 1.5 of type number". */
export function invalidArg(name: string, expected: string, actual: unknown): GitcapError {
  return new GitcapError('E_INVALID_ARG', `Expected ${expected} for ${name} but received ${describe(actual)}`);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `${JSON.stringify(value)} of type string`;
  return `${String(value)} of type ${typeof value}`;
}

export function checkInteger(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalidArg(name, `integer between ${min} and ${max}`, value);
  }
  return value;
}

export function checkNumber(name: string, value: unknown, min: number, max = Number.MAX_VALUE): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw invalidArg(name, max === Number.MAX_VALUE ? `finite number >= ${min}` : `number between ${min} and ${max}`, value);
  }
  return value;
}
