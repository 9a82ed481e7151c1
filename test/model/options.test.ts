// caption() options: exact messages for bad values (sharp style), and beam search scores that
// agree with score(): the winner's score is its summed log-probability / length ** lengthPenalty.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GitModel } from '../../lib/index.js';
import { fixtureGguf, pixelValues } from './goldens.js';

let model: GitModel;
const input = { pixels: pixelValues('image_square_224x224') };

before(async () => {
  model = await GitModel.load(await fixtureGguf('tiny-image'), { backend: 'cpu', threads: 1 });
});

after(() => model.dispose());

describe('caption options', () => {
  const cases: Array<[string, unknown, string]> = [
    ['maxNewTokens', 1.5, 'Expected integer between 0 and 1023 for maxNewTokens but received 1.5 of type number'],
    ['maxNewTokens', -1, 'Expected integer between 0 and 1023 for maxNewTokens but received -1 of type number'],
    ['numBeams', 0, 'Expected integer between 1 and 16 for numBeams but received 0 of type number'],
    ['temperature', -0.5, 'Expected number between 0 and 100 for temperature but received -0.5 of type number'],
    ['topP', 0, 'Expected number in (0, 1] for topP but received 0 of type number'],
    ['topK', '5', 'Expected integer between 0 and 1000000 for topK but received "5" of type string'],
    ['seed', 2 ** 60, `Expected integer between 0 and ${Number.MAX_SAFE_INTEGER} for seed but received ${2 ** 60} of type number`],
    ['repetitionPenalty', 0, 'Expected positive number for repetitionPenalty but received 0 of type number'],
    ['prompt', 42, 'Expected a string for prompt but received 42 of type number'],
    ['earlyStopping', 'yes', 'Expected a boolean for earlyStopping but received "yes" of type string'],
    ['signal', {}, 'Expected an AbortSignal for signal but received an object'],
    ['onToken', 'x', 'Expected a function for onToken but received "x" of type string'],
    ['maxTokens', 5, 'Expected a known option (see CaptionOptions) for maxTokens but received 5 of type number'],
  ];
  for (const [key, value, message] of cases) {
    it(`${key} = ${JSON.stringify(value)}`, async () => {
      await assert.rejects(model.caption(input, { [key]: value } as never), { code: 'E_INVALID_ARG', message });
    });
  }

  it('minNewTokens above maxNewTokens', async () => {
    await assert.rejects(model.caption(input, { maxNewTokens: 3, minNewTokens: 4 }), {
      code: 'E_INVALID_ARG',
      message: 'Expected integer between 0 and 3 for minNewTokens but received 4 of type number',
    });
  });

  it('sampling with beams', async () => {
    await assert.rejects(model.caption(input, { numBeams: 2, temperature: 1 }), {
      code: 'E_INVALID_ARG',
      message: 'Expected 0 when numBeams > 1 (beam search does not sample) for temperature but received 1 of type number',
    });
  });

  it('an input that is not one', async () => {
    await assert.rejects(model.caption(42 as never), {
      code: 'E_INVALID_ARG',
      message: 'Expected an object: { video }, { image }, { frames } or a raw image for input but received 42 of type number',
    });
  });
});

describe('beam search', () => {
  for (const lengthPenalty of [1, 0.5, 2]) {
    it(`reports the winner's log-probability / length ** ${lengthPenalty}`, async () => {
      const r = await model.caption(input, { numBeams: 3, lengthPenalty, maxNewTokens: 8 });
      const s = await model.score(input, r.tokenIds);
      const expected = s.total / r.tokenIds.length ** lengthPenalty;
      assert.ok(Math.abs(r.score - expected) < 1e-3 * Math.max(1, Math.abs(expected)), `${r.score} vs ${expected}`);
    });
  }

  it('early stopping ends no later than the heuristic', async () => {
    const a = await model.caption(input, { numBeams: 4, earlyStopping: true, maxNewTokens: 20 });
    const b = await model.caption(input, { numBeams: 4, earlyStopping: false, maxNewTokens: 20 });
    assert.ok(a.tokenIds.length > 0 && b.tokenIds.length > 0);
    assert.ok(b.score >= a.score - 1e-6);
  });
});
