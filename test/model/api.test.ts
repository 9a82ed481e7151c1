// GitModel's behaviour as an API: concurrency, streaming, abort, dispose, responsiveness, errors.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { after, before, describe, it } from 'node:test';
import { GitModel, isGitcapError } from '../../lib/index.js';
import { FIXTURES, fixtureGguf, goldens, pixelValues } from './goldens.js';
import { SANITIZED } from '../sanitized.js';

let vatex: GitModel;
let image: GitModel;
const frames = goldens.cases.vatex_clip_full!.inputs.map((f) => join(FIXTURES, f));

before(async () => {
  vatex = await GitModel.load(await fixtureGguf('tiny-vatex'), { backend: 'cpu', threads: 1 });
  image = await GitModel.load(await fixtureGguf('tiny-image'), { backend: 'cpu', threads: 1 });
});

after(async () => {
  await vatex.dispose();
  await image.dispose();
});

describe('GitModel', () => {
  it('describes itself', () => {
    assert.equal(vatex.info.architecture, 'git');
    assert.equal(vatex.info.kind, 'video');
    assert.equal(vatex.info.vision.numFrames, 6);
    assert.equal(vatex.info.imageTokens, 6 * 197);
    assert.equal(vatex.info.quantization, 'f32');
    assert.equal(vatex.info.backend, 'CPU');
    assert.equal(vatex.info.preprocessing.processor, 'VideoMAEImageProcessor');
    assert.equal(vatex.info.preprocessing.resample, 'bilinear');
    assert.equal(image.info.kind, 'image');
    assert.equal(image.info.preprocessing.resample, 'bicubic');
  });

  it('captions PNG frames end to end exactly as the goldens', async () => {
    const r = await vatex.caption({ frames });
    assert.deepEqual(r.tokenIds, goldens.cases.vatex_clip_full!.new_token_ids);
    assert.ok(r.timings.visionMs > 0 && r.timings.prefixMs > 0 && r.timings.decodeMs > 0 && r.timings.tokensPerSecond > 0);
  });

  it('captions clip.mp4 (6 frames sampled with ffmpeg) as the goldens of its PNG frames', async () => {
    const r = await vatex.caption({ video: join(FIXTURES, 'inputs/clip.mp4') });
    assert.deepEqual(r.tokenIds, goldens.cases.vatex_clip_full!.new_token_ids);
    assert.ok(r.timings.readMs > 0);
  });

  it('captions every PNG image case end to end exactly as the goldens', async () => {
    for (const [name, c] of Object.entries(goldens.cases)) {
      if (c.model !== 'tiny-image' || !c.inputs[0]!.endsWith('.png')) continue;
      const r = await image.caption({ image: join(FIXTURES, c.inputs[0]!) }, c.question ? { prompt: c.question } : {});
      assert.deepEqual(r.tokenIds, c.new_token_ids, name);
    }
  });

  it('accepts an image as bytes and as raw pixels', async () => {
    const file = join(FIXTURES, 'inputs/square_224x224.png');
    const expected = goldens.cases.image_square_224x224!.new_token_ids;
    assert.deepEqual((await image.caption({ image: await readFile(file) })).tokenIds, expected);
    const px = await image.preprocess({ image: file });
    assert.deepEqual(px.dims, [1, 3, 224, 224]);
    assert.deepEqual((await image.caption({ pixels: px })).tokenIds, expected);
  });

  it('answers a question (VQA) and returns the answer and the full text', async () => {
    const c = goldens.cases.vatex_clip_vqa!;
    const r = await vatex.caption({ frames }, { prompt: c.question! });
    assert.deepEqual(r.promptIds, c.prompt_ids);
    assert.deepEqual(r.tokenIds, c.new_token_ids);
    assert.equal(r.fullText, c.decoded);
    assert.equal(r.text, vatex.detokenize(c.new_token_ids));
  });

  it('streams pieces that concatenate to the text, and calls onToken for each', async () => {
    const seen: string[] = [];
    const stream = vatex.captionStream({ pixels: pixelValues('vatex_stills') }, { onToken: (p) => seen.push(p) });
    let text = '';
    for await (const piece of stream) text += piece;
    const r = await stream.result;
    assert.equal(text, r.text);
    assert.equal(seen.join(''), r.text);
    assert.deepEqual(r.tokenIds, goldens.cases.vatex_stills!.new_token_ids);
  });

  it('gives 8 concurrent captions the results they get one at a time', async () => {
    const cases = Object.keys(goldens.cases).filter((n) => goldens.cases[n]!.model === 'tiny-image').slice(0, 8);
    const sequential = [];
    for (const n of cases) sequential.push((await image.caption({ pixels: pixelValues(n) })).tokenIds);
    const concurrent = await Promise.all(cases.map((n) => image.caption({ pixels: pixelValues(n) })));
    assert.deepEqual(concurrent.map((r) => r.tokenIds), sequential);
  });

  it('keeps the event loop responsive during a caption', async () => {
    const delay = monitorEventLoopDelay({ resolution: 1 });
    delay.enable();
    let reads = 0;
    const reading = (async () => {
      for (let i = 0; i < 20; i++) {
        await readFile(frames[0]!);
        reads++;
      }
    })();
    await vatex.caption({ frames }, { minNewTokens: 20 });
    await reading;
    delay.disable();
    assert.equal(reads, 20);
    assert.ok(delay.max / 1e6 < 20, `event loop delay up to ${delay.max / 1e6} ms`);
  });

  it('rejects an aborted call with an AbortError and leaks nothing over 100 aborts', async () => {
    const input = { pixels: pixelValues('image_square_224x224') };
    await image.caption(input); // warm up allocations
    const handlesBefore = process.getActiveResourcesInfo().length;
    const rssBefore = process.memoryUsage().rss;
    let aborted = 0;
    for (let i = 0; i < 100; i++) {
      const ac = new AbortController();
      const p = image.caption(input, { signal: ac.signal, maxNewTokens: 20, minNewTokens: 20 });
      setTimeout(() => ac.abort(), Math.floor(Math.random() * 8));
      try {
        await p;
      } catch (err) {
        assert.equal((err as Error).name, 'AbortError');
        assert.ok(isGitcapError(err, 'E_ABORTED'));
        aborted++;
      }
    }
    assert.ok(aborted > 0);
    assert.equal(image.pending, 0);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(process.getActiveResourcesInfo().length, handlesBefore);
    const grown = (process.memoryUsage().rss - rssBefore) / 2 ** 20;
    if (!SANITIZED) assert.ok(grown < 32, `RSS grew by ${grown.toFixed(1)} MiB`); // see test/sanitized.ts
  });

  it('rejects at once when the signal is already aborted', async () => {
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(image.caption({ pixels: pixelValues('image_square_224x224') }, { signal: ac.signal }), {
      name: 'AbortError',
      code: 'E_ABORTED',
    });
  });

  it('samples reproducibly from a seed, and top-k 1 is greedy', async () => {
    const input = { pixels: pixelValues('image_square_224x224') };
    const a = await image.caption(input, { temperature: 1.5, seed: 7 });
    const b = await image.caption(input, { temperature: 1.5, seed: 7 });
    assert.deepEqual(a.tokenIds, b.tokenIds);
    const greedy = await image.caption(input, { temperature: 1, topK: 1 });
    assert.deepEqual(greedy.tokenIds, goldens.cases.image_square_224x224!.new_token_ids);
  });

  it('runs beam search; one beam is greedy', async () => {
    const input = { pixels: pixelValues('image_square_224x224') };
    assert.deepEqual((await image.caption(input, { numBeams: 1 })).tokenIds, goldens.cases.image_square_224x224!.new_token_ids);
    const beams = await image.caption(input, { numBeams: 4, maxNewTokens: 10 });
    assert.ok(beams.tokenIds.length > 0 && beams.tokenIds.length <= 10);
    assert.ok(Number.isFinite(beams.score));
  });

  it('stops at maxNewTokens and honours minNewTokens', async () => {
    const input = { pixels: pixelValues('image_square_224x224') };
    assert.equal((await image.caption(input, { maxNewTokens: 3 })).tokenIds.length, 3);
    const r = await image.caption(input, { maxNewTokens: 25, minNewTokens: 25 });
    assert.equal(r.tokenIds.length, 25);
    assert.ok(!r.tokenIds.includes(image.info.special.eos));
  });

  it('rejects beyond maxQueue with E_BUSY', async () => {
    const small = await GitModel.load(await fixtureGguf('tiny-image'), { backend: 'cpu', threads: 1, maxQueue: 2 });
    const input = { pixels: pixelValues('image_square_224x224') };
    const calls = [1, 2, 3].map(() => small.caption(input));
    const results = await Promise.allSettled(calls);
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 2);
    const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    assert.equal(rejected.reason.code, 'E_BUSY');
    assert.equal(rejected.reason.message, 'too many requests in flight (2): wait for some to finish or raise maxQueue');
    await small.dispose();
  });

  it('ends running and queued calls with E_DISPOSED on dispose, and refuses later calls', async () => {
    const m = await GitModel.load(await fixtureGguf('tiny-image'), { backend: 'cpu', threads: 1 });
    const input = { pixels: pixelValues('image_square_224x224') };
    const settled = Promise.allSettled([1, 2, 3].map(() => m.caption(input, { minNewTokens: 20 })));
    await new Promise((r) => setTimeout(r, 5));
    await m.dispose();
    for (const r of await settled) {
      if (r.status === 'rejected') assert.equal(r.reason.code, 'E_DISPOSED');
    }
    await assert.rejects(m.caption(input), { code: 'E_DISPOSED', message: 'the model has been disposed: load it again to use it' });
    await m.dispose(); // twice is fine
  });

  it('supports await using', async () => {
    let captured: GitModel | undefined;
    {
      await using m = await GitModel.load(await fixtureGguf('tiny-image'), { backend: 'cpu', threads: 1 });
      captured = m;
    }
    await assert.rejects(captured.caption({ pixels: pixelValues('image_square_224x224') }), { code: 'E_DISPOSED' });
  });

  it('points errors at the caller', async () => {
    const err = (await image.caption({ image: '/nonexistent/x.png' }).catch((e: Error) => e)) as Error;
    assert.equal((err as { code?: string }).code, 'E_NOT_FOUND');
    assert.match(err.stack!.split('\n')[1]!, /api\.test\.ts/);
  });
});
