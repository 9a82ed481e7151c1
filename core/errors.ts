/** Stable error codes. Each names a kind of failure a caller may want to handle. */
export type GitcapErrorCode =
  | 'E_MODEL_FORMAT' // a model file or checkpoint is malformed, truncated or inconsistent
  | 'E_INPUT' // an image, video, text or buffer given to a call cannot be used
  | 'E_INVALID_ARG' // an option or argument has the wrong type or range
  | 'E_UNSUPPORTED' // valid, but not supported (architecture, dtype, format)
  | 'E_BACKEND' // a compute backend failed or is not available
  | 'E_NATIVE' // the native addon could not be loaded
  | 'E_ABORTED' // the call was aborted through its AbortSignal
  | 'E_DISPOSED' // the model was disposed
  | 'E_BUSY' // the queue of pending calls is full
  | 'E_NOT_FOUND' // a file, repository or revision does not exist
  | 'E_AUTH' // the hub refused access (token missing or insufficient)
  | 'E_NETWORK' // a download failed after retries
  | 'E_IO' // reading or writing a local file failed (disk full, permissions)
  | 'E_FFMPEG'; // ffmpeg/ffprobe missing or failed

/** The one error class of gitcap: `code` is stable, `message` says what to do. */
export class GitcapError extends Error {
  readonly code: GitcapErrorCode;

  constructor(code: GitcapErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    // AbortSignal users test `err.name === 'AbortError'`.
    this.name = code === 'E_ABORTED' ? 'AbortError' : 'GitcapError';
  }
}

export function isGitcapError(err: unknown, code?: GitcapErrorCode): err is GitcapError {
  return err instanceof GitcapError && (code === undefined || err.code === code);
}

/** The error for an aborted call; keeps the signal's reason as `cause`. */
export function abortError(signal?: AbortSignal): GitcapError {
  return new GitcapError('E_ABORTED', 'The operation was aborted', { cause: signal?.reason });
}

export function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw abortError(signal);
}
