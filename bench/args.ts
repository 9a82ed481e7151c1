// Pieces of the benchmarks' command lines that several of them parse alike.
import { GitcapError } from '../core/errors.js';

export function positiveInt(name: string, text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < 1) {
    throw new GitcapError('E_INVALID_ARG', `${name} must be a positive integer, got "${text}"`);
  }
  return n;
}

/** "a, b,c" as ['a', 'b', 'c'], empty items left out. */
export function commaList(text: string): string[] {
  return text.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

/** --model <file.gguf>, which the benchmarks that load one model need. */
export function requiredModel(model: string | undefined): string {
  if (model === undefined) throw new GitcapError('E_INVALID_ARG', '--model <file.gguf> is required');
  return model;
}
