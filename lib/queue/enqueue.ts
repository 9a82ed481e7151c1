// enqueueCaptions(): one BullMQ job per video or image, with an id derived from the input and the
// options, so that enqueueing the same work again adds nothing.
import { Queue } from 'bullmq';
import { checkCaptionOptions } from '../options/caption-options.js';
import { GitcapError } from '../../core/errors.js';
import { checkInteger } from '../inputs/arg-checks.js';
import { expandInputs } from './expand-inputs.js';
import { captionJobId } from './job-id.js';
import { DEFAULT_QUEUE, JOB_CAPTION_OPTIONS, JOB_NAME, type CaptionJobData, type JobCaptionOptions } from './job-data.js';
import { readyWithin, redisOptions } from './redis-connection.js';

export interface EnqueueOptions {
  /** redis://[user:password@]host[:port][/db] or rediss:// (TLS). */
  redis: string;
  /** Queue name (default "gitcap"). */
  queue?: string;
  /** Files, folders (their videos and images) and http(s) URLs. */
  inputs: string[];
  /** Folders: also their subfolders. */
  recursive?: boolean;
  /** Options of every caption (plain data: no signal or callbacks). */
  caption?: JobCaptionOptions;
  /** Tries of a job that fails with a transient error (default 3). */
  attempts?: number;
  /** Delay before the first retry; doubled for each further one (default 5000 ms). */
  backoffMs?: number;
  /** How long to wait for Redis to answer at all (default 10 000 ms). */
  connectTimeoutMs?: number;
}

export interface EnqueuedJob {
  file: string;
  jobId: string;
}

export interface EnqueueResult {
  /** One per distinct job (an input named twice is one job), in input order. */
  jobs: EnqueuedJob[];
  added: number;
  /** Jobs that were already in the queue (waiting, running, done or failed). */
  existing: number;
}

const BATCH = 1000;

function checkJobOptions(caption: unknown): JobCaptionOptions {
  if (caption === undefined) return {};
  if (typeof caption !== 'object' || caption === null) throw new GitcapError('E_INVALID_ARG', 'Expected an object for caption');
  for (const key of Object.keys(caption)) {
    if (!JOB_CAPTION_OPTIONS.has(key)) {
      throw new GitcapError('E_INVALID_ARG', `caption.${key} cannot travel in a job (only ${[...JOB_CAPTION_OPTIONS].join(', ')})`);
    }
  }
  // The model's own limit (text positions) is checked by the worker; here only the form.
  checkCaptionOptions(caption, Number.MAX_SAFE_INTEGER);
  return caption as JobCaptionOptions;
}

export async function enqueueCaptions(options: EnqueueOptions): Promise<EnqueueResult> {
  const connection = redisOptions(options.redis);
  const caption = checkJobOptions(options.caption);
  const attempts = checkInteger('attempts', options.attempts ?? 3, 1, 1000);
  const backoffMs = checkInteger('backoffMs', options.backoffMs ?? 5000, 0, 86_400_000);
  if (!Array.isArray(options.inputs) || options.inputs.length === 0) {
    throw new GitcapError('E_INVALID_ARG', 'Expected at least one file, folder or URL in inputs');
  }
  const inputs = await expandInputs(options.inputs, options.recursive ?? false);

  const seen = new Set<string>();
  const jobs: Array<EnqueuedJob & { data: CaptionJobData }> = [];
  for (const input of inputs) {
    const jobId = captionJobId(input.source, caption);
    if (seen.has(jobId)) continue;
    seen.add(jobId);
    jobs.push({ file: input.file, jobId, data: { file: input.file, source: input.source, kind: input.kind, options: caption } });
  }

  const queue = new Queue<CaptionJobData>(options.queue ?? DEFAULT_QUEUE, { connection });
  queue.on('error', () => {}); // reconnects; a lasting failure shows as the timeout below
  try {
    const client = await readyWithin(queue.client, options.redis, options.connectTimeoutMs ?? 10_000);
    let added = 0;
    for (let at = 0; at < jobs.length; at += BATCH) {
      const batch = jobs.slice(at, at + BATCH);
      const pipeline = client.pipeline();
      for (const job of batch) pipeline.runCommand('exists', [queue.toKey(job.jobId)]);
      const exists = (await pipeline.exec()) ?? [];
      // Two enqueuers racing on one job: BullMQ adds it once; both may count it as added.
      const fresh = batch.filter((_, i) => exists[i]?.[1] !== 1);
      await queue.addBulk(
        fresh.map((job) => ({
          name: JOB_NAME,
          data: job.data,
          opts: { jobId: job.jobId, attempts, backoff: { type: 'exponential', delay: backoffMs } },
        })),
      );
      added += fresh.length;
    }
    return { jobs: jobs.map(({ file, jobId }) => ({ file, jobId })), added, existing: jobs.length - added };
  } finally {
    await queue.close();
  }
}
