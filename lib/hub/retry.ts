import { GitcapError, throwIfAborted } from '../../core/errors.js';
import { sleep } from './sleep.js';

/** How often and how patiently a failing request is tried again (exponential backoff). */
export interface RetryPolicy {
  /** Tries after the first one. */
  retries: number;
  /** Wait before the first retry; doubles for each further retry. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 5, baseDelayMs: 1000, maxDelayMs: 8000 };

// Errors worth another try (5xx, dropped connections, timeouts). Kept apart so that the
// errors themselves stay plain GitcapErrors.
const transientErrors = new WeakSet<object>();

export function transient(err: GitcapError): GitcapError {
  transientErrors.add(err);
  return err;
}

export function isTransient(err: unknown): err is GitcapError {
  return typeof err === 'object' && err !== null && transientErrors.has(err);
}

export function validateRetryPolicy(policy: RetryPolicy): RetryPolicy {
  for (const key of ['retries', 'baseDelayMs', 'maxDelayMs'] as const) {
    const value = policy[key];
    if (!Number.isInteger(value) || value < 0) {
      throw new GitcapError(
        'E_INVALID_ARG',
        `Expected a non-negative integer for retry.${key} but received ${String(value)} of type ${typeof value}`,
      );
    }
  }
  return policy;
}

/**
 * Runs `attempt` until it succeeds, fails for good, or transient failures exceed the policy;
 * the last transient failure then becomes E_NETWORK "<what> failed after N attempts: ...".
 */
export async function withRetry<T>(
  what: string,
  policy: RetryPolicy,
  signal: AbortSignal | undefined,
  attempt: (n: number) => Promise<T>,
): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (err) {
      throwIfAborted(signal);
      if (!isTransient(err)) throw err;
      if (n > policy.retries) {
        throw new GitcapError('E_NETWORK', `${what} failed after ${n} attempt${n === 1 ? '' : 's'}: ${err.message}`, { cause: err });
      }
      await sleep(Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (n - 1)), signal);
    }
  }
}
