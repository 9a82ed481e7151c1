import { createRequire } from 'node:module';
import type * as Undici from 'undici';
import type { Dispatcher } from 'undici';
import { GitcapError, throwIfAborted } from '../../core/errors.js';
import { transient, type RetryPolicy } from './retry.js';

/** One pull's connection to the hub: proxy-aware dispatcher, token, abort signal, retry policy. */
export interface HubSession {
  readonly endpoint: string;
  readonly repoId: string;
  readonly revision: string;
  readonly token: string | undefined;
  readonly signal: AbortSignal | undefined;
  readonly retry: RetryPolicy;
  readonly dispatcher: Dispatcher;
}

export interface HubResponse {
  status: number;
  headers: Record<string, string>;
  body: Dispatcher.ResponseData['body'];
  url: string;
}

// undici (about 18 MB of memory) is loaded when a download starts, not with the library.
let undici: typeof Undici | undefined;
const loadUndici = (): typeof Undici => (undici ??= createRequire(import.meta.url)('undici') as typeof Undici);

const USER_AGENT = `gitcap; node/${process.versions.node}`;
// A stalled connection is dropped (and retried) instead of hanging forever.
const STALL_TIMEOUT_MS = 60_000;

export function openSession(params: Omit<HubSession, 'dispatcher'>): HubSession {
  // HTTPS_PROXY / HTTP_PROXY / NO_PROXY are read here, once per session.
  const dispatcher = new (loadUndici().EnvHttpProxyAgent)({ headersTimeout: STALL_TIMEOUT_MS, bodyTimeout: STALL_TIMEOUT_MS });
  return { ...params, dispatcher };
}

export async function closeSession(session: HubSession): Promise<void> {
  await session.dispatcher.close();
}

/**
 * One request, no redirects followed. The token goes only to the hub's own origin, never to
 * the CDN a file is redirected to (its URL is signed).
 */
export async function send(
  session: HubSession,
  method: 'GET' | 'HEAD',
  url: string,
  extraHeaders: Record<string, string> = {},
): Promise<HubResponse> {
  throwIfAborted(session.signal);
  const headers: Record<string, string> = { 'user-agent': USER_AGENT, 'accept-encoding': 'identity', ...extraHeaders };
  if (session.token && new URL(url).origin === new URL(session.endpoint).origin) {
    headers.authorization = `Bearer ${session.token}`;
  }
  try {
    const res = await loadUndici().request(url, { method, headers, dispatcher: session.dispatcher, signal: session.signal });
    return { status: res.statusCode, headers: flattenHeaders(res.headers), body: res.body, url };
  } catch (err) {
    throwIfAborted(session.signal);
    throw networkError(err, url);
  }
}

/** A dropped or refused connection is worth a retry; a host name that does not resolve is not. */
export function networkError(err: unknown, url: string): GitcapError {
  const code = (err as { code?: unknown })?.code;
  if (code === 'ENOTFOUND') {
    return new GitcapError(
      'E_NETWORK',
      `Cannot resolve ${new URL(url).hostname}: check the network, HF_ENDPOINT and proxy settings, or set HF_HUB_OFFLINE=1 to use the cache only`,
      { cause: err },
    );
  }
  const what = typeof code === 'string' ? code : err instanceof Error ? err.message : String(err);
  return transient(new GitcapError('E_NETWORK', `${what} from ${url}`, { cause: err }));
}

function flattenHeaders(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}
