// Three `gitcap worker` processes on a real Redis (redis-server started here), 200 image jobs of
// the tiny fixture model: every result equals model.caption(); a worker SIGKILLed mid-run loses
// nothing; enqueueing again adds nothing; a broken file fails alone; Redis stopped and started
// again mid-run does not stop the run.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { Job, Queue } from 'bullmq';
import { enqueueCaptions, GitModel, waitForResults, type JobOutcome } from '../../lib/index.js';
import { gitcap, startGitcap, type GitcapChild } from '../cli/gitcap-process.js';
import { FIXTURES, fixtureGguf } from '../model/goldens.js';
import { redisMissing, startRedis, type TestRedis } from './redis-server.js';

const SOURCES = [
  'banner_1000x200.png', 'clip_frame0_idx000.png', 'gray_256x320.png', 'odd_333x500.jpg', 'palette_200x150.png',
  'photo_640x480.jpg', 'portrait_480x640.png', 'rgba_300x200.png', 'square_224x224.png', 'tiny_20x15.png',
].map((f) => join(FIXTURES, 'inputs', f));
const BROKEN = join(FIXTURES, 'image-broken/truncated.png');
/** Short, so that a killed worker's job goes to another within seconds. */
const LOCK_MS = 3000;

let redis: TestRedis;
let dir: string;
let gguf: string;
/** Caption and SHA-256 of each source, in-process. */
const expected = new Map<string, { tokenIds: number[]; text: string; sha256: string }>();
/** Input copy -> its source. */
const sourceOf = new Map<string, string>();
const workers: GitcapChild[] = [];

async function copies(folder: string, count: number): Promise<string> {
  const path = join(dir, folder);
  await import('node:fs/promises').then((fs) => fs.mkdir(path));
  for (let i = 0; i < count; i++) {
    const source = SOURCES[i % SOURCES.length]!;
    const file = join(path, `${String(i).padStart(3, '0')}-${basename(source)}`);
    await copyFile(source, file);
    sourceOf.set(file, source);
  }
  return path;
}

function startWorker(): GitcapChild {
  const child = startGitcap(['worker', '--redis', redis.url, '--model', gguf, '--threads', '1', '--lock-duration', String(LOCK_MS)]);
  workers.push(child);
  return child;
}

/** Resolves once the worker says it is connected and taking jobs. */
async function ready(child: GitcapChild): Promise<void> {
  let stderr = '';
  child.process.stderr!.on('data', (d: string) => (stderr += d));
  for (let i = 0; i < 1200 && !stderr.includes('gitcap worker: queue'); i++) {
    if (child.process.exitCode !== null) throw new Error(`worker exited: ${stderr}`);
    await sleep(100);
  }
  assert.match(stderr, /gitcap worker: queue gitcap at redis:\/\/127\.0\.0\.1:\d+\/?, model tiny-image/);
}

/** A result as the library or the --jsonl line gives it: the caption of its source, in-process. */
function checkCaption(outcome: { file: string; text?: string; tokenIds?: number[]; model?: string; error?: unknown }): void {
  assert.equal(outcome.error, undefined, `${outcome.file}: ${JSON.stringify(outcome.error)}`);
  const want = expected.get(sourceOf.get(outcome.file)!)!;
  assert.deepEqual(outcome.tokenIds, want.tokenIds, outcome.file);
  assert.equal(outcome.text, want.text);
  assert.equal(outcome.model, 'tiny-image (f32)');
}

before(async () => {
  if (redisMissing()) return;
  dir = await mkdtemp(join(tmpdir(), 'gitcap-queue-'));
  gguf = await fixtureGguf('tiny-image');
  const model = await GitModel.load(gguf, { backend: 'cpu', threads: 1 });
  for (const source of SOURCES) {
    const r = await model.caption({ image: source });
    expected.set(source, { tokenIds: r.tokenIds, text: r.text, sha256: createHash('sha256').update(await readFile(source)).digest('hex') });
  }
  await model.dispose();
  redis = await startRedis();
});

