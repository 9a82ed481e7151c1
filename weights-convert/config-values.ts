// Typed reads of JSON config values with defaults; a value of the wrong type is E_MODEL_FORMAT.

import { GitcapError } from '../core/errors.js';

export type Json = Record<string, unknown>;

function describe(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : `${JSON.stringify(value)}`;
}

function wrong(file: string, key: string, expected: string, value: unknown): GitcapError {
  return new GitcapError('E_MODEL_FORMAT', `${file}: ${key} must be ${expected}, got ${describe(value)}`);
}

/** The value of `key`, or `fallback` when it is absent or null (as transformers treats them). */
function present(obj: Json, key: string): unknown {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

export function positiveInt(file: string, obj: Json, key: string, fallback: number): number {
  const v = present(obj, key) ?? fallback;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0) throw wrong(file, key, 'a positive integer', v);
  return v;
}

export function nonNegativeInt(file: string, obj: Json, key: string, fallback: number): number {
  const v = present(obj, key) ?? fallback;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw wrong(file, key, 'a non-negative integer', v);
  return v;
}

export function positiveNumber(file: string, obj: Json, key: string, fallback: number): number {
  const v = present(obj, key) ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw wrong(file, key, 'a positive number', v);
  return v;
}

export function string(file: string, obj: Json, key: string, fallback: string): string {
  const v = present(obj, key) ?? fallback;
  if (typeof v !== 'string') throw wrong(file, key, 'a string', v);
  return v;
}

export function boolean(file: string, obj: Json, key: string, fallback: boolean): boolean {
  const v = present(obj, key) ?? fallback;
  if (typeof v !== 'boolean') throw wrong(file, key, 'true or false', v);
  return v;
}

/** An object-valued key, `{}` when absent or null. */
export function object(file: string, obj: Json, key: string): Json {
  const v = present(obj, key) ?? {};
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw wrong(file, key, 'an object', v);
  return v as Json;
}
