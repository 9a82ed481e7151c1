// How far each weight type may be from the f32 goldens on the fixtures (bench/accuracy.ts; README
// "Accuracy"): about twice the measured maximum |logit error|, and the fewest greedy cases (of 13)
// whose ids must equal the goldens. Shared by quantized.test.ts and the emulated-platform smoke
// test (test/cross/smoke.ts).
export const ACCURACY_BOUNDS = [
  { type: 'f32', maxAbs: 1e-4, minExact: 13 },
  { type: 'f16', maxAbs: 0.02, minExact: 13 },
  { type: 'q8_0', maxAbs: 0.4, minExact: 9 },
  { type: 'q4_0', maxAbs: 4, minExact: 0 },
] as const;
