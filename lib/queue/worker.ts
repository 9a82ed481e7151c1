// createWorker(): captions the jobs of a BullMQ queue with one model until close(). BullMQ gives
// at-least-once delivery: a job whose worker dies (its lock expires) goes back to the queue.
import { hostname } from 'node:os';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { GitcapError } from '../../core/errors.js';
import { checkInteger } from '../inputs/arg-checks.js';
import { GitModel } from '../model.js';
import type { Backend } from '../options/load-options.js';
import { errorOfReason, failureReason, isPermanentFailure } from './failure-kinds.js';
import { DEFAULT_QUEUE, type CaptionJobData, type CaptionJobResult } from './job-data.js';
import { checkJobData, openJobFile, sha256File } from './job-input.js';
import { redactUrl, redisOptions } from './redis-connection.js';

export interface WorkerOptions {
  /** redis://[user:password@]host[:port][/db] or rediss:// (TLS). */
  redis: string;
  /** Queue name (default "gitcap"). */
  queue?: string;
  /** A loaded model (left open by close()), or a GGUF file / checkpoint folder loaded here. */
  model: GitModel | string;
  /** Loading a model from a path: its threads and backend. */
  threads?: number;
  backend?: Backend;
  /** Jobs at once (default 1): more overlaps reading and decoding inputs with the model. */
  concurrency?: number;
  /** A job whose worker stops renewing its lock this long is taken by another (default 30 000 ms). */
  lockDurationMs?: number;
  /** Hosts (host or host:port) whose http(s) URLs this worker downloads. */
  allowHosts?: string[];
  /** What happens, for logs. */
  onEvent?: (event: WorkerEvent) => void;
}

export type WorkerEvent =
  | { type: 'completed'; jobId: string; file: string; ms: number }
  | { type: 'failed'; jobId: string; file: string; code: string; message: string; willRetry: boolean }
  | { type: 'redis-error'; message: string };

export interface CaptionWorker {
  /** Takes no new jobs, finishes those in flight, then disconnects (and frees a model it loaded). */
  close(): Promise<void>;
}

/** Progress (tokens generated) goes to Redis at most this often while a job runs. */
const PROGRESS_INTERVAL_MS = 250;

export async function createWorker(options: WorkerOptions): Promise<CaptionWorker> {
  const connection = redisOptions(options.redis);
  const concurrency = checkInteger('concurrency', options.concurrency ?? 1, 1, 1024);
  const lockDuration = checkInteger('lockDurationMs', options.lockDurationMs ?? 30_000, 1000, 3_600_000);
  const allowHosts = new Set((options.allowHosts ?? []).map((h) => h.toLowerCase()));
  const ownModel = typeof options.model === 'string';
  const model =
    typeof options.model === 'string'
      ? await GitModel.load(options.model, { threads: options.threads, backend: options.backend })
      : options.model;
  if (!(model instanceof GitModel)) throw new GitcapError('E_INVALID_ARG', 'Expected a GitModel or a path for model');
  const modelName = `${model.info.name} (${model.info.quantization})`;
  const emit = options.onEvent ?? (() => {});
  const stop = new AbortController();

  const processJob = async (job: Job<CaptionJobData, CaptionJobResult>): Promise<CaptionJobResult> => {
    try {
      const data = checkJobData(job.data);
      const file = await openJobFile(data, allowHosts, stop.signal);
      try {
        const hash = sha256File(file.path);
        hash.catch(() => {}); // the caption's own error comes first
        let tokens = 0;
        let reported = 0;
        const result = await model.caption(data.kind === 'video' ? { video: file.path } : { image: file.path }, {
          ...data.options,
          onToken: (_piece, id) => {
            if (id >= 0) tokens++;
            const now = Date.now();
            if (now - reported >= PROGRESS_INTERVAL_MS) {
              reported = now;
              job.updateProgress(tokens).catch(() => {}); // progress is informative; never fails a job
            }
          },
        });
        await job.updateProgress(result.tokenIds.length).catch(() => {});
        return { text: result.text, tokenIds: result.tokenIds, timings: result.timings, model: modelName, fileSha256: await hash };
      } finally {
        await file.release();
      }
    } catch (err) {
      // BullMQ keeps only the message: it carries the code. Permanent failures skip the retries.
      if (isPermanentFailure(err)) throw new UnrecoverableError(failureReason(err));
      throw new Error(failureReason(err));
    }
  };

  const worker = new Worker<CaptionJobData, CaptionJobResult>(options.queue ?? DEFAULT_QUEUE, processJob, {
    connection,
    concurrency,
    lockDuration,
    stalledInterval: lockDuration,
    // A job can stall (its worker died, or lost Redis longer than the lock) twice before it fails.
    maxStalledCount: 2,
    name: `${hostname()}:${process.pid}`,
  });
  worker.on('completed', (job) => {
    emit({ type: 'completed', jobId: job.id ?? '', file: job.data.file, ms: (job.finishedOn ?? Date.now()) - (job.processedOn ?? Date.now()) });
  });
  worker.on('failed', (job, err) => {
    if (!job) return;
    const { code, message } = errorOfReason(err.message);
    const willRetry = !(err instanceof UnrecoverableError) && job.attemptsMade < (job.opts.attempts ?? 1);
    emit({ type: 'failed', jobId: job.id ?? '', file: job.data?.file ?? '', code, message, willRetry });
  });
  // Without a listener an 'error' event would throw; Redis errors are waited out (reconnects).
  worker.on('error', (err) => emit({ type: 'redis-error', message: `${redactUrl(options.redis)}: ${err.message}` }));

  let closing: Promise<void> | undefined;
  return {
    close() {
      closing ??= (async () => {
        await worker.close();
        stop.abort();
        if (ownModel) await model.dispose();
      })();
      return closing;
    },
  };
}
