// The same conventions in every command: usage errors end with the usage line and exit 2, other
// errors end with their code and exit 1, an input's error starts with its file name, and a
// repository id is checked before anything is sent to the hub.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fixtureGguf } from '../model/goldens.js';
import { MockHub } from '../hub/mock-hub.js';
import { vatexRepo } from '../hub/helpers.js';
import { gitcap, tempDir } from './gitcap-process.js';

let dir: Awaited<ReturnType<typeof tempDir>>;
let hub: MockHub;
let vatex: string;

before(async () => {
  dir = await tempDir();
  hub = await MockHub.start([vatexRepo()]);
  vatex = await fixtureGguf('tiny-vatex');
});
after(async () => {
  await hub.close();
  await dir.remove();
});

const online = () => ({ HF_HUB_OFFLINE: undefined, HF_ENDPOINT: hub.url, GITCAP_CACHE: join(dir.path, 'cache') });

describe('CLI conventions', () => {
  it('gitcap pull: an error ends with its code', async () => {
    const r = await gitcap(['pull', 'test/tiny-vatex'], { GITCAP_CACHE: join(dir.path, 'cache') });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^gitcap pull: test\/tiny-vatex \(revision main, q8_0\) is not in the cache .* \(E_NOT_FOUND\)\n$/);
  });

  it('gitcap caption: a video that cannot be read is named first, its code last', async () => {
    const broken = join(dir.path, 'broken.mp4');
    await writeFile(broken, 'not a video at all');
    const r = await gitcap(['caption', broken, '--model', vatex, '--threads', '1']);
    assert.equal(r.code, 1);
    assert.ok(r.stderr.startsWith(`gitcap caption: ${broken}: `), r.stderr);
    assert.match(r.stderr, /\(E_INPUT\)\n$/);
  });

  it('an invalid repository id is refused before any request', async () => {
    const before = hub.requests.length;
    const pull = await gitcap(['pull', 'owner/bad..name'], online());
    assert.equal(pull.code, 2);
    assert.match(pull.stderr, /^gitcap pull: Expected a Hugging Face repository id like "microsoft\/git-base-vatex" but received "owner\/bad\.\.name"\nUsage: gitcap pull /);
    const caption = await gitcap(['caption', join(dir.path, 'broken.mp4'), '--model', 'owner/na--me'], online());
    assert.equal(caption.code, 2);
    assert.match(caption.stderr, /received "owner\/na--me"\nUsage: gitcap caption /);
    assert.equal(hub.requests.length, before);
  });

  it('a global option mistake is quoted plainly', async () => {
    const r = await gitcap(['--bogus']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^gitcap: Unknown option "--bogus"\n\nUsage: gitcap <command>/);
  });
});
