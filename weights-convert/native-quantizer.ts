// The addon's quantizer (native/addon/quantize.cpp), loaded on first use.

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GitcapError } from '../lib/errors.js';
import type { Quantizer } from './quantizer.js';

interface QuantizeAddon {
  quantize(type: string, src: Float32Array, nRows: number, nPerRow: number): Buffer;
  dequantize(type: string, src: Uint8Array, nRows: number, nPerRow: number): Float32Array;
  quantRowSize(type: string, nPerRow: number): number;
  quantTypeInfo(type: string): { ggmlType: number; blockSize: number; typeSize: number };
}

let addon: QuantizeAddon | undefined;

/** The package root: the nearest folder above this file with a package.json (works from dist/ too). */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new GitcapError('E_NATIVE', 'cannot find the gitcap package folder to load the addon from');
    dir = parent;
  }
  return dir;
}

export function loadQuantizeAddon(): QuantizeAddon {
  if (!addon) {
    const require = createRequire(import.meta.url);
    try {
      const load = require('node-gyp-build') as (dir: string) => QuantizeAddon;
      addon = load(packageRoot());
    } catch (err) {
      throw new GitcapError('E_NATIVE', `the gitcap addon, needed to quantize, could not be loaded: ${(err as Error).message}`, { cause: err });
    }
  }
  return addon;
}

export async function nativeQuantizer(): Promise<Quantizer> {
  const a = loadQuantizeAddon();
  return {
    quantize: (type, src, nRows, nPerRow) => a.quantize(type, src, nRows, nPerRow),
    dequantize: (type, src, nRows, nPerRow) => a.dequantize(type, src, nRows, nPerRow),
  };
}
