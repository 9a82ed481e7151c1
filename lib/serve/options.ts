// What `serve()` and `createRequestHandler()` take, checked once, with the defaults filled in.
import { invalidArg } from '../inputs/arg-checks.js';
import { validateQuantization, type QuantType } from '../hub/quantization.js';
import { GitModel } from '../model.js';
import type { Backend } from '../options/load-options.js';

export interface ServeLimits {
  /** Largest `maxNewTokens` (`max_tokens`) a request may ask for (default 256). */
  maxNewTokens?: number;
  /** Largest `numBeams` (default 8). */
  maxBeams?: number;
  /** Longest prompt (question), in characters (default 1000). */
  maxPromptChars?: number;
  /** Largest picture or video frame, in pixels (default 40 megapixels). */
  maxPixels?: number;
}

export interface ServeOptions {
  /** A GGUF file, a checkpoint folder, a hub repository id (default: the default hub model), or a
   * loaded GitModel (then the caller keeps it: closing the server does not dispose it). */
  model?: string | GitModel;
  /** Address to listen on (default 127.0.0.1: this machine only). */
  host?: string;
  /** Port (default 8080; 0 picks a free one). */
  port?: number;
  /** Requests must send `Authorization: Bearer <key>` (or `x-api-key: <key>`); default: GITCAP_API_KEY. */
  apiKey?: string;
  /** Caption requests admitted at once (running or waiting); more are answered 429 (default 32). */
  maxQueue?: number;
  /** Largest upload of one request, in megabytes (default 100). */
  maxUploadMb?: number;
  /** A caption that takes longer is aborted and answered 504 (default 300 seconds). */
  timeoutS?: number;
  /** On close: how long in-flight calls may still run before they are aborted (default 30 s). */
  shutdownTimeoutS?: number;
  threads?: number;
  backend?: Backend;
  /** Weight type when a checkpoint folder or hub model is converted. */
  quant?: QuantType;
  /** Origin allowed to call the API from a browser (Access-Control-Allow-Origin). */
  cors?: string;
  /** Hosts whose http(s) image and video URLs chat requests may name (fetched with size and time limits). */
  allowUrlHosts?: string[];
  /** No request logs. */
  quiet?: boolean;
  limits?: ServeLimits;
}

export interface ServeConfig {
  model: string | GitModel | undefined;
  host: string;
  port: number;
  apiKey: string | undefined;
  maxQueue: number;
  maxUploadBytes: number;
  timeoutMs: number;
  shutdownTimeoutMs: number;
  threads: number | undefined;
  backend: Backend | undefined;
  quant: QuantType | undefined;
  cors: string | undefined;
  allowUrlHosts: ReadonlySet<string>;
  quiet: boolean;
  limits: Required<ServeLimits>;
}

function positive(name: string, value: unknown, fallback: number, integer: boolean, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > max || (integer && !Number.isInteger(value))) {
    throw invalidArg(name, `${integer ? 'a positive integer' : 'a positive number'} up to ${max}`, value);
  }
  return value;
}

export function resolveServeOptions(options: ServeOptions | undefined, env: NodeJS.ProcessEnv = process.env): ServeConfig {
  const o = options ?? {};
  if (typeof o !== 'object' || o === null) throw invalidArg('options', 'an object', o);
  if (o.model !== undefined && typeof o.model !== 'string' && !(o.model instanceof GitModel)) {
    throw invalidArg('model', 'a path, a hub repository id or a GitModel', o.model);
  }
  if (o.host !== undefined && (typeof o.host !== 'string' || o.host === '')) throw invalidArg('host', 'a non-empty string', o.host);
  if (o.port !== undefined && (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535)) {
    throw invalidArg('port', 'an integer between 0 and 65535', o.port);
  }
  const apiKey = o.apiKey ?? (env.GITCAP_API_KEY || undefined);
  if (apiKey !== undefined && (typeof apiKey !== 'string' || apiKey === '')) throw invalidArg('apiKey', 'a non-empty string', apiKey);
  if (o.quant !== undefined) validateQuantization(o.quant);
  if (o.cors !== undefined && (typeof o.cors !== 'string' || o.cors === '')) throw invalidArg('cors', 'an origin such as https://example.com', o.cors);
  const hosts = o.allowUrlHosts ?? [];
  if (!Array.isArray(hosts) || !hosts.every((h) => typeof h === 'string' && /^[a-z0-9.-]+(:\d+)?$/i.test(h))) {
    throw invalidArg('allowUrlHosts', 'an array of host names', hosts);
  }
  const l = o.limits ?? {};
  const threads = o.threads === undefined ? undefined : positive('threads', o.threads, 1, true, 1024);
  return {
    model: o.model,
    host: o.host ?? '127.0.0.1',
    port: o.port ?? 8080,
    apiKey,
    maxQueue: positive('maxQueue', o.maxQueue, 32, true, 100_000),
    maxUploadBytes: Math.floor(positive('maxUploadMb', o.maxUploadMb, 100, false, 1_000_000) * 1024 * 1024),
    timeoutMs: positive('timeoutS', o.timeoutS, 300, false, 86_400) * 1000,
    shutdownTimeoutMs: positive('shutdownTimeoutS', o.shutdownTimeoutS, 30, false, 86_400) * 1000,
    threads,
    backend: o.backend,
    quant: o.quant,
    cors: o.cors,
    allowUrlHosts: new Set(hosts.map((h) => h.toLowerCase())),
    quiet: o.quiet === true,
    limits: {
      maxNewTokens: positive('limits.maxNewTokens', l.maxNewTokens, 256, true, 100_000),
      maxBeams: positive('limits.maxBeams', l.maxBeams, 8, true, 16),
      maxPromptChars: positive('limits.maxPromptChars', l.maxPromptChars, 1000, true, 1_000_000),
      maxPixels: positive('limits.maxPixels', l.maxPixels, 40_000_000, true),
    },
  };
}
