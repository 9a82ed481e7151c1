// Job ids, folder expansion, failure kinds and Redis URLs: no Redis needed.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GitcapError } from '../../core/errors.js';
import { expandInputs } from '../../lib/queue/expand-inputs.js';
import { errorOfReason, failureReason, isPermanentFailure } from '../../lib/queue/failure-kinds.js';
import { captionJobId } from '../../lib/queue/job-id.js';
import { redisOptions, redactUrl } from '../../lib/queue/redis-connection.js';

describe('captionJobId', () => {
  const source = { path: '/data/a.mp4', size: 10, mtimeMs: 1000 };
  it('is the same for the same input and options, in any key order', () => {
    const id = captionJobId(source, { maxNewTokens: 5, prompt: 'what?' });
    assert.match(id, /^[0-9a-f]{40}$/);
    assert.equal(captionJobId({ mtimeMs: 1000, size: 10, path: '/data/a.mp4' }, { prompt: 'what?', maxNewTokens: 5 }), id);
  });
  it('changes with the path, size, mtime, URL or options', () => {
    const id = captionJobId(source, {});
    const others = [
      captionJobId({ ...source, path: '/data/b.mp4' }, {}),
      captionJobId({ ...source, size: 11 }, {}),
      captionJobId({ ...source, mtimeMs: 1001 }, {}),
      captionJobId({ url: 'https://example.com/a.mp4' }, {}),
      captionJobId(source, { maxNewTokens: 5 }),
      captionJobId(source, { sampling: { kind: 'window', frameSampleRate: 4 } }),
    ];
    assert.equal(new Set([id, ...others]).size, others.length + 1);
  });
});

describe('expandInputs', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gitcap-expand-'));
    await mkdir(join(dir, 'sub'));
    for (const f of ['b.png', 'a.MP4', 'notes.txt', '.hidden.png', 'sub/c.jpg', 'sub/d.gif']) await writeFile(join(dir, f), 'x');
    await utimes(join(dir, 'b.png'), 1000, 1000);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('takes the videos and images of a folder, sorted; subfolders with recursive', async () => {
    const flat = await expandInputs([dir], false);
    assert.deepEqual(flat.map((i) => [i.file, i.kind]), [[join(dir, 'a.MP4'), 'video'], [join(dir, 'b.png'), 'image']]);
    assert.deepEqual(flat[1]!.source, { path: resolve(dir, 'b.png'), size: 1, mtimeMs: 1_000_000 });
    const deep = await expandInputs([dir], true);
    assert.deepEqual(deep.map((i) => i.file), ['a.MP4', 'b.png', 'sub/c.jpg', 'sub/d.gif'].map((f) => join(dir, f)));
  });

  it('takes a named file whatever its extension, and URLs as they are', async () => {
    const got = await expandInputs([join(dir, 'notes.txt'), 'https://example.com/v/clip.webm?x=1'], false);
    assert.deepEqual(got.map((i) => [i.kind, i.source]), [
      ['image', { path: resolve(dir, 'notes.txt'), size: 1, mtimeMs: (got[0]!.source as { mtimeMs: number }).mtimeMs }],
      ['video', { url: 'https://example.com/v/clip.webm?x=1' }],
    ]);
  });

  it('says E_NOT_FOUND for a missing input', async () => {
    await assert.rejects(expandInputs([join(dir, 'none.png')], false), { code: 'E_NOT_FOUND' });
  });
});

describe('failure kinds', () => {
  it('fails input errors at once and retries the rest', () => {
    for (const code of ['E_INPUT', 'E_UNSUPPORTED', 'E_NOT_FOUND', 'E_INVALID_ARG'] as const) {
      assert.equal(isPermanentFailure(new GitcapError(code, 'x')), true, code);
    }
    for (const code of ['E_IO', 'E_NETWORK', 'E_FFMPEG', 'E_BUSY', 'E_DISPOSED', 'E_BACKEND'] as const) {
      assert.equal(isPermanentFailure(new GitcapError(code, 'x')), false, code);
    }
    assert.equal(isPermanentFailure(new Error('x')), false);
  });
  it('keeps the code through the failed reason', () => {
    const reason = failureReason(new GitcapError('E_INPUT', 'a.png: bad\nsecond line'));
    assert.equal(reason, 'E_INPUT: a.png: bad\nsecond line');
    assert.deepEqual(errorOfReason(reason), { code: 'E_INPUT', message: 'a.png: bad\nsecond line' });
    assert.deepEqual(errorOfReason('job stalled more than allowable limit'), { code: 'E_BACKEND', message: 'job stalled more than allowable limit' });
  });
});

describe('redis URLs', () => {
  it('reads host, port, database, credentials and TLS', () => {
    const o = redisOptions('rediss://user:p%40ss@cache.example:6380/2');
    assert.deepEqual([o.host, o.port, o.db, o.username, o.password, o.tls], ['cache.example', 6380, 2, 'user', 'p@ss', {}]);
    assert.equal(o.maxRetriesPerRequest, null);
    assert.deepEqual([redisOptions('redis://[::1]').host, redisOptions('redis://[::1]').port], ['::1', 6379]);
  });
  it('refuses what is not a redis URL, and never prints a password', () => {
    assert.throws(() => redisOptions('http://x'), { code: 'E_INVALID_ARG' });
    assert.throws(() => redisOptions('localhost:6379'), { code: 'E_INVALID_ARG' });
    assert.throws(() => redisOptions('redis://h/x'), { code: 'E_INVALID_ARG' });
    assert.equal(redactUrl('redis://u:secret@h:1/0'), 'redis://u:***@h:1/0');
  });
});
