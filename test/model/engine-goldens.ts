// The engine against the PyTorch goldens, from the goldens' own pixel values: every case's greedy
// ids and decoded text exactly, intermediates and logits within 1e-4 relative (README tolerance).
// Run by engine-goldens.test.ts (fused attention) and engine-goldens-matmul.test.ts (unfused).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GitModel } from '../../lib/index.js';
import { fixtureGguf, goldenTensor, goldens, pixelValues, relativeError } from './goldens.js';

const TOLERANCE = 1e-4;

export function engineGoldenSuite(title: string): void {
  const models = new Map<string, GitModel>();

  before(async () => {
    for (const name of ['tiny-vatex', 'tiny-image'] as const) {
      models.set(name, await GitModel.load(await fixtureGguf(name, 'f32'), { backend: 'cpu', threads: 1 }));
    }
  });

  after(async () => {
    for (const m of models.values()) await m.dispose();
  });

  describe(title, () => {
    for (const [name, c] of Object.entries(goldens.cases)) {
      it(name, async () => {
        const model = models.get(c.model)!;
        const r = await model.caption(
          { pixels: pixelValues(name) },
          {
            ...(c.question !== undefined && { prompt: c.question }),
            returnFirstLogits: true,
            debugTensors: ['vision.frame0', 'vision.temporal', 'vision.projected'],
          },
        );
        assert.deepEqual(r.promptIds, c.prompt_ids);
        assert.deepEqual(r.tokenIds, c.new_token_ids);
        assert.equal(r.stoppedByEos, c.stopped_by_eos);
        assert.equal(r.fullText, c.decoded);
        const debug = new Map(r.debug!.map((d) => [d.name, d.data]));
        const checks: Array<[string, Float32Array]> = [
          ['vision_last_hidden_state_frame0', debug.get('vision.frame0')!],
          ['visual_features_with_temporal', debug.get('vision.temporal')!],
          ['projected_visual_features', debug.get('vision.projected')!],
          ['logits_step0', r.firstLogits!],
        ];
        for (const [golden, ours] of checks) {
          const err = relativeError(ours, goldenTensor(`${name}.${golden}`));
          assert.ok(err < TOLERANCE, `${golden}: relative error ${err}`);
        }
      });
    }

    it('scores every step of vatex_clip_full within tolerance (logits_all_steps)', async () => {
      const c = goldens.cases.vatex_clip_full!;
      const model = models.get('tiny-vatex')!;
      const s = await model.score({ pixels: pixelValues('vatex_clip_full') }, c.new_token_ids, { returnLogits: true });
      const expected = goldenTensor('vatex_clip_full.logits_all_steps');
      assert.equal(s.logits!.length, expected.length);
      assert.ok(relativeError(s.logits!, expected) < TOLERANCE);
      // each scored token is the greedy choice, so its log-prob is the row's maximum
      assert.equal(s.tokenLogprobs.length, c.new_token_ids.length);
      assert.ok(Math.abs(s.total - s.tokenLogprobs.reduce((a, b) => a + b, 0)) < 1e-3);
    });
  });
}
