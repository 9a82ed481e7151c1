import assert from 'node:assert/strict';
import os from 'node:os';
import { describe, it } from 'node:test';
import { GitcapError, info, isGitcapError } from '../../lib/index.js';
import { callNative, getAddon, loadAddon } from '../../lib/native/binding.js';
import { expectedKernels } from '../cpu-flags.js';

/** out[i][j] = sum_k a[i][k] * b[j][k] + bias[j], in float64. */
function matMulRef(a: Float32Array, aRows: number, aCols: number, b: Float32Array, bRows: number, bias?: Float32Array) {
  const out = new Float64Array(aRows * bRows);
  for (let i = 0; i < aRows; i++) {
    for (let j = 0; j < bRows; j++) {
      let sum = bias ? bias[j]! : 0;
      for (let k = 0; k < aCols; k++) sum += a[i * aCols + k]! * b[j * aCols + k]!;
      out[i * bRows + j] = sum;
    }
  }
  return out;
}

/** Deterministic values in [-1, 1). */
function pseudoRandom(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let x = seed >>> 0;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    out[i] = x / 2 ** 31 - 1;
  }
  return out;
}

describe('native addon', () => {
  it('loads, from a prebuild or the source build', () => {
    const { path } = loadAddon();
    assert.match(path, /(prebuilds[/\\][a-z0-9]+-[a-z0-9]+|build[/\\]Release)[/\\][^/\\]+\.node$/);
    assert.equal(typeof getAddon().info, 'function');
  });

  it('info() describes the build, the devices and the CPU', () => {
    const i = info();
    assert.match(i.version, /^\d+\.\d+\.\d+/);
    assert.match(i.ggml.version, /^\d+\.\d+\.\d+$/);
    assert.match(i.ggml.commit, /^[0-9a-f]{8,40}$/);
    assert.equal(i.napiVersion, 8);
    assert.equal(typeof i.portable, 'boolean');
    assert.ok(i.backends.includes('CPU'), `backends: ${i.backends.join(', ')}`);
    const cpu = i.devices.find((d) => d.type === 'cpu');
    assert.ok(cpu, 'a CPU device');
    assert.equal(cpu.backend, 'CPU');
    assert.ok(cpu.memoryTotal > 0 && cpu.memoryFree <= cpu.memoryTotal);
    for (const d of i.devices) {
      assert.equal(typeof d.name, 'string');
      assert.equal(typeof d.description, 'string');
      assert.ok(['cpu', 'gpu', 'igpu', 'accel', 'meta'].includes(d.type), d.type);
    }
    assert.ok(Array.isArray(i.cpu.features));
    // gitcap's own kernels: those this CPU has the instructions for (unknown off Linux x86)
    const expected = expectedKernels();
    if (expected) assert.deepEqual(i.cpu.kernels, expected);
    if (i.portable) {
      // the variant ggml picked; its features are what it was compiled for (none for "x64")
      assert.match(i.cpu.variant ?? '', /^[a-z0-9_.]+$/);
    } else {
      assert.equal(i.cpu.variant, null);
      // -march=native: at least SSE3 on any x86-64 that runs Node.js 20
      if (process.arch === 'x64') assert.ok(i.cpu.features.includes('SSE3'), `features: ${i.cpu.features.join(' ')}`);
    }
  });

  it('a ggml mul_mat + add graph equals the same computation in JS', () => {
    const threads = Math.min(2, os.availableParallelism());
    for (const [aRows, aCols, bRows] of [
      [1, 1, 1],
      [3, 5, 4],
      [17, 64, 33],
      [64, 257, 31],
    ] as const) {
      const a = pseudoRandom(aRows * aCols, aRows * 7 + aCols);
      const b = pseudoRandom(bRows * aCols, bRows * 13 + aCols);
      const bias = pseudoRandom(bRows, 99);
      const expected = matMulRef(a, aRows, aCols, b, bRows, bias);
      const got = callNative((addon) => addon.computeMatMul(a, aRows, aCols, b, bRows, threads, bias));
      assert.ok(got instanceof Float32Array);
      assert.equal(got.length, aRows * bRows);
      for (let i = 0; i < got.length; i++) {
        // float32 accumulation over aCols terms of magnitude < 1
        assert.ok(Math.abs(got[i]! - expected[i]!) <= 1e-5 * aCols + 1e-6, `[${aRows}x${aCols}x${bRows}] #${i}: ${got[i]} vs ${expected[i]}`);
      }
    }
  });

  it('without a bias, the product is exact on small integers', () => {
    const a = new Float32Array([1, 2, 3, 4, 5, 6]); // 2 x 3
    const b = new Float32Array([1, 0, 0, 0, 1, 0, 1, 1, 1]); // 3 x 3
    const got = callNative((addon) => addon.computeMatMul(a, 2, 3, b, 3, 1));
    assert.deepEqual([...got], [1, 2, 6, 4, 5, 15]);
  });

  it('wrong arguments are GitcapErrors E_INVALID_ARG, not crashes', () => {
    const a = new Float32Array(6);
    const cases: [string, () => unknown, RegExp][] = [
      ['short a', () => getAddon().computeMatMul(new Float32Array(5), 2, 3, a, 2, 1), /^Expected 6 elements in a but received 5$/],
      ['short b', () => getAddon().computeMatMul(a, 2, 3, new Float32Array(5), 2, 1), /^Expected 6 elements in b but received 5$/],
      ['not a Float32Array', () => getAddon().computeMatMul(new Float64Array(6) as never, 2, 3, a, 2, 1), /^Expected a Float32Array for a$/],
      ['zero rows', () => getAddon().computeMatMul(a, 0, 3, a, 2, 1), /^Expected an integer from 1 to \d+ for aRows$/],
      ['fractional cols', () => getAddon().computeMatMul(a, 2, 1.5, a, 2, 1), /^Expected an integer from 1 to \d+ for aCols$/],
      ['threads 0', () => getAddon().computeMatMul(a, 2, 3, a, 2, 0), /^Expected an integer from 1 to 512 for threads$/],
      ['threads missing', () => (getAddon().computeMatMul as (...args: unknown[]) => unknown)(a, 2, 3, a, 2), /for threads$/],
      ['bias length', () => getAddon().computeMatMul(a, 2, 3, a, 2, 1, new Float32Array(3)), /^Expected 2 elements in bias but received 3$/],
    ];
    for (const [name, call, message] of cases) {
      assert.throws(
        () => callNative(call),
        (err: unknown) => {
          assert.ok(isGitcapError(err, 'E_INVALID_ARG'), `${name}: ${String(err)}`);
          assert.ok(err instanceof GitcapError);
          assert.match(err.message, message, name);
          return true;
        },
      );
    }
  });
});
