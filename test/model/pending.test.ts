// model.pending counts a call from the moment it is made, through reading its input, until it settles.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { GitModel } from '../../lib/index.js';
import { FIXTURES, fixtureGguf } from './goldens.js';

let model: GitModel;
const image = join(FIXTURES, 'inputs', 'photo_640x480.jpg');

before(async () => {
  model = await GitModel.load(await fixtureGguf('tiny-image'), { backend: 'cpu', threads: 1 });
});
after(() => model.dispose());

it('counts caption(), captionStream(), score() and preprocess() calls at once', async () => {
  assert.equal(model.pending, 0);
  const captions = Array.from({ length: 5 }, () => model.caption({ image }, { maxNewTokens: 3 }));
  assert.equal(model.pending, 5);
  const stream = model.captionStream({ image }, { maxNewTokens: 3 });
  const scored = model.score({ image }, 'a cat');
  const pixels = model.preprocess({ image });
  assert.equal(model.pending, 8);
  await Promise.all([...captions, stream.result, scored, pixels]);
  assert.equal(model.pending, 0);
});

it('stops counting a call that fails', async () => {
  const failing = model.caption({ image: join(FIXTURES, 'missing.png') });
  assert.equal(model.pending, 1);
  await assert.rejects(failing, { code: 'E_NOT_FOUND' });
  assert.equal(model.pending, 0);
});
