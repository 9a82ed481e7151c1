// The async iterator behind GitModel.captionStream(): pieces of text as they are generated.
import type { CaptionResult } from './model.js';

export type CaptionStream = AsyncIterableIterator<string> & { result: Promise<CaptionResult> };

/**
 * `start(onPiece, signal)` runs the caption; its pieces are queued for the iterator. Leaving
 * the loop early (`return()`) aborts the caption through `signal`. A failure is thrown by the
 * iterator and by `result`, after `mapError`.
 */
export function captionStream(
  start: (onPiece: (piece: string) => void, signal: AbortSignal) => Promise<CaptionResult>,
  userSignal: AbortSignal | undefined,
  mapError: (err: unknown) => unknown,
): CaptionStream {
  const queue: string[] = [];
  let wake: (() => void) | undefined;
  let finished = false;
  let failure: unknown;
  const stop = new AbortController();
  const signal = userSignal ? AbortSignal.any([userSignal, stop.signal]) : stop.signal;
  const onPiece = (piece: string) => {
    queue.push(piece);
    wake?.();
  };
  const result = start(onPiece, signal).then(
    (r) => {
      finished = true;
      wake?.();
      return r;
    },
    (err: unknown) => {
      finished = true;
      failure = mapError(err);
      wake?.();
      throw failure;
    },
  );
  result.catch(() => {}); // surfaced through the iterator (or `result` when awaited)
  const iterator: CaptionStream = {
    result,
    [Symbol.asyncIterator]() {
      return iterator;
    },
    async next(): Promise<IteratorResult<string>> {
      for (;;) {
        if (queue.length > 0) return { value: queue.shift()!, done: false };
        if (finished) {
          if (failure) throw failure;
          return { value: undefined, done: true };
        }
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
      }
    },
    async return(): Promise<IteratorResult<string>> {
      if (!finished) stop.abort();
      await result.catch(() => {});
      return { value: undefined, done: true };
    },
  };
  return iterator;
}
