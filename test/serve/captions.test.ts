// POST /v1/captions (multipart and raw bodies, JSON and Server-Sent Events) answers what
// model.caption() gives for the same input; the other read-only routes; errors in one shape.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import type { GitcapServer, GitModel } from '../../lib/index.js';
import { assertNoUploadLeft, CLIP, form, FRAMES, IMAGE, json, loadFixture, parseSse, startServer } from './helpers.js';

let image: GitModel;
let vatex: GitModel;
let imageServer: GitcapServer;
let vatexServer: GitcapServer;
let png: Buffer;

before(async () => {
  [image, vatex] = await Promise.all([loadFixture('tiny-image'), loadFixture('tiny-vatex')]);
  imageServer = await startServer(image, { maxUploadMb: 0.5 });
  vatexServer = await startServer(vatex);
  png = await readFile(IMAGE);
});

after(async () => {
  await Promise.all([imageServer.close(), vatexServer.close()]);
  await Promise.all([image.dispose(), vatex.dispose()]);
  assertNoUploadLeft();
});

/** The fields of the JSON answer that do not depend on timing. */
function stable(r: { text: string; tokenIds: number[]; stoppedByEos: boolean }) {
  return { text: r.text, tokenIds: r.tokenIds, stoppedByEos: r.stoppedByEos };
}

