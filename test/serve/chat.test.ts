// POST /v1/chat/completions through the real `openai` client: plain and streaming answers equal
// model.caption() for the same image(s) and question; remote URLs refused unless allowed.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import OpenAI, { APIError } from 'openai';
import type { GitcapServer, GitModel } from '../../lib/index.js';
import { assertNoUploadLeft, CLIP, FRAMES, IMAGE, loadFixture, startServer } from './helpers.js';

let image: GitModel;
let vatex: GitModel;
let imageServer: GitcapServer;
let vatexServer: GitcapServer;
let client: OpenAI;
let pngUrl: string;

const dataUrl = (bytes: Buffer, type: string) => `data:${type};base64,${bytes.toString('base64')}`;

before(async () => {
  [image, vatex] = await Promise.all([loadFixture('tiny-image'), loadFixture('tiny-vatex')]);
  imageServer = await startServer(image, { apiKey: 'test-key-123' });
  vatexServer = await startServer(vatex);
  client = new OpenAI({ baseURL: `${imageServer.url}/v1`, apiKey: 'test-key-123', maxRetries: 0 });
  pngUrl = dataUrl(await readFile(IMAGE), 'image/png');
});

after(async () => {
  await Promise.all([imageServer.close(), vatexServer.close()]);
  await Promise.all([image.dispose(), vatex.dispose()]);
  assertNoUploadLeft();
});

describe('POST /v1/chat/completions', () => {
  it('answers a caption (no text part) and a question through the openai client, with usage', async () => {
    const expected = await image.caption({ image: IMAGE }, { maxNewTokens: 10 });
    const plain = await client.chat.completions.create({
      model: 'gitcap',
      max_tokens: 10,
      messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: pngUrl } }] }],
    });
    assert.equal(plain.object, 'chat.completion');
    assert.equal(plain.choices[0]!.message.content, expected.text);
    assert.equal(plain.choices[0]!.finish_reason, expected.stoppedByEos ? 'stop' : 'length');
    assert.equal(plain.usage!.completion_tokens, expected.tokenIds.length);
    assert.equal(plain.usage!.prompt_tokens, image.info.imageTokens + expected.promptIds.length);

    const question = await image.caption({ image: IMAGE }, { prompt: 'what is this?' });
    const vqa = await client.chat.completions.create({
      model: 'gitcap',
      messages: [
        { role: 'system', content: 'ignored' },
        { role: 'user', content: [{ type: 'text', text: 'what is this?' }, { type: 'image_url', image_url: { url: pngUrl } }] },
      ],
    });
    assert.equal(vqa.choices[0]!.message.content, question.text);
  });

  it('streams chat.completion.chunk deltas that concatenate to the caption', async () => {
    const expected = await image.caption({ image: IMAGE }, { maxNewTokens: 15, temperature: 0.8, seed: 7, topP: 0.9 });
    const stream = await client.chat.completions.create({
      model: 'gitcap',
      stream: true,
      max_tokens: 15,
      temperature: 0.8,
      seed: 7,
      top_p: 0.9,
      messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: pngUrl } }] }],
    });
    let text = '';
    let chunks = 0;
    let finish: string | null = null;
    for await (const chunk of stream) {
      assert.equal(chunk.object, 'chat.completion.chunk');
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      chunks++;
    }
    assert.equal(text, expected.text);
    assert.ok(chunks > 2);
    assert.equal(finish, expected.stoppedByEos ? 'stop' : 'length');
  });

  it('takes several image_url parts as frames of one video, and a video_url part', async () => {
    const vclient = new OpenAI({ baseURL: `${vatexServer.url}/v1`, apiKey: 'none', maxRetries: 0 });
    const frames = await vatex.caption({ frames: FRAMES });
    const urls = await Promise.all(FRAMES.map(async (f) => dataUrl(await readFile(f), 'image/png')));
    const r = await vclient.chat.completions.create({
      model: 'gitcap',
      messages: [{ role: 'user', content: urls.map((url) => ({ type: 'image_url' as const, image_url: { url } })) }],
    });
    assert.equal(r.choices[0]!.message.content, frames.text);

    const video = await vatex.caption({ video: CLIP });
    const body = {
      model: 'gitcap',
      messages: [{ role: 'user', content: [{ type: 'video_url', video_url: { url: dataUrl(await readFile(CLIP), 'video/mp4') } }] }],
    };
    const rv = (await vclient.post('/chat/completions', { body })) as { choices: Array<{ message: { content: string } }> };
    assert.equal(rv.choices[0]!.message.content, video.text);
  });

  it('refuses remote URLs unless the host is allowed, then fetches them', async () => {
    const png = await readFile(IMAGE);
    const origin: Server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'image/png' }).end(png));
    await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
    const remote = `http://127.0.0.1:${(origin.address() as AddressInfo).port}/a.png`;
    const messages = [{ role: 'user' as const, content: [{ type: 'image_url' as const, image_url: { url: remote } }] }];
    try {
      await assert.rejects(client.chat.completions.create({ model: 'gitcap', messages }), (err: APIError) => {
        assert.equal(err.status, 400);
        assert.match(err.message, /--allow-url-host 127\.0\.0\.1/);
        return true;
      });
      const allowed = await startServer(image, { allowUrlHosts: ['127.0.0.1'] });
      try {
        const c = new OpenAI({ baseURL: `${allowed.url}/v1`, apiKey: 'none', maxRetries: 0 });
        const r = await c.chat.completions.create({ model: 'gitcap', messages });
        assert.equal(r.choices[0]!.message.content, (await image.caption({ image: IMAGE })).text);
      } finally {
        await allowed.close();
      }
    } finally {
      origin.close();
    }
  });

  it('answers 400 for a request without an image and 401 without the key', async () => {
    await assert.rejects(client.chat.completions.create({ model: 'gitcap', messages: [{ role: 'user', content: 'hello' }] }), (err: APIError) => {
      assert.equal(err.status, 400);
      return true;
    });
    const nokey = new OpenAI({ baseURL: `${imageServer.url}/v1`, apiKey: 'wrong-key', maxRetries: 0 });
    await assert.rejects(nokey.models.list(), (err: APIError) => err.status === 401);
    const models = await client.models.list();
    assert.equal(models.data[0]!.id, image.info.name);
  });
});
