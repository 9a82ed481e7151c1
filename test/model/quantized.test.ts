// Quantized weights on the fixtures stay within their measured error (bench/accuracy.ts; README
// "Accuracy"): bounds are about twice the measured maximum, and nothing is NaN or infinite.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { measureAccuracy } from '../../bench/accuracy.js';
import { ACCURACY_BOUNDS } from './accuracy-bounds.js';

const BOUNDS = ACCURACY_BOUNDS.filter((b) => b.type !== 'f32');

describe('quantized models vs the f32 goldens', () => {
  for (const b of BOUNDS) {
    it(`${b.type}: max |logit error| < ${b.maxAbs}, at least ${b.minExact}/13 greedy cases exact`, async () => {
      const r = await measureAccuracy(b.type);
      assert.equal(r.nonFinite, false);
      assert.ok(r.maxAbsLogitError < b.maxAbs, `max error ${r.maxAbsLogitError}`);
      assert.ok(r.casesExact >= b.minExact, `${r.casesExact} exact cases`);
    });
  }
});
