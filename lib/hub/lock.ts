import { randomUUID } from 'node:crypto';
import { mkdir, open, readFile, stat, unlink, utimes } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { throwIfAborted } from '../../core/errors.js';
import { ioError } from './fs-util.js';
import { sleep } from './sleep.js';

/** Who holds a lock; written into the lock file. */
export interface LockHolder {
  pid: number;
  hostname: string;
  nonce: string;
}

export interface LockOptions {
  signal?: AbortSignal;
  /** Called once when the lock is busy and the caller starts waiting. */
  onWait?: (holder: LockHolder | undefined) => void;
  pollMs?: number;
  /** A lock whose holder cannot be checked (other host, unreadable) is stale after this long without a heartbeat. */
  staleMs?: number;
}

export interface HeldLock {
  readonly path: string;
  release(): Promise<void>;
}

/**
 * An exclusive lock between processes: a file created with O_EXCL that holds pid, host and a
 * nonce. A lock whose process is gone (same host) or whose heartbeat stopped is taken over.
 */
export async function acquireLock(path: string, options: LockOptions = {}): Promise<HeldLock> {
  const { signal, onWait, pollMs = 50, staleMs = 30_000 } = options;
  const self: LockHolder = { pid: process.pid, hostname: hostname(), nonce: randomUUID() };
  let waiting = false;
  try {
    await mkdir(dirname(path), { recursive: true });
  } catch (err) {
    throw ioError(err, dirname(path));
  }
  for (;;) {
    throwIfAborted(signal);
    if (await tryCreate(path, self)) return holdLock(path, self, staleMs);
    const holder = await readHolder(path);
    if (await isStale(path, holder, staleMs)) {
      await removeIfUnchanged(path, holder);
      continue;
    }
    if (!waiting) {
      waiting = true;
      onWait?.(holder);
    }
    await sleep(pollMs, signal);
  }
}

async function tryCreate(path: string, self: LockHolder): Promise<boolean> {
  let handle;
  try {
    handle = await open(path, 'wx');
  } catch (err) {
    if ((err as { code?: unknown }).code === 'EEXIST') return false;
    throw ioError(err, path);
  }
  try {
    await handle.writeFile(JSON.stringify(self));
    await handle.sync();
  } catch (err) {
    await handle.close();
    await unlink(path).catch(() => {});
    throw ioError(err, path);
  }
  await handle.close();
  return true;
}

function holdLock(path: string, self: LockHolder, staleMs: number): HeldLock {
  // The heartbeat tells waiters on other hosts that this holder is alive.
  const heartbeat = setInterval(() => {
    const now = new Date();
    utimes(path, now, now).catch(() => {});
  }, Math.max(10, Math.floor(staleMs / 4)));
  heartbeat.unref();
  let released = false;
  return {
    path,
    async release() {
      if (released) return;
      released = true;
      clearInterval(heartbeat);
      const holder = await readHolder(path);
      if (holder?.nonce === self.nonce) await unlink(path).catch(() => {});
    },
  };
}

async function readHolder(path: string): Promise<LockHolder | undefined> {
  try {
    const value = JSON.parse(await readFile(path, 'utf8')) as Partial<LockHolder>;
    if (Number.isInteger(value.pid) && typeof value.hostname === 'string' && typeof value.nonce === 'string') {
      return value as LockHolder;
    }
  } catch {
    // Missing, or being written right now.
  }
  return undefined;
}

async function isStale(path: string, holder: LockHolder | undefined, staleMs: number): Promise<boolean> {
  if (holder && holder.hostname === hostname()) return !isProcessAlive(holder.pid);
  try {
    return Date.now() - (await stat(path)).mtimeMs > staleMs;
  } catch {
    return false; // gone already: the next O_EXCL try decides
  }
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to another user.
    return (err as { code?: unknown }).code === 'EPERM';
  }
}

/** Deletes a stale lock unless another process replaced it since it was judged stale. */
async function removeIfUnchanged(path: string, judged: LockHolder | undefined): Promise<void> {
  const current = await readHolder(path);
  if (current?.nonce !== judged?.nonce) return;
  await unlink(path).catch(() => {});
}
