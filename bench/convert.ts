// Converter benchmark: wall time and peak RSS of one conversion per output type, each in a fresh
// process so that peaks do not carry over.
//
//   node --import tsx bench/convert.ts [<hf-dir>] [--types q8_0,f16,...] [--weights pytorch_model.bin] [--out-dir /tmp]
//
// <hf-dir> defaults to /tmp/git-base-vatex-random, the full-size git-base-vatex layout that
// `/usr/bin/python3 bench/peers/torch_peer.py /tmp/git-base-vatex-random --runs 1 --runs-hf 0`
// writes (674 MiB of F32 weights).

import { spawn } from 'node:child_process';
import { rm, stat } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { convertCheckpoint, QUANT_TYPES, isQuantType, type QuantType } from '../weights-convert/index.js';

interface Measurement {
  seconds: number;
  maxRssMiB: number;
  bytes: number;
  warnings: number;
}

async function child(srcDir: string, out: string, type: QuantType, weightsFile: string | undefined): Promise<void> {
  const started = performance.now();
  const result = await convertCheckpoint(srcDir, out, { type, weightsFile });
  const m: Measurement = {
    seconds: (performance.now() - started) / 1000,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
    bytes: result.bytes,
    warnings: result.warnings.length,
  };
  process.stdout.write(`${JSON.stringify(m)}\n`);
}

function measure(srcDir: string, out: string, type: QuantType, weightsFile: string | undefined): Promise<Measurement> {
  const args = ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', srcDir, '--out', out, '--types', type];
  if (weightsFile) args.push('--weights', weightsFile);
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d));
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve(JSON.parse(stdout) as Measurement) : reject(new Error(`${type}: exit code ${code}`))));
  });
}

function machine(): string {
  const cpus = os.cpus();
  return [
    `${cpus[0]?.model ?? 'unknown CPU'}, ${os.availableParallelism()} CPUs`,
    `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM`,
    `${os.type()} ${os.release()} ${os.arch()}`,
    `Node.js ${process.version}`,
  ].join('; ');
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    options: {
      types: { type: 'string' },
      weights: { type: 'string' },
      'out-dir': { type: 'string' },
      out: { type: 'string' },
      child: { type: 'boolean' },
    },
    allowPositionals: true,
  });
  const srcDir = positionals[0] ?? '/tmp/git-base-vatex-random';
  const types = (values.types?.split(',') ?? QUANT_TYPES).map((t) => {
    if (!isQuantType(t)) throw new Error(`unknown type ${t}`);
    return t;
  });
  if (values.child) return child(srcDir, values.out!, types[0]!, values.weights);

  const source = values.weights ?? 'default weights file';
  console.log(`machine: ${machine()}`);
  console.log(`source: ${srcDir} (${source})`);
  console.log('type     seconds  peak RSS MiB  output MiB');
  for (const type of types) {
    const out = join(values['out-dir'] ?? os.tmpdir(), `gitcap-bench-${process.pid}-${type}.gguf`);
    try {
      const m = await measure(srcDir, out, type, values.weights);
      const size = (await stat(out)).size;
      console.log(`${type.padEnd(8)} ${m.seconds.toFixed(1).padStart(7)}  ${m.maxRssMiB.toFixed(0).padStart(12)}  ${(size / 2 ** 20).toFixed(1).padStart(10)}`);
    } finally {
      await rm(out, { force: true });
    }
  }
}

await main();
