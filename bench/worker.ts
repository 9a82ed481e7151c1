// Throughput of `gitcap worker` on the full-size q8_0 model with videos: 1 worker x 2 threads
// against 2 workers x 1 thread, and what the queue adds to each job against captioning in-process.
//
//   node --import tsx bench/worker.ts [--videos 8] [--model-dir /tmp/git-base-vatex-random] [--cache /tmp/gitcap-bench]
//
// Needs redis-server (one is started on a free loopback port and stopped after) and the benchmark
// checkpoint of `npm run bench`. The videos are copies of test/fixtures/inputs/clip.mp4.
import { spawn } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Job, Queue } from 'bullmq';
import { enqueueCaptions, GitModel, waitForResults } from '../lib/index.js';
import { startRedis, type TestRedis } from '../test/queue/redis-server.js';
import { othersCpus, sampleCpu } from './contention.js';
import { describeMachine, formatMachine } from './machine.js';
import { ensureGguf, warmPageCache } from './models.js';
import { median } from './stats.js';

const MAIN = fileURLToPath(new URL('../lib/cli/main.ts', import.meta.url));
const CLIP = fileURLToPath(new URL('../test/fixtures/inputs/clip.mp4', import.meta.url));

const { values } = parseArgs({
  options: {
    videos: { type: 'string', default: '8' },
    'model-dir': { type: 'string', default: '/tmp/git-base-vatex-random' },
    cache: { type: 'string', default: '/tmp/gitcap-bench' },
  },
});
const count = Number(values.videos);
if (!Number.isInteger(count) || count < 2) throw new Error('--videos takes an integer of at least 2');

/** user + system seconds of a process, from /proc/<pid>/stat. */
async function cpuSeconds(pid: number): Promise<number> {
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).replace(/^.*\) /s, '').split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

interface WorkerProcess {
  pid: number;
  stop(): Promise<void>;
}

