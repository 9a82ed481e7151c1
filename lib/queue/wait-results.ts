// waitForResults(): the outcome of each job, as it finishes. Queue events bring the news at once;
// a sweep of the jobs still pending (at the start and every few seconds) catches what finished
// before the call, or while Redis was away.
import { Job, Queue, QueueEvents } from 'bullmq';
import { abortError, type GitcapErrorCode } from '../../core/errors.js';
import type { EnqueuedJob } from './enqueue.js';
import { errorOfReason } from './failure-kinds.js';
import { DEFAULT_QUEUE, type CaptionJobData, type CaptionJobResult } from './job-data.js';
import { readyWithin, redisOptions } from './redis-connection.js';

export interface WaitOptions {
  redis: string;
  queue?: string;
  /** The jobs to wait for: what enqueueCaptions() returned (or { file, jobId } of your own). */
  jobs: EnqueuedJob[];
  signal?: AbortSignal;
  /** How often the pending jobs are looked up besides the events (default 5000 ms). */
  sweepIntervalMs?: number;
  /** How long to wait for Redis to answer at all (default 10 000 ms). */
  connectTimeoutMs?: number;
}

export type JobOutcome =
  | { file: string; jobId: string; text: string; tokenIds: number[]; model: string; result: CaptionJobResult }
  | { file: string; jobId: string; error: { code: GitcapErrorCode; message: string } };

/** Lookups in flight at once during a sweep. */
const SWEEP_PARALLEL = 64;

/** Yields one outcome per job (in the order they finish) until none is left. */
export async function* waitForResults(options: WaitOptions): AsyncGenerator<JobOutcome, void, undefined> {
  const connection = redisOptions(options.redis);
  const name = options.queue ?? DEFAULT_QUEUE;
  const pending = new Map(options.jobs.map((j) => [j.jobId, j.file]));
  const sweepInterval = options.sweepIntervalMs ?? 5000;
  const signal = options.signal;
  const done: JobOutcome[] = [];
  let wake: (() => void) | undefined;
  const checking = new Set<string>();

  const queue = new Queue<CaptionJobData, CaptionJobResult>(name, { connection });
  const events = new QueueEvents(name, { connection });
  queue.on('error', () => {}); // reconnects; lookups wait for the connection
  events.on('error', () => {});

  /** Records the job's outcome once it is final (completed, failed for good, or gone). */
  const check = async (jobId: string): Promise<void> => {
    if (!pending.has(jobId) || checking.has(jobId)) return;
    checking.add(jobId);
    try {
      const state = await queue.getJobState(jobId);
      if (state !== 'completed' && state !== 'failed' && state !== 'unknown') return;
      const job = state === 'unknown' ? undefined : await Job.fromId<CaptionJobData, CaptionJobResult>(queue, jobId);
      const file = pending.get(jobId);
      if (file === undefined) return;
      pending.delete(jobId);
      const result = job?.returnvalue;
      if (state === 'completed' && result) {
        done.push({ file, jobId, text: result.text, tokenIds: result.tokenIds, model: result.model, result });
      } else if (job) {
        done.push({ file, jobId, error: errorOfReason(job.failedReason) });
      } else {
        done.push({ file, jobId, error: { code: 'E_NOT_FOUND', message: `job ${jobId} is not in queue ${name} (removed?)` } });
      }
      wake?.();
    } catch {
      // Redis went away mid-lookup: the next sweep asks again.
    } finally {
      checking.delete(jobId);
    }
  };
  const onEvent = ({ jobId }: { jobId: string }) => void check(jobId);
  events.on('completed', onEvent);
  events.on('failed', onEvent);
  const onAbort = () => wake?.();
  signal?.addEventListener('abort', onAbort);

  try {
    await readyWithin(Promise.all([queue.client, events.waitUntilReady()]), options.redis, options.connectTimeoutMs ?? 10_000);
    let nextSweep = 0;
    while (pending.size > 0 || done.length > 0) {
      if (signal?.aborted) throw abortError(signal);
      if (done.length > 0) {
        yield done.shift()!;
        continue;
      }
      if (Date.now() >= nextSweep) {
        const started = Date.now();
        const ids = [...pending.keys()];
        for (let at = 0; at < ids.length; at += SWEEP_PARALLEL) await Promise.all(ids.slice(at, at + SWEEP_PARALLEL).map(check));
        // A sweep of millions of jobs takes a while: never spend most of the time sweeping.
        nextSweep = Date.now() + Math.max(sweepInterval, 4 * (Date.now() - started));
        continue;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, nextSweep - Date.now());
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await events.close();
    await queue.close();
  }
}
