import './loopback-guard.js';
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { acquireLock, type LockHolder } from '../../lib/hub/lock.js';
import { runChild } from './child-process.js';
import { tempDir } from './helpers.js';

describe('acquireLock', () => {
  let dir: { path: string; remove: () => Promise<void> };
  let lockPath: string;

  beforeEach(async () => {
    dir = await tempDir();
    lockPath = join(dir.path, 'locks', 'repo.lock');
  });
  afterEach(() => dir.remove());

  it('lets two processes hold it one after the other', async () => {
    const logPath = join(dir.path, 'log');
    const held = await acquireLock(lockPath);
    const a = runChild('lock-child.ts', [lockPath, logPath, '100']);
    const b = runChild('lock-child.ts', [lockPath, logPath, '100']);
    // Both are blocked by this process before either may start.
    await Promise.all([a.printed('waiting'), b.printed('waiting')]);
    await held.release();
    const [ea, eb] = await Promise.all([a.exit, b.exit]);
    assert.deepEqual([ea.code, eb.code, ea.stderr, eb.stderr], [0, 0, '', '']);
    const lines = (await readFile(logPath, 'utf8')).trim().split('\n');
    const first = lines[0]!.split(' ')[1];
    const second = lines[2]!.split(' ')[1];
    assert.notEqual(first, second);
    assert.deepEqual(lines, [`start ${first}`, `end ${first}`, `start ${second}`, `end ${second}`]);
    await assert.rejects(stat(lockPath), { code: 'ENOENT' });
  });

  it('takes over a lock whose process has exited', async () => {
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const holder: LockHolder = { pid: Number(dead.stdout), hostname: hostname(), nonce: 'old' };
    const held = await acquireLock(lockPath); // creates the folder
    await held.release();
    await writeFile(lockPath, JSON.stringify(holder));
    let waited = false;
    const lock = await acquireLock(lockPath, { onWait: () => (waited = true) });
    assert.equal(waited, false);
    assert.equal((JSON.parse(await readFile(lockPath, 'utf8')) as LockHolder).pid, process.pid);
    await lock.release();
  });

  it('waits for a lock held on another host until its heartbeat is older than staleMs', async () => {
    const held = await acquireLock(lockPath);
    await held.release();
    await writeFile(lockPath, JSON.stringify({ pid: 1, hostname: 'other-host', nonce: 'x' }));
    const controller = new AbortController();
    let holderSeen: LockHolder | undefined;
    await assert.rejects(
      acquireLock(lockPath, {
        signal: controller.signal,
        staleMs: 60_000,
        onWait: (holder) => {
          holderSeen = holder;
          controller.abort();
        },
      }),
      { code: 'E_ABORTED', message: 'The operation was aborted' },
    );
    assert.deepEqual(holderSeen, { pid: 1, hostname: 'other-host', nonce: 'x' });
    const old = new Date(Date.now() - 120_000);
    await utimes(lockPath, old, old);
    const lock = await acquireLock(lockPath, { staleMs: 60_000 });
    await lock.release();
    await assert.rejects(stat(lockPath), { code: 'ENOENT' });
  });

  it('does not delete a lock that another process took over', async () => {
    const lock = await acquireLock(lockPath);
    await writeFile(lockPath, JSON.stringify({ pid: 1, hostname: 'other-host', nonce: 'theirs' }));
    await lock.release();
    assert.equal((JSON.parse(await readFile(lockPath, 'utf8')) as LockHolder).nonce, 'theirs');
  });

  it('reports a lock folder it cannot create as E_IO', async () => {
    const file = join(dir.path, 'file');
    await writeFile(file, '');
    await assert.rejects(acquireLock(join(file, 'x.lock')), {
      code: 'E_IO',
      message: `Cannot write ${file} (EEXIST): check the permissions of the cache directory or set GITCAP_CACHE`,
    });
  });
});
