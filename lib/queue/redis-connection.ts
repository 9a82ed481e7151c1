// Redis connection settings from a redis:// or rediss:// URL, for BullMQ (which opens and owns
// its connections).
import type { RedisOptions } from 'bullmq';
import { GitcapError } from '../../core/errors.js';

/** Settings that survive a Redis restart: reconnect forever, commands wait for the connection. */
export function redisOptions(url: string): RedisOptions {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new GitcapError('E_INVALID_ARG', `Expected a redis:// or rediss:// URL for redis but received ${JSON.stringify(url)}`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
    throw new GitcapError('E_INVALID_ARG', `Expected a redis:// or rediss:// URL for redis but received ${JSON.stringify(redactUrl(url))}`);
  }
  const db = u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0;
  if (!Number.isInteger(db) || db < 0) {
    throw new GitcapError('E_INVALID_ARG', `Expected a database number after the host in the redis URL but received ${JSON.stringify(u.pathname)}`);
  }
  return {
    host: u.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1',
    port: u.port ? Number(u.port) : 6379,
    db,
    ...(u.username && { username: decodeURIComponent(u.username) }),
    ...(u.password && { password: decodeURIComponent(u.password) }),
    ...(u.protocol === 'rediss:' && { tls: {} }),
    maxRetriesPerRequest: null,
    // Quick first retries (a restart takes a second or two), then every 5 s.
    retryStrategy: (times: number) => Math.min(200 * times, 5000),
  };
}

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(not a URL)';
  }
}

/** Resolves when `ready` does; E_NETWORK when Redis cannot be reached within `timeoutMs`. */
export async function readyWithin<T>(ready: Promise<T>, url: string, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new GitcapError('E_NETWORK', `Cannot reach Redis at ${redactUrl(url)} within ${timeoutMs / 1000} s`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([ready, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
