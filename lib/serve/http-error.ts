// Every failure a client sees: one JSON shape `{ error: { code, message, type } }` and the status
// that fits it. A GitcapError keeps its code; anything unexpected is a 500 without details.
import { isGitcapError, type GitcapErrorCode } from '../../core/errors.js';

export interface ErrorBody {
  error: { code: string; message: string; type: string };
}

export class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  readonly headers: Record<string, string>;

  constructor(status: number, code: string, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}

const TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  404: 'not_found_error',
  413: 'invalid_request_error',
  415: 'invalid_request_error',
  429: 'rate_limit_error',
  503: 'server_error',
  504: 'timeout_error',
};

/** GitcapError codes caused by what the client sent. */
const CLIENT_CODES: ReadonlySet<GitcapErrorCode> = new Set(['E_INVALID_ARG', 'E_INPUT', 'E_UNSUPPORTED', 'E_FFMPEG']);

export const busy = () => new HttpError(429, 'E_BUSY', 'Too many requests are waiting: try again shortly', { 'retry-after': '1' });
export const notReady = () => new HttpError(503, 'E_NOT_READY', 'The server is loading its model or shutting down', { 'retry-after': '5' });
export const timedOut = (ms: number) => new HttpError(504, 'E_TIMEOUT', `The caption took longer than ${ms / 1000} s and was stopped`);
export const badRequest = (message: string) => new HttpError(400, 'E_INVALID_ARG', message);
export const tooLarge = (bytes: number) =>
  new HttpError(413, 'E_TOO_LARGE', `The upload is larger than the server's limit of ${(bytes / 1024 / 1024).toFixed(2).replace(/\.?0+$/, '')} MB`);

/** Fastify's and @fastify/multipart's own errors that name a client mistake. */
function fromFrameworkError(err: { code?: unknown; statusCode?: unknown; message: string }): HttpError | undefined {
  const status = typeof err.statusCode === 'number' ? err.statusCode : undefined;
  if (status === 413 || err.code === 'FST_REQ_FILE_TOO_LARGE') return new HttpError(413, 'E_TOO_LARGE', 'The upload is larger than the server allows');
  if (status === 415) return new HttpError(415, 'E_MEDIA_TYPE', 'Unsupported Content-Type: send multipart/form-data, image/*, video/* or (chat) application/json');
  if (status === 404) return new HttpError(404, 'E_NOT_FOUND', 'No such route');
  if (status !== undefined && status >= 400 && status < 500) return new HttpError(status, 'E_INVALID_ARG', err.message);
  return undefined;
}

/** The HttpError to answer for any thrown value; `internal` is true when it was unexpected. */
export function toHttpError(err: unknown): { error: HttpError; internal: boolean } {
  if (err instanceof HttpError) return { error: err, internal: false };
  if (isGitcapError(err)) {
    if (CLIENT_CODES.has(err.code)) return { error: new HttpError(400, err.code, err.message), internal: false };
    if (err.code === 'E_BUSY') return { error: busy(), internal: false };
    if (err.code === 'E_DISPOSED') return { error: notReady(), internal: false };
    return { error: new HttpError(500, err.code, err.message), internal: true };
  }
  if (err instanceof Error) {
    const framework = fromFrameworkError(err as Error & { code?: unknown; statusCode?: unknown });
    if (framework) return { error: framework, internal: false };
  }
  return { error: new HttpError(500, 'E_INTERNAL', 'Internal server error'), internal: true };
}

export function errorBody(error: HttpError): ErrorBody {
  return { error: { code: error.code, message: error.message, type: TYPES[error.status] ?? 'server_error' } };
}
