// Arguments that used to be accepted silently: each is now a typed error.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GitModel } from '../../lib/index.js';
import { fixtureGguf } from './goldens.js';

let model: GitModel;
before(async () => (model = await GitModel.load(await fixtureGguf('tiny-image', 'f16'), { backend: 'cpu', threads: 1 })));
after(() => model.dispose());

const pixels = (fill: (i: number) => number) => {
  const data = new Float32Array(3 * 224 * 224).map((_, i) => fill(i));
  return { pixels: { data, dims: [1, 3, 224, 224] } };
};

describe('hostile inputs', () => {
  it('refuses NaN and infinite pixel values', async () => {
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      await assert.rejects(model.caption(pixels((i) => (i === 777 ? bad : 0.1))), {
        code: 'E_INPUT',
        message: `input.pixels.data[777] is ${bad}: pixel values must be finite`,
      });
    }
  });

  it('refuses an input naming two kinds of picture', async () => {
    await assert.rejects(model.caption({ image: 'a.png', video: 'b.mp4' } as never), {
      code: 'E_INVALID_ARG',
      message: 'input has "video" and "image": give exactly one of pixels, video, frames, image',
    });
  });

  it('refuses token ids outside the vocabulary', () => {
    const vocab = model.info.text.vocabSize;
    assert.equal(typeof model.detokenize([0, vocab - 1]), 'string', 'the first and last ids are in the vocabulary');
    for (const id of [-1, vocab, 2 ** 31]) {
      assert.throws(() => model.detokenize([101, id]), {
        code: 'E_INVALID_ARG',
        message: `ids[1] = ${id} is not a token id: the vocabulary has ids 0 to ${vocab - 1}`,
      });
    }
  });
});
