// Failures in a queue, with an in-process worker: transient ones (E_NETWORK from a flaky server)
// are retried until the job succeeds; permanent ones (a host the worker does not allow, a missing
// file) fail at once with their code. Also: Redis unreachable at enqueue time is E_NETWORK.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Job, Queue } from 'bullmq';
import { createWorker, enqueueCaptions, GitModel, isGitcapError, waitForResults, type CaptionWorker, type JobOutcome } from '../../lib/index.js';
import { FIXTURES, fixtureGguf } from '../model/goldens.js';
import { redisMissing, startRedis, type TestRedis } from './redis-server.js';

const IMAGE = join(FIXTURES, 'inputs/square_224x224.png');
const QUEUE = 'retries';

describe('queue failures', { skip: redisMissing() }, () => {
  let redis: TestRedis;
  let model: GitModel;
  let worker: CaptionWorker;
  let server: Server;
  let host: string;
  let requests = 0;

  before(async () => {
    redis = await startRedis();
    model = await GitModel.load(await fixtureGguf('tiny-image'), { backend: 'cpu', threads: 1 });
    const png = await readFile(IMAGE);
    // The first two requests of flaky.png fail with 503; then it is served.
    server = createServer((req, res) => {
      requests++;
      if (req.url === '/flaky.png' && requests <= 2) res.writeHead(503).end();
      else if (req.url === '/flaky.png') res.writeHead(200, { 'content-type': 'image/png' }).end(png);
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    host = `127.0.0.1:${(server.address() as { port: number }).port}`;
    worker = await createWorker({ redis: redis.url, queue: QUEUE, model, allowHosts: [host] });
  });

  after(async () => {
    await worker?.close();
    await model?.dispose();
    server?.close();
    await redis?.remove();
  });

  async function run(inputs: string[]): Promise<Map<string, JobOutcome>> {
    const { jobs } = await enqueueCaptions({ redis: redis.url, queue: QUEUE, inputs, attempts: 3, backoffMs: 100 });
    const out = new Map<string, JobOutcome>();
    for await (const o of waitForResults({ redis: redis.url, queue: QUEUE, jobs, sweepIntervalMs: 500 })) out.set(o.file, o);
    return out;
  }

  it('retries a transient failure (HTTP 503: E_NETWORK) with backoff until the job succeeds', async () => {
    const url = `http://${host}/flaky.png`;
    const out = await run([url]);
    const o = out.get(url)!;
    assert.ok(!('error' in o), JSON.stringify(o));
    assert.deepEqual(o.tokenIds, (await model.caption({ image: IMAGE })).tokenIds);
    assert.equal(requests, 3);
    const queue = new Queue(QUEUE, { connection: { host: '127.0.0.1', port: redis.port } });
    try {
      const job = (await Job.fromId(queue, o.jobId))!;
      assert.equal(job.attemptsMade, 3);
    } finally {
      await queue.close();
    }
  });

  it('fails at once on permanent errors: a host not allowed (E_UNSUPPORTED), a missing URL or file (E_NOT_FOUND)', async () => {
    const before = requests;
    const other = 'http://127.0.0.2:9/a.png';
    const missing = `http://${host}/missing.png`;
    const out = await run([other, missing]);
    assert.deepEqual(out.get(other), {
      file: other,
      jobId: out.get(other)!.jobId,
      error: { code: 'E_UNSUPPORTED', message: '127.0.0.2:9 is not a host this worker downloads from (see --allow-host)' },
    });
    const m = out.get(missing)!;
    assert.ok('error' in m && m.error.code === 'E_NOT_FOUND', JSON.stringify(m));
    assert.equal(requests, before + 1, 'one request for the missing file, no retries');
  });

  it('says E_NETWORK when Redis cannot be reached, E_NOT_FOUND for a missing input', async () => {
    await assert.rejects(
      enqueueCaptions({ redis: 'redis://127.0.0.1:1', inputs: [IMAGE], connectTimeoutMs: 500 }),
      (err: unknown) => isGitcapError(err, 'E_NETWORK') && /Cannot reach Redis at redis:\/\/127\.0\.0\.1:1/.test(err.message),
    );
    await assert.rejects(enqueueCaptions({ redis: redis.url, inputs: [join(FIXTURES, 'nope.png')] }), (err: unknown) =>
      isGitcapError(err, 'E_NOT_FOUND'),
    );
  });
});