async function startWorker(redis: TestRedis, queue: string, gguf: string, threads: number): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'worker', '--redis', redis.url, '--queue', queue, '--model', gguf, '--threads', String(threads)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stderr = '';
  await new Promise<void>((resolve, reject) => {
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      if (stderr.includes('gitcap worker: queue')) resolve();
    });
    child.once('exit', () => reject(new Error(`worker exited: ${stderr}`)));
  });
  return {
    pid: child.pid!,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

interface QueueRun {
  label: string;
  wallS: number;
  videosPerMin: number;
  /** Queue wall time per job minus the caption time the workers measured, per worker. */
  overheadMsPerJob: number;
  /** Median over jobs of (finishedOn - processedOn) in Redis minus the caption's own totalMs. */
  workerOverheadMs: number;
  captionMsMedian: number;
  othersCpus: number | null;
}

async function queueRun(redis: TestRedis, gguf: string, videos: string[], workers: number, threads: number): Promise<QueueRun> {
  const queue = `bench-${workers}x${threads}-${Date.now()}`;
  const procs = await Promise.all(Array.from({ length: workers }, () => startWorker(redis, queue, gguf, threads)));
  const cpuBefore = await Promise.all(procs.map((p) => cpuSeconds(p.pid)));
  const sample = sampleCpu();
  const started = performance.now();
  const { jobs } = await enqueueCaptions({ redis: redis.url, queue, inputs: videos });
  const captionMs: number[] = [];
  for await (const o of waitForResults({ redis: redis.url, queue, jobs, sweepIntervalMs: 1000 })) {
    if ('error' in o) throw new Error(`${o.file}: ${o.error.code} ${o.error.message}`);
    captionMs.push(o.result.timings.totalMs);
  }
  const wallMs = performance.now() - started;
  const cpuAfter = await Promise.all(procs.map((p) => cpuSeconds(p.pid)));
  const childrenS = cpuAfter.reduce((s, c, i) => s + c - cpuBefore[i]!, 0);
  const others = othersCpus(sample, sampleCpu(), childrenS);
  await Promise.all(procs.map((p) => p.stop()));
  const q = new Queue(queue, { connection: { host: '127.0.0.1', port: redis.port } });
  const inWorker: number[] = [];
  for (const { jobId } of jobs) {
    const job = (await Job.fromId(q, jobId))!;
    inWorker.push(job.finishedOn! - job.processedOn! - job.returnvalue.timings.totalMs);
  }
  await q.close();
  const busyMs = captionMs.reduce((a, b) => a + b, 0) / workers;
  return {
    label: `${workers} worker${workers > 1 ? 's' : ''} x ${threads} thread${threads > 1 ? 's' : ''}`,
    wallS: wallMs / 1000,
    videosPerMin: (videos.length / wallMs) * 60_000,
    overheadMsPerJob: ((wallMs - busyMs) * workers) / videos.length,
    captionMsMedian: median(captionMs),
    workerOverheadMs: median(inWorker),
    othersCpus: others,
  };
}

async function inProcess(gguf: string, videos: string[], threads: number): Promise<{ wallS: number; videosPerMin: number; captionMsMedian: number; othersCpus: number | null }> {
  const model = await GitModel.load(gguf, { backend: 'cpu', threads });
  try {
    await model.caption({ video: videos[0]! }); // warm-up, as the workers' first job is not
    const sample = sampleCpu();
    const started = performance.now();
    const ms: number[] = [];
    for (const video of videos) ms.push((await model.caption({ video })).timings.totalMs);
    const wallMs = performance.now() - started;
    return { wallS: wallMs / 1000, videosPerMin: (videos.length / wallMs) * 60_000, captionMsMedian: median(ms), othersCpus: othersCpus(sample, sampleCpu()) };
  } finally {
    await model.dispose();
  }
}

const log = (line: string) => process.stderr.write(`${line}\n`);
// Loaded once up front (the API loads them on first use): not a per-job cost.
await import('../lib/queue/enqueue.js');
await import('../lib/queue/wait-results.js');
const gguf = await ensureGguf(values['model-dir']!, values.cache!, 'q8_0', log);
await warmPageCache(gguf);
const dir = await mkdtemp(join(tmpdir(), 'gitcap-bench-worker-'));
const redis = await startRedis();
// Ctrl-C: stop the Redis server of this run too.
process.once('SIGINT', () => void redis.remove().finally(() => process.exit(130)));
try {
  const copies = async (name: string) => {
    const files = Array.from({ length: count }, (_, i) => join(dir, `${name}-${i}.mp4`));
    for (const f of files) await copyFile(CLIP, f);
    return files;
  };
  console.log(formatMachine(describeMachine()));
  console.log(`${count} videos (clip.mp4, 6 frames each), full-size q8_0, 20 new tokens\n`);
  const local = await inProcess(gguf, await copies('local'), 2);
  console.log(`in-process, 2 threads:     ${local.wallS.toFixed(1)} s, ${local.videosPerMin.toFixed(1)} videos/min, caption median ${local.captionMsMedian.toFixed(0)} ms, others' CPUs ${local.othersCpus?.toFixed(2) ?? '?'}`);
  for (const [workers, threads] of [[1, 2], [2, 1]] as const) {
    const r = await queueRun(redis, gguf, await copies(`q${workers}x${threads}`), workers, threads);
    console.log(
      `${r.label.padEnd(26)} ${r.wallS.toFixed(1)} s, ${r.videosPerMin.toFixed(1)} videos/min, caption median ${r.captionMsMedian.toFixed(0)} ms, ` +
        `queue overhead ${r.overheadMsPerJob.toFixed(1)} ms/job (in the worker ${r.workerOverheadMs.toFixed(1)} ms), others' CPUs ${r.othersCpus?.toFixed(2) ?? '?'}`,
    );
  }
} finally {
  await redis.remove();
  await rm(dir, { recursive: true, force: true });
}
