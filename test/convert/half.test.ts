import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bfloat16ToFloat32, countNonFinite, float32ToHalf, floatBitsToHalf, halfToFloat32 } from '../../weights-convert/half.js';

const f32 = new Float32Array(1);
const bitsOf = (x: number) => (f32[0] = x, new Uint32Array(f32.buffer)[0]!);
const toHalf = (x: number) => floatBitsToHalf(bitsOf(x));

function allHalves(): Float32Array {
  const out = new Float32Array(65536);
  halfToFloat32(Uint16Array.from({ length: 65536 }, (_, i) => i), out);
  return out;
}

describe('half precision', () => {
  it('round-trips every half value through float32', () => {
    const floats = allHalves();
    const back = new Uint16Array(65536);
    float32ToHalf(floats, back);
    for (let h = 0; h < 65536; h++) {
      const isNaN = (h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0;
      if (isNaN) assert.ok(Number.isNaN(floats[h]) && (back[h]! & 0x7c00) === 0x7c00 && (back[h]! & 0x3ff) !== 0, `NaN ${h}`);
      else assert.equal(back[h], h, `half 0x${h.toString(16)}`);
    }
  });

  it('rounds exact midpoints to the even neighbour and others to the nearest', () => {
    const floats = allHalves();
    // Positive finite halves 0..0x7bfe and their upper neighbours.
    for (let h = 0; h < 0x7bff; h++) {
      const lo = floats[h]!;
      const hi = floats[h + 1]!;
      const mid = (lo + hi) / 2; // exact in float32: halves have 11 significant bits
      assert.equal(toHalf(mid), h % 2 === 0 ? h : h + 1, `midpoint after 0x${h.toString(16)}`);
      assert.equal(toHalf(-mid), 0x8000 | (h % 2 === 0 ? h : h + 1));
      const justAbove = Math.fround(mid + (hi - lo) / 1024);
      assert.equal(toHalf(justAbove), h + 1);
      const justBelow = Math.fround(mid - (hi - lo) / 1024);
      assert.equal(toHalf(justBelow), h);
    }
  });

  it('overflows to infinity from 65520 and flushes tiny values to signed zero', () => {
    assert.equal(toHalf(65504), 0x7bff);
    assert.equal(toHalf(65519.99), 0x7bff);
    assert.equal(toHalf(65520), 0x7c00);
    assert.equal(toHalf(1e10), 0x7c00);
    assert.equal(toHalf(-Infinity), 0xfc00);
    assert.equal(toHalf(2 ** -25), 0); // the midpoint between 0 and the smallest subnormal ties to 0
    assert.equal(toHalf(Math.fround(2 ** -25 * 1.0001)), 1);
    assert.equal(toHalf(-1e-30), 0x8000);
    assert.equal(toHalf(NaN) & 0x7e00, 0x7e00);
  });

  it('widens bfloat16 by shifting it into the high half of a float32', () => {
    const out = new Float32Array(4);
    bfloat16ToFloat32(Uint16Array.from([0x3f80, 0xc000, 0x7f80, 0x0001]), out);
    assert.deepEqual([...out], [1, -2, Infinity, 2 ** -133]);
  });

  it('counts NaN and infinite values', () => {
    assert.equal(countNonFinite(Float32Array.from([0, NaN, 1, -Infinity, Infinity, 3.4e38])), 3);
  });
});
