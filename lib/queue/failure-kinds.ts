// Which failures a retry can fix. A failed job keeps its error as "E_CODE: message" in BullMQ's
// failedReason, so that the code survives the trip through Redis.
import { isGitcapError, type GitcapErrorCode } from '../../core/errors.js';

/** The input itself is bad (or the options): every worker would fail the same way. */
const PERMANENT: ReadonlySet<GitcapErrorCode> = new Set(['E_INPUT', 'E_UNSUPPORTED', 'E_NOT_FOUND', 'E_INVALID_ARG']);

/**
 * Permanent failures fail at once; everything else (E_IO, E_NETWORK, E_FFMPEG such as a timeout,
 * a busy or disposed model, an unexpected error) is retried with backoff, maybe on another worker.
 */
export function isPermanentFailure(err: unknown): boolean {
  return isGitcapError(err) && PERMANENT.has(err.code);
}

/** "E_CODE: message"; errors that are not GitcapErrors count as backend failures. */
export function failureReason(err: unknown): string {
  if (isGitcapError(err)) return `${err.code}: ${err.message}`;
  return `E_BACKEND: ${err instanceof Error ? err.message : String(err)}`;
}

const REASON = /^(E_[A-Z_]+): ([\s\S]*)$/;

/**
 * The error of a failedReason. BullMQ's own reasons (a job that stalled too often: its workers
 * died while holding it) have no code and read as E_BACKEND.
 */
export function errorOfReason(reason: string | undefined): { code: GitcapErrorCode; message: string } {
  const m = REASON.exec(reason ?? '');
  if (m) return { code: m[1] as GitcapErrorCode, message: m[2]! };
  return { code: 'E_BACKEND', message: reason || 'the job failed without a reason' };
}
