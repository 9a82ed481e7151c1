import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { float32ToHalf } from '../../weights-convert/half.js';
import { loadQuantizeAddon } from '../../weights-convert/native-quantizer.js';
import { QUANT_TYPES, TYPE_INFO, isBlockQuantized, rowSize, type QuantType } from '../../weights-convert/quant-types.js';
import { worstBlockError } from './gguf-data.js';
import { randomNormal } from './helpers.js';

describe('native quantize()', () => {
  const addon = loadQuantizeAddon();

  it("agrees with quant-types.ts on every type's block layout and row size", () => {
    for (const type of QUANT_TYPES) {
      const { ggmlType, blockSize, typeSize } = TYPE_INFO[type];
      assert.deepEqual(addon.quantTypeInfo(type), { ggmlType, blockSize, typeSize }, type);
      assert.equal(addon.quantRowSize(type, 768), rowSize(type, 768), type);
    }
  });

  it('keeps every block type within its error bound on Gaussian rows', () => {
    const rows = 64;
    const perRow = 768;
    const src = randomNormal(rows * perRow, 7);
    for (const type of QUANT_TYPES.filter(isBlockQuantized) as Exclude<QuantType, 'f32' | 'f16'>[]) {
      const q = addon.quantize(type, src, rows, perRow);
      assert.equal(q.length, rows * rowSize(type, perRow));
      const ratio = worstBlockError(type, src, addon.dequantize(type, q, rows, perRow));
      assert.ok(ratio <= 1, `${type}: ${ratio.toFixed(3)} of the bound`);
    }
  });

  it("converts to f16 exactly as the TypeScript round-to-nearest-even does", () => {
    const src = Float32Array.from([...randomNormal(4096, 3, 10), 65519, 65520, 2 ** -25, 3 * 2 ** -26, -1e-8, 1e30, -0]);
    const n = src.length;
    const ts = new Uint16Array(n);
    float32ToHalf(src, ts);
    assert.ok(addon.quantize('f16', src, 1, n).equals(new Uint8Array(ts.buffer)));
    assert.deepEqual(addon.dequantize('f32', addon.quantize('f32', src, 1, n), 1, n), src);
  });

  it('rejects bad arguments with E_INVALID_ARG instead of crashing', () => {
    const src = new Float32Array(512);
    const cases: [() => unknown, string][] = [
      [() => addon.quantize('q3_K', src, 2, 256), 'unknown quantization type "q3_K" (expected f32, f16, q8_0, q5_0, q5_1, q4_0, q4_1, q6_K, q5_K or q4_K)'],
      [() => addon.quantize('q4_K', src, 4, 128), 'rows of 128 elements cannot be stored as q4_K (needs a positive multiple of 256)'],
      [() => addon.quantize('q8_0', src, 3, 256), 'Expected nRows * nPerRow = 768 elements in src but received 512'],
      [() => addon.quantize('q8_0', new Float64Array(512) as never, 2, 256), 'Expected a Float32Array for src'],
      [() => addon.quantize('q8_0', src, 2.5, 256), 'Expected an integer of at least 0 for nRows'],
      [() => addon.dequantize('q8_0', new Uint8Array(33), 1, 32), 'Expected nRows * 34 = 34 bytes in src but received 33'],
      [() => addon.quantRowSize('q5_0', 0), 'Expected an integer of at least 1 for nPerRow'],
    ];
    for (const [call, message] of cases) assert.throws(call, { code: 'E_INVALID_ARG', message });
  });
});
