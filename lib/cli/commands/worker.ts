import { GitcapError } from '../../../core/errors.js';
import { DEFAULT_QUEUE } from '../../queue/job-data.js';
import { redactUrl, redisOptions } from '../../queue/redis-connection.js';
import type { WorkerEvent } from '../../queue/worker.js';
import { CAPTION_FLAGS, parseCaptionFlags } from '../caption-flags.js';
import { openModel } from '../../open-model.js';
import { integerFlag } from '../flag-values.js';
import { parseCommandArgs } from '../parse-command-args.js';

export const summary = 'Caption the jobs of a Redis queue (BullMQ) until stopped';

export const usage = `gitcap worker --redis <url> [options]

Takes caption jobs (added with gitcap enqueue) from a BullMQ queue on Redis and captions them,
until SIGTERM or SIGINT: then it takes no new jobs, finishes those in flight and exits 0. Run one
or more per machine; each job is done once (a worker that dies mid-job leaves it to another).

Options:
  --redis <url>              redis://[user:password@]host[:port][/db] or rediss:// (TLS)
  --queue <name>             queue name (default ${DEFAULT_QUEUE})
  --model <m>                as gitcap caption: a GGUF file, a checkpoint folder or a hub repository
  --quant <type>             weight type when converting (see gitcap caption)
  --backend <b>              as gitcap caption
  --threads <n>              CPU threads of the model (default: the physical cores)
  --concurrency <n>          jobs at once (default 1; 2 overlaps reading videos with the model)
  --lock-duration <ms>       a job whose worker is silent this long goes to another (default 30000)
  --allow-host <hosts>       comma-separated hosts whose http(s) URLs this worker downloads

Errors of an input (E_INPUT, E_UNSUPPORTED, E_NOT_FOUND) fail its job at once; others (E_IO,
E_NETWORK, E_FFMPEG, ...) are retried with backoff as gitcap enqueue --attempts says. While Redis
is unreachable the worker waits and reconnects.`;

const FLAGS = {
  redis: { type: 'string' },
  queue: { type: 'string' },
  model: CAPTION_FLAGS.model,
  quant: CAPTION_FLAGS.quant,
  backend: CAPTION_FLAGS.backend,
  threads: CAPTION_FLAGS.threads,
  concurrency: { type: 'string' },
  'lock-duration': { type: 'string' },
  'allow-host': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Redis errors repeat while it is away: one line per this many ms. */
const REDIS_ERROR_EVERY_MS = 10_000;

export async function run(args: string[]): Promise<number> {
  const { values } = parseCommandArgs(args, FLAGS, usage, 0);
  if (values.help) {
    process.stdout.write(`Usage: ${usage}\n`);
    return 0;
  }
  const redis = values.redis as string | undefined;
  if (redis === undefined) throw new GitcapError('E_INVALID_ARG', `Missing --redis <url>\nUsage: ${usage.split('\n')[0]}`);
  redisOptions(redis); // a malformed URL is said before the model is loaded
  const flags = parseCaptionFlags(values);
  const concurrency = integerFlag(values, 'concurrency', 1, 1024);
  const lockDurationMs = integerFlag(values, 'lock-duration', 1, 3_600_000);
  if (lockDurationMs !== undefined && lockDurationMs < 1000) {
    throw new GitcapError('E_INVALID_ARG', `Expected at least 1000 for --lock-duration but received ${lockDurationMs}`);
  }
  const allowHosts = ((values['allow-host'] as string | undefined) ?? '').split(',').map((h) => h.trim()).filter(Boolean);
  const queue = (values.queue as string | undefined) ?? DEFAULT_QUEUE;

  // SIGTERM or SIGINT: a graceful stop; a second one kills (the default action, listeners gone).
  const stopping = new AbortController();
  const onSignal = () => {
    process.removeListener('SIGTERM', onSignal);
    process.removeListener('SIGINT', onSignal);
    stopping.abort();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  const model = await openModel(flags.model, { ...flags, signal: stopping.signal }).catch((err: unknown) => {
    onSignal();
    throw err;
  });
  try {
    // BullMQ is loaded here, not with the command: \`gitcap --help\` lists every command.
    const { createWorker } = await import('../../queue/worker.js');
    const worker = await createWorker({
      redis,
      queue,
      model,
      concurrency,
      lockDurationMs,
      allowHosts,
      onEvent: logEvent(),
    });
    process.stderr.write(
      `gitcap worker: queue ${queue} at ${redactUrl(redis)}, model ${model.info.name} (${model.info.quantization}, ${model.info.threads} threads), concurrency ${concurrency ?? 1}\n`,
    );
    if (!stopping.signal.aborted) await new Promise((resolve) => stopping.signal.addEventListener('abort', resolve, { once: true }));
    process.stderr.write('gitcap worker: stopping: finishing the jobs in flight\n');
    await worker.close();
    return 0;
  } finally {
    onSignal();
    await model.dispose();
  }
}

function logEvent(): (event: WorkerEvent) => void {
  let lastRedisError = 0;
  return (event) => {
    if (event.type === 'failed') {
      const retry = event.willRetry ? ' (will be retried)' : '';
      process.stderr.write(`gitcap worker: ${event.file}: ${event.message} (${event.code})${retry}\n`);
    } else if (event.type === 'redis-error' && Date.now() - lastRedisError >= REDIS_ERROR_EVERY_MS) {
      lastRedisError = Date.now();
      process.stderr.write(`gitcap worker: Redis ${event.message}; reconnecting\n`);
    }
  };
}
