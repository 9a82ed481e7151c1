// Command-line options of `npm run bench`, checked with exact messages.
import os from 'node:os';
import { parseArgs } from 'node:util';
import { GitcapError } from '../core/errors.js';
import { isQuantType, type QuantType } from '../weights-convert/quant-types.js';
import { commaList, positiveInt } from './args.js';

export interface BenchOptions {
  types: QuantType[];
  threads: number[];
  runs: number;
  /** New tokens per caption (eos suppressed until then). */
  tokens: number;
  /** 'ort' (ONNX Runtime, timed between gitcap's configurations every round), 'torch' (the PyTorch
   * peer in bench/peers), or a shell command printing the PyTorch peer's summary; run once. */
  peer: string | undefined;
  /** Rounds of every configuration (and the ORT peer), alternating processes; medians over all. */
  rounds: number;
  /** Hugging Face checkpoint folder the GGUFs are converted from. */
  modelDir: string;
  /** Where the converted GGUFs are kept between runs. */
  cacheDir: string;
  frames: string;
  json: string | undefined;
  /** Also run bench/convert.ts (conversion time and peak RSS per type). */
  convert: boolean;
  help: boolean;
}

export const USAGE = `Usage: npm run bench -- [options]

  --types f32,f16,q8_0,q4_0,q4_K   weight types to measure (default: all five)
  --threads 1,2                    CPU thread counts (default: ${os.availableParallelism()}, this machine's CPUs)
  --runs 3                         timed captions per configuration, after one warm-up (median reported)
  --tokens 20                      new tokens per caption (end of sequence suppressed until then)
  --peer ort|torch|"<command>"     also time a peer in the same invocation and print ratios: ort = ONNX
                                   Runtime int8 (bench/peers/ort, exported once into the cache folder),
                                   torch = the PyTorch peer (bench/peers/torch_peer.py), or a command
  --rounds 1                       rounds of every configuration (and the ORT peer), processes alternating
  --model-dir <dir>                checkpoint to convert (default /tmp/git-base-vatex-random)
  --cache <dir>                    converted GGUFs, kept between runs (default /tmp/gitcap-bench)
  --frames <dir>                   the frames captioned (default test/fixtures/inputs, its *frame*.png)
  --json <file>                    also write every figure as JSON
  --convert                        also run bench/convert.ts for the same types`;

export const DEFAULT_TYPES: QuantType[] = ['f32', 'f16', 'q8_0', 'q4_0', 'q4_K'];

export function parseBenchOptions(argv: string[]): BenchOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        types: { type: 'string' },
        threads: { type: 'string' },
        runs: { type: 'string', default: '3' },
        tokens: { type: 'string', default: '20' },
        peer: { type: 'string' },
        rounds: { type: 'string', default: '1' },
        'model-dir': { type: 'string', default: '/tmp/git-base-vatex-random' },
        cache: { type: 'string', default: '/tmp/gitcap-bench' },
        frames: { type: 'string', default: 'test/fixtures/inputs' },
        json: { type: 'string' },
        convert: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (err) {
    throw new GitcapError('E_INVALID_ARG', `${(err as Error).message}\n\n${USAGE}`);
  }
  const types = values.types === undefined ? DEFAULT_TYPES : commaList(values.types);
  for (const t of types) {
    if (!isQuantType(t)) throw new GitcapError('E_INVALID_ARG', `--types: unknown weight type "${t}"`);
  }
  const threads = values.threads === undefined ? [os.availableParallelism()] : commaList(values.threads).map((t) => positiveInt('--threads', t));
  if (types.length === 0 || threads.length === 0) throw new GitcapError('E_INVALID_ARG', '--types and --threads need at least one value');
  if (values.peer !== undefined && values.peer.trim() === '') throw new GitcapError('E_INVALID_ARG', '--peer needs a command');
  return {
    types: types as QuantType[],
    threads,
    runs: positiveInt('--runs', values.runs),
    tokens: positiveInt('--tokens', values.tokens),
    peer: values.peer,
    rounds: positiveInt('--rounds', values.rounds),
    modelDir: values['model-dir'],
    cacheDir: values.cache,
    frames: values.frames,
    json: values.json,
    convert: values.convert,
    help: values.help,
  };
}
