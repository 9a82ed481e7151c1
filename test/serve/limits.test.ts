// The server's bounds: API key, queue (429), timeout (504), a client that goes away (its caption
// is aborted), graceful shutdown (an in-flight call completes), and `gitcap serve` itself.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { GitModel } from '../../lib/index.js';
import { fixtureGguf } from '../model/goldens.js';
import { assertNoUploadLeft, form, IMAGE, json, loadFixture, parseSse, startServer, until } from './helpers.js';

let image: GitModel;
let png: Buffer;
/** Greedy, 1000 tokens: about a second on the tiny model. */
const LONG = { maxNewTokens: '1000', minNewTokens: '1000' };
/** Beam search of 8 over 1000 tokens: many seconds, and no token before the end. */
const VERY_LONG = { ...LONG, numBeams: '8' };
const limits = { maxNewTokens: 1000 };

const post = (url: string, fields: Record<string, string>, init: RequestInit = {}) =>
  fetch(`${url}/v1/captions`, { method: 'POST', body: form(fields, [{ bytes: png, name: 'a.png', type: 'image/png' }]), ...init });

before(async () => {
  image = await loadFixture('tiny-image');
  png = await readFile(IMAGE);
});

after(async () => {
  await image.dispose();
  assertNoUploadLeft();
});