describe('POST /v1/captions', () => {
  it('answers an uploaded image as model.caption() does, with timings and the model name', async () => {
    const expected = await image.caption({ image: IMAGE }, { maxNewTokens: 12 });
    const res = await fetch(`${imageServer.url}/v1/captions`, { method: 'POST', body: form({ maxNewTokens: '12' }, [{ bytes: png, name: 'a.png', type: 'image/png' }]) });
    assert.equal(res.status, 200);
    const body = await json(res);
    assert.deepEqual(stable(body), stable(expected));
    assert.equal(body.model, image.info.name);
    assert.ok(body.timings.totalMs > 0 && body.timings.decodeMs > 0);
    assertNoUploadLeft();
  });

  it('takes the raw bytes with options as query parameters, and a question (VQA)', async () => {
    const expected = await image.caption({ image: png }, { prompt: 'what is it?', numBeams: 2, maxNewTokens: 8 });
    const res = await fetch(`${imageServer.url}/v1/captions?prompt=${encodeURIComponent('what is it?')}&numBeams=2&maxNewTokens=8`, {
      method: 'POST',
      headers: { 'content-type': 'image/png' },
      body: png,
    });
    assert.equal(res.status, 200);
    assert.deepEqual(stable(await json(res)), stable(expected));
  });

  it('captions several file parts with frames=true as the frames of one video, and a video file', async () => {
    const expected = await vatex.caption({ frames: FRAMES });
    const parts = await Promise.all(FRAMES.map(async (f, i) => ({ bytes: await readFile(f), name: `f${i}.png`, type: 'image/png' })));
    const res = await fetch(`${vatexServer.url}/v1/captions`, { method: 'POST', body: form({ frames: 'true' }, parts) });
    assert.equal(res.status, 200);
    assert.deepEqual(stable(await json(res)), stable(expected));

    const fromVideo = await vatex.caption({ video: CLIP });
    const res2 = await fetch(`${vatexServer.url}/v1/captions`, { method: 'POST', headers: { 'content-type': 'video/mp4' }, body: await readFile(CLIP) });
    assert.equal(res2.status, 200);
    assert.deepEqual(stable(await json(res2)), stable(fromVideo));
    assertNoUploadLeft();
  });

  it('streams token events that concatenate to the text, then done with the JSON answer', async () => {
    const expected = await image.caption({ image: IMAGE }, { maxNewTokens: 15 });
    for (const how of ['accept', 'field'] as const) {
      const res = await fetch(`${imageServer.url}/v1/captions`, {
        method: 'POST',
        headers: how === 'accept' ? { accept: 'text/event-stream' } : {},
        body: form({ maxNewTokens: '15', ...(how === 'field' && { stream: 'true' }) }, [{ bytes: png, name: 'a.png', type: 'image/png' }]),
      });
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type')!, /^text\/event-stream/);
      const events = parseSse(await res.text());
      const tokens = events.filter((e) => e.event === 'token').map((e) => JSON.parse(e.data) as { piece: string; id: number });
      const done = events.at(-1)!;
      assert.equal(done.event, 'done');
      assert.deepEqual(stable(JSON.parse(done.data)), stable(expected));
      assert.equal(tokens.map((t) => t.piece).join(''), expected.text);
      assert.ok(tokens.length > 1);
    }
  });

  it('answers 400 with the GitcapError code for bad options and bad input, never a stack', async () => {
    const cases: Array<[Record<string, string>, Uint8Array, string]> = [
      [{ numBeams: '0' }, png, 'E_INVALID_ARG'],
      [{ maxNewTokens: 'many' }, png, 'E_INVALID_ARG'],
      [{ colour: 'red' }, png, 'E_INVALID_ARG'],
      [{ maxNewTokens: '100000' }, png, 'E_INVALID_ARG'],
      [{}, Buffer.from('not an image at all'), 'E_INPUT'],
    ];
    for (const [fields, bytes, code] of cases) {
      const res = await fetch(`${imageServer.url}/v1/captions`, { method: 'POST', body: form(fields, [{ bytes, name: 'x.png', type: 'image/png' }]) });
      assert.equal(res.status, 400, JSON.stringify(fields));
      const body = await json(res);
      assert.equal(body.error.code, code);
      assert.equal(body.error.type, 'invalid_request_error');
      assert.doesNotMatch(body.error.message, /\n\s+at /);
    }
    const none = await fetch(`${imageServer.url}/v1/captions`, { method: 'POST', body: form({ prompt: 'hi' }, []) });
    assert.equal(none.status, 400);
    const two = [{ bytes: png, name: 'a.png', type: 'image/png' }, { bytes: png, name: 'b.png', type: 'image/png' }];
    const several = await fetch(`${imageServer.url}/v1/captions`, { method: 'POST', body: form({}, two) });
    assert.equal(several.status, 400);
    assert.match((await json(several)).error.message, /frames=true/);
    const frames = await fetch(`${imageServer.url}/v1/captions`, { method: 'POST', body: form({ frames: 'true' }, two) });
    assert.equal(frames.status, 400);
    assert.equal((await json(frames)).error.code, 'E_INPUT'); // a single-image model
    assertNoUploadLeft();
  });

  it('answers 415 for another content type, 413 over the upload limit, 404 for no route', async () => {
    const jsonBody = await fetch(`${imageServer.url}/v1/captions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(jsonBody.status, 415);
    assert.equal((await json(jsonBody)).error.code, 'E_MEDIA_TYPE');
    const text = await fetch(`${imageServer.url}/v1/captions`, { method: 'POST', headers: { 'content-type': 'application/xml' }, body: '<a/>' });
    assert.equal(text.status, 415);

    const big = new Uint8Array(600 * 1024);
    const raw = await fetch(`${imageServer.url}/v1/captions`, { method: 'POST', headers: { 'content-type': 'image/png' }, body: big });
    assert.equal(raw.status, 413);
    assert.equal((await json(raw)).error.code, 'E_TOO_LARGE');
    const multi = await fetch(`${imageServer.url}/v1/captions`, { method: 'POST', body: form({}, [{ bytes: big, name: 'a.png', type: 'image/png' }]) });
    assert.equal(multi.status, 413);
    // chunked, so that no Content-Length announces the size: the counted bytes refuse it
    const chunked = await fetch(`${imageServer.url}/v1/captions`, {
      method: 'POST',
      headers: { 'content-type': 'image/png' },
      body: new Blob([big]).stream(),
      duplex: 'half',
    } as RequestInit);
    assert.equal(chunked.status, 413);

    const missing = await fetch(`${imageServer.url}/v2/nothing`);
    assert.equal(missing.status, 404);
    assert.equal((await json(missing)).error.code, 'E_NOT_FOUND');
    assertNoUploadLeft();
  });
});

describe('GET routes', () => {
  it('/health is ok, /v1/models names the model', async () => {
    const health = await fetch(`${imageServer.url}/health`);
    assert.equal(health.status, 200);
    assert.deepEqual(await json(health), { status: 'ok' });
    const models = await json(await fetch(`${imageServer.url}/v1/models`));
    assert.equal(models.object, 'list');
    assert.equal(models.data[0].id, image.info.name);
    assert.equal(models.data[0].object, 'model');
  });

  it('/metrics counts requests by route and status, stages, tokens, queue, in-flight and model bytes', async () => {
    const res = await fetch(`${imageServer.url}/metrics`);
    assert.equal(res.status, 200);
    const text = await res.text();
    assert.match(text, /gitcap_http_requests_total\{route="\/v1\/captions",status="200"\} [1-9]/);
    assert.match(text, /gitcap_http_requests_total\{route="\/v1\/captions",status="413"\} [1-9]/);
    assert.match(text, /gitcap_stage_duration_seconds_count\{stage="decode"\} [1-9]/);
    assert.match(text, /gitcap_stage_duration_seconds_count\{stage="upload"\} [1-9]/);
    assert.match(text, /gitcap_tokens_generated_total [1-9]/);
    assert.match(text, /gitcap_queue_depth 0/);
    assert.match(text, /gitcap_in_flight_requests 0/);
    assert.match(text, new RegExp(`gitcap_model_bytes ${image.info.memory.weightsBytes}`));
    assert.match(text, /gitcap_process_resident_memory_bytes \d/);
  });

  it('/ is the page, and its script', async () => {
    const page = await fetch(`${imageServer.url}/`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type')!, /text\/html/);
    assert.match(await page.text(), /<script src="\/page.js">/);
    const script = await fetch(`${imageServer.url}/page.js`);
    assert.match(script.headers.get('content-type')!, /javascript/);
  });
});

describe('createRequestHandler', () => {
  it('serves the same routes from an existing node:http server', async () => {
    const { createServer } = await import('node:http');
    const { createRequestHandler } = await import('../../lib/index.js');
    const embedded = await createRequestHandler({ model: image, quiet: true });
    const host = createServer((req, res) => {
      if (req.url === '/own') res.end('own route');
      else embedded.handler(req, res);
    });
    await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(host.address() as import('node:net').AddressInfo).port}`;
    try {
      assert.equal(await (await fetch(`${url}/own`)).text(), 'own route');
      const res = await fetch(`${url}/v1/captions`, { method: 'POST', headers: { 'content-type': 'image/png' }, body: png });
      assert.deepEqual(stable(await json(res)), stable(await image.caption({ image: IMAGE })));
    } finally {
      await new Promise((resolve) => host.close(resolve));
      await embedded.close();
    }
  });
});
