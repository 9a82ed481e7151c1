// The queue API, loaded on first use: importing gitcap does not load BullMQ.
import type { EnqueueOptions, EnqueueResult } from './enqueue.js';
import type { JobOutcome, WaitOptions } from './wait-results.js';
import type { CaptionWorker, WorkerOptions } from './worker.js';

export type { EnqueuedJob, EnqueueOptions, EnqueueResult } from './enqueue.js';
export type { CaptionJobData, CaptionJobResult, JobCaptionOptions, JobSource } from './job-data.js';
export type { JobOutcome, WaitOptions } from './wait-results.js';
export type { CaptionWorker, WorkerEvent, WorkerOptions } from './worker.js';

/** Captions the jobs of a queue until close(). */
export async function createWorker(options: WorkerOptions): Promise<CaptionWorker> {
  return (await import('./worker.js')).createWorker(options);
}

/** Adds one job per video or image; work already in the queue is not added again. */
export async function enqueueCaptions(options: EnqueueOptions): Promise<EnqueueResult> {
  return (await import('./enqueue.js')).enqueueCaptions(options);
}

/** The outcome of each job, as it finishes. */
export async function* waitForResults(options: WaitOptions): AsyncGenerator<JobOutcome, void, undefined> {
  yield* (await import('./wait-results.js')).waitForResults(options);
}