describe('serve limits', () => {
  it('401 without or with a wrong key on every route but /health; Bearer and x-api-key work', async () => {
    const server = await startServer(image, { apiKey: 'sesame-open-42' });
    try {
      assert.equal((await fetch(`${server.url}/health`)).status, 200);
      for (const path of ['/', '/metrics', '/v1/models']) {
        const res = await fetch(`${server.url}${path}`);
        assert.equal(res.status, 401, path);
        const body = await json(res);
        assert.equal(body.error.code, 'E_UNAUTHORIZED');
        assert.equal(body.error.type, 'authentication_error');
      }
      assert.equal((await fetch(`${server.url}/v1/models`, { headers: { authorization: 'Bearer sesame-open-4' } })).status, 401);
      assert.equal((await post(server.url, {}, { headers: { authorization: 'Bearer wrong' } })).status, 401);
      assert.equal((await fetch(`${server.url}/v1/models`, { headers: { authorization: 'Bearer sesame-open-42' } })).status, 200);
      assert.equal((await post(server.url, {}, { headers: { 'x-api-key': 'sesame-open-42' } })).status, 200);
    } finally {
      await server.close();
    }
  });

  it('429 with Retry-After once --max-queue requests are admitted; a client that goes away aborts its caption', async () => {
    const server = await startServer(image, { maxQueue: 1, limits });
    try {
      const tokensBefore = await tokensGenerated(server.url);
      const gone = new AbortController();
      const first = post(server.url, VERY_LONG, { signal: gone.signal }).catch((err: Error) => err);
      await until(() => image.pending === 1, 5000, 'the first caption to start');
      const second = await post(server.url, {});
      assert.equal(second.status, 429);
      assert.equal(second.headers.get('retry-after'), '1');
      assert.equal((await json(second)).error.code, 'E_BUSY');
      const abortedAt = Date.now();
      gone.abort();
      assert.equal(((await first) as Error).name, 'AbortError');
      await until(() => image.pending === 0, 3000, 'the aborted caption to stop');
      assert.ok(Date.now() - abortedAt < 3000);
      // the queue has room again, and nothing was generated for the aborted call
      assert.equal((await post(server.url, {})).status, 200);
      assert.equal(await tokensGenerated(server.url), tokensBefore + (await image.caption({ image: IMAGE })).tokenIds.length);
    } finally {
      await server.close();
    }
  });

  it('a client that stops reading a stream aborts its caption', async () => {
    const server = await startServer(image, { limits });
    try {
      const gone = new AbortController();
      const res = await post(server.url, { ...LONG, stream: 'true' }, { signal: gone.signal });
      const reader = res.body!.getReader();
      const first = new TextDecoder().decode((await reader.read()).value);
      assert.match(first, /^event: token\n/);
      gone.abort();
      await until(() => image.pending === 0, 3000, 'the aborted caption to stop');
      // counted once the server has seen the connection close: 499, the client went away
      let metrics = '';
      for (let i = 0; i < 100 && !/route="\/v1\/captions"/.test(metrics); i++) {
        await new Promise((r) => setTimeout(r, 20));
        metrics = await (await fetch(`${server.url}/metrics`)).text();
      }
      assert.match(metrics, /gitcap_http_requests_total\{route="\/v1\/captions",status="499"\} 1/);
      assert.match(metrics, /gitcap_tokens_generated_total 0/);
    } finally {
      await server.close();
    }
  });

  it('504 past --timeout-s: JSON before the first token, an error event after it', async () => {
    const server = await startServer(image, { timeoutS: 0.3, limits });
    try {
      const started = Date.now();
      const res = await post(server.url, VERY_LONG);
      assert.equal(res.status, 504);
      const body = await json(res);
      assert.equal(body.error.code, 'E_TIMEOUT');
      assert.equal(body.error.type, 'timeout_error');
      assert.ok(Date.now() - started < 5000);
      await until(() => image.pending === 0, 3000, 'the timed-out caption to stop');

      const streamed = await post(server.url, { maxNewTokens: '1000', minNewTokens: '1000', stream: 'true' });
      assert.equal(streamed.status, 200);
      const events = parseSse(await streamed.text());
      assert.equal(events[0]!.event, 'token');
      assert.equal(events.at(-1)!.event, 'error');
      assert.equal(JSON.parse(events.at(-1)!.data).error.code, 'E_TIMEOUT');
    } finally {
      await server.close();
    }
    assertNoUploadLeft();
  });

  it('close() lets an in-flight caption complete, then refuses connections', async () => {
    const server = await startServer(image, { limits });
    const expected = await image.caption({ image: IMAGE }, { maxNewTokens: 300, minNewTokens: 300 });
    const inFlight = post(server.url, { maxNewTokens: '300', minNewTokens: '300' });
    await until(() => image.pending === 1, 5000, 'the caption to start');
    await server.close();
    const res = await inFlight;
    assert.equal(res.status, 200);
    assert.deepEqual((await json(res)).tokenIds, expected.tokenIds);
    await assert.rejects(fetch(`${server.url}/health`));
    assert.equal(image.pending, 0);
  });

  it('close() stops calls that outlive the shutdown deadline with 503', async () => {
    const server = await startServer(image, { limits, shutdownTimeoutS: 0.2 });
    const inFlight = post(server.url, VERY_LONG);
    await until(() => image.pending === 1, 5000, 'the caption to start');
    await server.close();
    const res = await inFlight;
    assert.equal(res.status, 503);
    assert.equal((await json(res)).error.code, 'E_NOT_READY');
  });
});

describe('gitcap serve', () => {
  it('prints its URL when ready, takes GITCAP_API_KEY, and exits 0 on SIGTERM', async () => {
    const main = fileURLToPath(new URL('../../lib/cli/main.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', main, 'serve', '--model', await fixtureGguf('tiny-image'), '--port', '0', '--quiet', '--threads', '1'], {
      env: { ...process.env, GITCAP_API_KEY: 'from-the-environment' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    await until(() => /ready at http:\/\/127\.0\.0\.1:\d+/.test(out), 30_000, 'gitcap serve to print its URL');
    const url = /(http:\/\/127\.0\.0\.1:\d+)/.exec(out)![1]!;
    assert.equal((await fetch(`${url}/health`)).status, 200);
    assert.equal((await fetch(`${url}/v1/models`)).status, 401);
    assert.equal((await fetch(`${url}/v1/models`, { headers: { authorization: 'Bearer from-the-environment' } })).status, 200);
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
  });
});

async function tokensGenerated(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/^gitcap_tokens_generated_total (\d+)$/m.exec(text)![1]);
}
