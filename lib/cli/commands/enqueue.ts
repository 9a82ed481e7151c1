import { open, type FileHandle } from 'node:fs/promises';
import { GitcapError, isGitcapError } from '../../../core/errors.js';
import type { JobOutcome } from '../../queue/wait-results.js';
import { DEFAULT_QUEUE } from '../../queue/job-data.js';
import { CAPTION_OPTION_FLAGS, parseCaptionFlags } from '../caption-flags.js';
import { integerFlag } from '../flag-values.js';
import { parseCommandArgs } from '../parse-command-args.js';
import { EXIT_INTERRUPTED } from './caption.js';

export const summary = 'Add caption jobs to a Redis queue for gitcap workers (and wait for the results)';

export const usage = `gitcap enqueue --redis <url> <file|folder|url>... [options]

Adds one job per video or image (a folder: the videos and images in it) to a BullMQ queue on
Redis, for gitcap worker to caption. Paths must be readable by the workers at the same path (a
shared filesystem); http(s) URLs are downloaded by workers that allow their host. A job's id is
a hash of the input (path, size and modification time, or the URL) and the caption options, so
enqueueing the same work again adds nothing. Prints how many jobs were added and how many were
already in the queue.

Options:
  --redis <url>                redis://[user:password@]host[:port][/db] or rediss:// (TLS)
  --queue <name>               queue name (default ${DEFAULT_QUEUE})
  --recursive                  folders: also the files in their subfolders
  --attempts <n>               tries of a job that fails for a passing reason (E_IO, E_NETWORK,
                               E_FFMPEG, ...), with exponential backoff from 5 s (default 3)
  --wait                       wait until every job is done; one JSON line per job as it finishes:
                               {"file", "text", "tokenIds", "model", "jobId"}, or
                               {"file", "error": {"code", "message"}}
  --jsonl <out>                --wait: write the JSON lines to this file instead of stdout

Caption options (as gitcap caption): --prompt, --max-new-tokens, --min-new-tokens, --beams,
--temperature, --top-k, --top-p, --seed, --repetition-penalty, --sampling.

Exit status: 0 done (with --wait: every job succeeded), 1 an error (with --wait: a job failed),
2 a usage error, 130 interrupted.`;

const FLAGS = {
  redis: { type: 'string' },
  queue: { type: 'string' },
  recursive: { type: 'boolean' },
  attempts: { type: 'string' },
  wait: { type: 'boolean' },
  jsonl: { type: 'string' },
  ...CAPTION_OPTION_FLAGS,
  help: { type: 'boolean', short: 'h' },
} as const;

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, FLAGS, usage, Infinity);
  if (values.help) {
    process.stdout.write(`Usage: ${usage}\n`);
    return 0;
  }
  const usageLine = `Usage: ${usage.split('\n')[0]}`;
  const redis = values.redis as string | undefined;
  if (redis === undefined) throw new GitcapError('E_INVALID_ARG', `Missing --redis <url>\n${usageLine}`);
  if (positionals.length === 0) throw new GitcapError('E_INVALID_ARG', `Missing <file|folder|url>: what to caption\n${usageLine}`);
  const jsonl = values.jsonl as string | undefined;
  if (jsonl !== undefined && !values.wait) throw new GitcapError('E_INVALID_ARG', '--jsonl goes with --wait');
  const attempts = integerFlag(values, 'attempts', 1, 1000);
  const caption = parseCaptionFlags(values).caption;
  const queue = (values.queue as string | undefined) ?? DEFAULT_QUEUE;

  // A bad --jsonl path fails before anything is enqueued.
  const file = jsonl === undefined ? undefined : await openOutput(jsonl);
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  try {
    const { enqueueCaptions } = await import('../../queue/enqueue.js');
    const enqueued = await enqueueCaptions({
      redis,
      queue,
      inputs: positionals,
      recursive: values.recursive === true,
      caption,
      attempts,
    });
    // With JSON lines on stdout, the counts go to stderr.
    const counts = values.wait && jsonl === undefined ? process.stderr : process.stdout;
    counts.write(`${enqueued.added} added, ${enqueued.existing} already existed (queue ${queue})\n`);
    if (!values.wait) return 0;

    const { waitForResults } = await import('../../queue/wait-results.js');
    let failed = false;
    for await (const outcome of waitForResults({ redis, queue, jobs: enqueued.jobs, signal: controller.signal })) {
      if ('error' in outcome) failed = true;
      const line = `${JSON.stringify(outputLine(outcome))}\n`;
      if (file) await file.write(line).catch((err: Error) => Promise.reject(ioError(jsonl!, err)));
      else process.stdout.write(line);
    }
    return failed ? 1 : 0;
  } catch (err) {
    if (controller.signal.aborted && isGitcapError(err, 'E_ABORTED')) return EXIT_INTERRUPTED;
    throw err;
  } finally {
    process.removeListener('SIGINT', onSigint);
    await file?.close();
  }
}

function outputLine(o: JobOutcome): object {
  if ('error' in o) return { file: o.file, error: o.error };
  return { file: o.file, text: o.text, tokenIds: o.tokenIds, model: o.model, jobId: o.jobId };
}

function ioError(path: string, err: Error): GitcapError {
  return new GitcapError('E_IO', `${path}: ${err.message}`, { cause: err });
}

async function openOutput(path: string): Promise<FileHandle> {
  return open(path, 'w').catch((err: Error) => Promise.reject(ioError(path, err)));
}
