// Options of GitModel.load(), documented here and checked by the rows of one table, which also
// say which of them the addon's Model.load() reads (RawLoadOptions).
import type { QuantType } from '../../weights-convert/quant-types.js';
import type { ConvertProgress } from '../hub/cache-convert.js';
import { invalidArg } from '../inputs/arg-checks.js';
import { checkOption, type OptionRule, type RuleFor } from './option-rule.js';

export type Backend = 'auto' | 'cpu' | 'cuda' | 'metal' | 'vulkan';

export const BACKENDS: readonly Backend[] = ['auto', 'cpu', 'cuda', 'metal', 'vulkan'];

export interface LoadOptions {
  /** Where the weights live and graphs run: 'auto' (default) takes a GPU when one is usable. */
  backend?: Backend;
  /**
   * CPU threads. Default: chosen afresh for each graph, the physical cores this process may use
   * less the cores other processes kept busy lately (Linux; elsewhere all physical cores).
   */
  threads?: number;
  /** Requests waiting or running at once before calls reject with E_BUSY (default 64). */
  maxQueue?: number;
  /** CPU: use the weights straight from the mapped file (default true). */
  useMmap?: boolean;
  /** A Hugging Face checkpoint folder is converted first, to this type (default q8_0). */
  quantization?: QuantType;
  /** Conversion cache for checkpoint folders (default: gitcap's cache folder). */
  cacheDir?: string;
  onProgress?: (progress: LoadProgress) => void;
  signal?: AbortSignal;
}

export type LoadProgress = ConvertProgress | { phase: 'load'; path: string };

interface LoadOptionRow<V> {
  rule: OptionRule & RuleFor<V>;
  /** Passed to the addon's Model.load() under the same key. */
  native?: true;
}

// In the order they are checked.
export const LOAD_OPTION_TABLE = {
  backend: { rule: { type: 'oneOf', values: BACKENDS }, native: true },
  threads: { rule: { type: 'integer', min: 1, max: 1024 }, native: true },
  maxQueue: { rule: { type: 'integer', min: 1, max: 1_000_000 }, native: true },
  useMmap: { rule: { type: 'boolean' }, native: true },
  // Checked where they are used: by the converter and the cache.
  quantization: { rule: { type: 'checked-later' } },
  cacheDir: { rule: { type: 'checked-later' } },
  onProgress: { rule: { type: 'function' } },
  signal: { rule: { type: 'AbortSignal' } },
} as const satisfies { [K in keyof LoadOptions]-?: LoadOptionRow<NonNullable<LoadOptions[K]>> };

type Table = typeof LOAD_OPTION_TABLE;
type NativeKey = { [K in keyof Table]: Table[K] extends { native: true } ? K : never }[keyof Table];

/** The object the addon's Model.load() reads. */
export type RawLoadOptions = Pick<LoadOptions, NativeKey>;

const NAMES = Object.keys(LOAD_OPTION_TABLE) as Array<keyof Table>;

/** Checks the options GitModel.load() takes (other keys are ignored). */
export function checkLoadOptions(options: unknown): LoadOptions {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null) throw invalidArg('options', 'an object', options);
  const o = options as Record<string, unknown>;
  for (const name of NAMES) {
    if (o[name] !== undefined) checkOption(name, LOAD_OPTION_TABLE[name].rule as OptionRule, o[name], undefined);
  }
  return o as LoadOptions;
}

/** The options of `o` that the addon reads, those not given left out. */
export function rawLoadOptions(o: LoadOptions): RawLoadOptions {
  const raw: Record<string, unknown> = {};
  for (const name of NAMES) {
    if ('native' in LOAD_OPTION_TABLE[name] && o[name] !== undefined) raw[name] = o[name];
  }
  return raw as RawLoadOptions;
}
