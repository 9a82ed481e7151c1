import './loopback-guard.js';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, readFile, stat, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { downloadFile } from '../../lib/hub/download.js';
import { closeSession, type HubSession } from '../../lib/hub/http.js';
import { fetchFileMetadata, type FileMetadata } from '../../lib/hub/metadata.js';
import { GitcapError } from '../../core/errors.js';
import { blockedConnections } from './loopback-guard.js';
import { MockHub, GOOD_TOKEN } from './mock-hub.js';
import { VATEX_DIR, tempDir, testSession, vatexRepo } from './helpers.js';

const REPO = 'test/tiny-vatex';
const WEIGHTS = 'model.safetensors';

describe('downloadFile', () => {
  let hub: MockHub;
  let dir: { path: string; remove: () => Promise<void> };
  let session: HubSession;
  const expected = readFile(join(VATEX_DIR, WEIGHTS));

  before(async () => {
    hub = await MockHub.start([vatexRepo(REPO)]);
  });
  after(async () => {
    await hub.close();
    assert.deepEqual(blockedConnections, []);
  });
  beforeEach(async () => {
    dir = await tempDir();
    session = testSession(hub.url, REPO);
    hub.reset();
  });
  afterEach(async () => {
    await closeSession(session);
    await dir.remove();
  });

  async function metadata(file: string, s: HubSession = session): Promise<FileMetadata> {
    const meta = await fetchFileMetadata(s, file, 'main');
    assert.ok(meta);
    return meta;
  }

  it('reads the hub metadata of an LFS file from the redirect to the CDN', async () => {
    const meta = await metadata(WEIGHTS);
    const sha256 = hub.sha256Of(REPO, WEIGHTS);
    assert.deepEqual(meta, {
      file: WEIGHTS,
      commit: hub.commitOf(REPO),
      etag: sha256,
      size: (await expected).length,
      downloadUrl: `${hub.cdnUrl}/cdn/${sha256}?filename=${WEIGHTS}`,
    });
  });

  it('normalizes a weak ETag and returns null for a missing file', async () => {
    const meta = await metadata('tokenizer_config.json');
    const content = await readFile(join(VATEX_DIR, 'tokenizer_config.json'));
    const gitSha1 = createHash('sha1').update(`blob ${content.length}\0`).update(content).digest('hex');
    assert.equal(meta.etag, gitSha1);
    assert.equal(await fetchFileMetadata(session, 'pytorch_model.bin', 'main'), null);
  });

  it('downloads, verifies and places the file', async () => {
    const dest = join(dir.path, WEIGHTS);
    const seen: number[] = [];
    await downloadFile(session, await metadata(WEIGHTS), dest, (done) => seen.push(done));
    assert.deepEqual(await readFile(dest), await expected);
    assert.equal(seen.at(-1), (await expected).length);
    await assert.rejects(stat(`${dest}.incomplete`), { code: 'ENOENT' });
  });

  it('resumes a download interrupted at 50% with a Range request', async () => {
    const dest = join(dir.path, WEIGHTS);
    const total = (await expected).length;
    const controller = new AbortController();
    const aborting = testSession(hub.url, REPO, { signal: controller.signal });
    const meta = await metadata(WEIGHTS);
    await assert.rejects(
      downloadFile(aborting, meta, dest, (done) => {
        if (done >= total / 2) controller.abort();
      }),
      { code: 'E_ABORTED', message: 'The operation was aborted' },
    );
    await closeSession(aborting);
    const partial = (await stat(`${dest}.incomplete`)).size;
    assert.ok(partial >= total / 2 && partial < total, `partial file has ${partial} of ${total} bytes`);

    await downloadFile(session, meta, dest);
    assert.deepEqual(await readFile(dest), await expected);
    const cdnGets = hub.requests.filter((r) => r.kind === 'cdn').map((r) => r.range);
    assert.deepEqual(cdnGets, [undefined, `bytes=${partial}-`]);
  });

  it('resumes by itself when the server drops the connection mid-file', async () => {
    const dest = join(dir.path, WEIGHTS);
    const half = (await expected).length >> 1;
    hub.addFault({ kind: 'cdn', file: WEIGHTS, cutAfter: half });
    await downloadFile(session, await metadata(WEIGHTS), dest);
    assert.deepEqual(await readFile(dest), await expected);
    const cdnGets = hub.requests.filter((r) => r.kind === 'cdn').map((r) => r.range);
    assert.equal(cdnGets.length, 2);
    assert.equal(cdnGets[0], undefined);
    // The client may lose the last chunks it had buffered when the connection dropped.
    const resumedAt = Number(/^bytes=(\d+)-$/.exec(cdnGets[1] ?? '')?.[1]);
    assert.ok(resumedAt > 0 && resumedAt <= half, `resumed at ${cdnGets[1]}, cut at ${half}`);
  });

  it('rejects a file whose sha256 does not match and removes it', async () => {
    const dest = join(dir.path, WEIGHTS);
    hub.addFault({ kind: 'cdn', file: WEIGHTS, corrupt: true });
    const meta = await metadata(WEIGHTS);
    const content = Buffer.from(await expected);
    content[content.length >> 1]! ^= 0xff;
    const actual = createHash('sha256').update(content).digest('hex');
    await assert.rejects(downloadFile(session, meta, dest), {
      code: 'E_MODEL_FORMAT',
      message: `Downloaded ${WEIGHTS} of ${REPO} does not match its sha256 checksum (expected ${meta.etag}, received ${actual}): the damaged download was removed, run again`,
    });
    await assert.rejects(stat(`${dest}.incomplete`), { code: 'ENOENT' });
    await assert.rejects(stat(dest), { code: 'ENOENT' });
  });

  it('rejects a small file whose git blob id does not match', async () => {
    const dest = join(dir.path, 'config.json');
    hub.addFault({ kind: 'resolve', method: 'GET', file: 'config.json', corrupt: true });
    const meta = await metadata('config.json');
    await assert.rejects(downloadFile(session, meta, dest), (err: GitcapError) => {
      assert.equal(err.code, 'E_MODEL_FORMAT');
      assert.match(err.message, /^Downloaded config\.json of test\/tiny-vatex does not match its git-sha1 checksum \(expected [0-9a-f]{40}, received [0-9a-f]{40}\)/);
      return true;
    });
  });

  it('retries a 503 with backoff, then succeeds', async () => {
    hub.addFault({ kind: 'resolve', method: 'HEAD', file: WEIGHTS, status: 503, times: 2 });
    hub.addFault({ kind: 'cdn', file: WEIGHTS, status: 503 });
    const dest = join(dir.path, WEIGHTS);
    await downloadFile(session, await metadata(WEIGHTS), dest);
    assert.deepEqual(await readFile(dest), await expected);
    assert.equal(hub.count({ kind: 'resolve', method: 'HEAD', file: WEIGHTS }), 3);
    assert.equal(hub.count({ kind: 'cdn', file: WEIGHTS }), 2);
  });

  it('gives up with E_NETWORK after the configured retries', async () => {
    hub.addFault({ kind: 'resolve', method: 'HEAD', file: WEIGHTS, status: 503, times: 10 });
    await assert.rejects(fetchFileMetadata(session, WEIGHTS, 'main'), {
      code: 'E_NETWORK',
      message: `Reading ${WEIGHTS} of ${REPO} failed after 3 attempts: HTTP 503 from ${hub.url}/${REPO}/resolve/main/${WEIGHTS}`,
    });
    assert.equal(hub.count({ kind: 'resolve', file: WEIGHTS }), 3);
  });

  it('sends the token to the hub but not to the CDN', async () => {
    const withToken = testSession(hub.url, REPO, { token: GOOD_TOKEN });
    try {
      await downloadFile(withToken, await metadata(WEIGHTS, withToken), join(dir.path, WEIGHTS));
    } finally {
      await closeSession(withToken);
    }
    const auth = hub.requests.map((r) => [r.kind, r.authorization]);
    assert.deepEqual(auth, [
      ['resolve', `Bearer ${GOOD_TOKEN}`],
      ['cdn', undefined],
    ]);
  });

  it('reports a full disk as E_IO', { skip: process.platform !== 'linux' }, async () => {
    const dest = join(dir.path, 'sub', WEIGHTS);
    await mkdir(join(dir.path, 'sub'));
    await symlink('/dev/full', `${dest}.incomplete`);
    await assert.rejects(downloadFile(session, await metadata(WEIGHTS), dest), {
      code: 'E_IO',
      message: `No space left on device while writing ${dest}.incomplete: free some space or set GITCAP_CACHE to a larger disk, then run again`,
    });
  });
});