after(async () => {
  for (const w of workers) w.process.kill('SIGKILL');
  await Promise.all(workers.map((w) => w.exit));
  await redis?.remove();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('gitcap worker on BullMQ', { skip: redisMissing() }, () => {
  it('captions 200 jobs on 3 workers, one SIGKILLed mid-run: every result once, equal to model.caption()', async () => {
    const folder = await copies('run1', 200);
    const broken = join(folder, 'zzz-broken.png');
    await copyFile(BROKEN, broken);
    const three = [startWorker(), startWorker(), startWorker()];
    await Promise.all(three.map(ready));

    const enqueued = await enqueueCaptions({ redis: redis.url, inputs: [folder] });
    assert.equal(enqueued.added, 201);
    assert.equal(enqueued.existing, 0);
    assert.equal(new Set(enqueued.jobs.map((j) => j.jobId)).size, 201);

    const outcomes: JobOutcome[] = [];
    for await (const outcome of waitForResults({ redis: redis.url, jobs: enqueued.jobs, sweepIntervalMs: 1000 })) {
      outcomes.push(outcome);
      if (outcomes.length === 30) three[0]!.process.kill('SIGKILL');
    }
    assert.equal((await three[0]!.exit).code, null);
    assert.equal(outcomes.length, 201);
    assert.deepEqual(new Set(outcomes.map((o) => o.jobId)), new Set(enqueued.jobs.map((j) => j.jobId)));
    const failures = outcomes.filter((o) => 'error' in o);
    assert.deepEqual(failures, [{ file: broken, jobId: failures[0]?.jobId, error: { code: 'E_INPUT', message: 'Corrupt or truncated PNG image (outofdata)' } }]);
    for (const o of outcomes) {
      if (o.file === broken) continue;
      checkCaption(o);
      assert.equal('result' in o && o.result.fileSha256, expected.get(sourceOf.get(o.file)!)!.sha256);
    }

    const queue = new Queue('gitcap', { connection: { host: '127.0.0.1', port: redis.port } });
    try {
      const counts = await queue.getJobCounts('completed', 'failed', 'active', 'wait', 'delayed');
      assert.deepEqual(counts, { completed: 200, failed: 1, active: 0, wait: 0, delayed: 0 });
      // The killed worker held a job (a worker fetches its next job as it finishes one): it stalled
      // and another worker finished it.
      const jobs = await queue.getJobs(['completed']);
      assert.ok(jobs.some((j) => j.stalledCounter >= 1), 'a job of the killed worker was taken over');
      // Progress: the tokens generated.
      const one = (await Job.fromId(queue, enqueued.jobs[0]!.jobId))!;
      assert.equal(one.progress, one.returnvalue.tokenIds.length);
      const failed = (await Job.fromId(queue, failures[0]!.jobId))!;
      assert.equal(failed.attemptsMade, 1, 'a permanent failure is not retried');
    } finally {
      await queue.close();
    }

    const again = await gitcap(['enqueue', '--redis', redis.url, folder]);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.stdout, '0 added, 201 already existed (queue gitcap)\n');
  });

  it('completes a run while Redis is stopped and started again', async () => {
    const folder = await copies('run2', 100);
    const jsonl = join(dir, 'run2.jsonl');
    const enqueue = startGitcap(['enqueue', '--redis', redis.url, folder, '--wait', '--jsonl', jsonl]);
    const lines = async () => (await readFile(jsonl, 'utf8').catch(() => '')).split('\n').filter(Boolean).length;
    for (let i = 0; i < 1200 && (await lines()) < 5; i++) await sleep(100);
    const queue = new Queue('gitcap', { connection: { host: '127.0.0.1', port: redis.port } });
    const waiting = await queue.getWaitingCount();
    await queue.close();
    await redis.stop();
    assert.ok(waiting > 0, 'Redis stopped mid-run');
    await sleep(1500);
    await redis.start();
    const exit = await enqueue.exit;
    assert.equal(exit.code, 0, exit.stderr);
    assert.equal(exit.stdout, '100 added, 0 already existed (queue gitcap)\n');
    const outcomes = (await readFile(jsonl, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Parameters<typeof checkCaption>[0]);
    assert.equal(outcomes.length, 100);
    assert.equal(new Set(outcomes.map((o) => o.file)).size, 100);
    for (const o of outcomes) {
      assert.deepEqual(Object.keys(o), ['file', 'text', 'tokenIds', 'model', 'jobId']);
      checkCaption(o);
    }
  });

  it('stops a worker with SIGTERM: exit 0', async () => {
    const alive = workers.filter((w) => w.process.exitCode === null && w.process.signalCode === null);
    assert.equal(alive.length, 2);
    for (const w of alive) w.process.kill('SIGTERM');
    for (const w of alive) {
      const exit = await w.exit;
      assert.equal(exit.code, 0, exit.stderr);
      assert.match(exit.stderr, /stopping: finishing the jobs in flight/);
    }
  });
});
