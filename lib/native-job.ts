// Runs one job on the native worker thread and settles a promise (or feeds a stream) from its
// events: abort through an AbortSignal, and errors that point at the caller's line.
import { GitcapError, type GitcapErrorCode, abortError } from '../core/errors.js';
import { fromNativeError } from './native/binding.js';
import type { RawJobError, RawJobEvent, RawModel } from './native/model-types.js';

export interface JobHooks {
  signal?: AbortSignal | undefined;
  onToken?: ((piece: string, id: number) => void) | undefined;
  /** Stack of the public call, captured when it was made. */
  callerStack: string | undefined;
}

/** The caller's stack, without the library's own frames above `fn`. */
export function captureStack(fn: Function): string | undefined {
  const holder: { stack?: string } = {};
  Error.captureStackTrace(holder, fn);
  return holder.stack;
}

/** Gives `err` the stack of the public call, so that it points at the user's code. */
export function withCallerStack<E extends Error>(err: E, callerStack: string | undefined): E {
  if (callerStack) {
    const frames = callerStack.split('\n').slice(1).join('\n');
    err.stack = `${err.name}: ${err.message}\n${frames}`;
  }
  return err;
}

function jobError(e: RawJobError, signal: AbortSignal | undefined): GitcapError {
  if (e.code === 'E_ABORTED') return abortError(signal);
  return new GitcapError(e.code as GitcapErrorCode, e.message);
}

/**
 * Starts a job with `start(onEvent)` (which returns the native job id) and resolves with its
 * result. Tokens go to hooks.onToken; an abort cancels the native job, which then ends with
 * E_ABORTED at its next stage or token.
 */
export function runJob<R>(raw: RawModel, start: (onEvent: RawJobEvent<R>) => number, hooks: JobHooks): Promise<R> {
  return new Promise<R>((resolve, reject) => {
    const { signal } = hooks;
    const fail = (err: Error) => reject(withCallerStack(err, hooks.callerStack));
    if (signal?.aborted) {
      fail(abortError(signal));
      return;
    }
    let id: number | undefined;
    let settled = false;
    const onAbort = () => {
      if (id !== undefined) raw.cancel(id);
    };
    const settle = () => {
      settled = true;
      signal?.removeEventListener('abort', onAbort);
    };
    const onEvent: RawJobEvent<R> = (kind, a, b) => {
      if (settled) return;
      if (kind === 'token') {
        if (hooks.onToken && b) {
          try {
            hooks.onToken(b, a as number);
          } catch (err) {
            // a throwing callback ends the caption: the caller sees its error
            settle();
            if (id !== undefined) raw.cancel(id);
            fail(err as Error);
          }
        }
      } else if (kind === 'done') {
        settle();
        resolve(a as R);
      } else {
        settle();
        fail(jobError(a as RawJobError, signal));
      }
    };
    try {
      id = start(onEvent);
    } catch (err) {
      settle();
      fail(fromNativeError(err) as Error);
      return;
    }
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
