// `gitcap serve` against the same captions in-process: 1, 2, 4 and 8 concurrent clients (a
// bounded loop of fetch calls on loopback), captions/s, p50/p99 latency, errors and RSS; then more
// clients than --max-queue (only 429s expected); a server process alone: its idle and peak RSS, and
// its RSS drift over many requests.
//   node --import tsx bench/serve.ts [--type q8_0] [--requests 16] [--drift 2000]
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { GitModel, serve } from '../lib/index.js';
import { isQuantType, type QuantType } from '../weights-convert/quant-types.js';
import { fixtureGguf } from '../test/model/goldens.js';
import { describeMachine } from './machine.js';
import { ensureGguf } from './models.js';
import { startServeProcess } from './serve-process.js';

const { values } = parseArgs({
  options: {
    type: { type: 'string', default: 'q8_0' },
    requests: { type: 'string', default: '16' },
    concurrency: { type: 'string', default: '1,2,4,8' },
    tokens: { type: 'string', default: '20' },
    drift: { type: 'string', default: '2000' },
    threads: { type: 'string' },
    'model-dir': { type: 'string', default: '/tmp/git-base-vatex-random' },
    cache: { type: 'string', default: '/tmp/gitcap-bench' },
  },
});
if (!isQuantType(values.type)) throw new Error(`--type: not a weight type: ${values.type}`);
const type: QuantType = values.type;
const requests = Number(values.requests);
const levels = values.concurrency.split(',').map(Number);
const tokens = Number(values.tokens);
const driftRequests = Number(values.drift);

const FIXTURES = new URL('../test/fixtures/', import.meta.url).pathname;
const framePaths = [0, 1, 2, 3, 4, 5].map((i) => join(FIXTURES, 'inputs', `clip_frame${i}_idx${['000', '019', '039', '059', '079', '099'][i]}.png`));
const frameBytes = await Promise.all(framePaths.map((p) => readFile(p)));
const options = { maxNewTokens: tokens, minNewTokens: tokens };

interface Row {
  mode: string;
  clients: number;
  captionsPerS: number;
  p50Ms: number;
  p99Ms: number;
  errors: Record<string, number>;
  rssMiB: number;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
const rssMiB = () => process.memoryUsage().rss / 2 ** 20;

/** `total` calls of `one()` by `clients` loops at once; failures counted by their label. */
async function load(mode: string, clients: number, total: number, one: () => Promise<string | undefined>): Promise<Row> {
  const latencies: number[] = [];
  const errors: Record<string, number> = {};
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < total) {
        next++;
        const t = performance.now();
        const failure = await one().catch((err: Error) => err.message);
        if (failure === undefined) latencies.push(performance.now() - t);
        else errors[failure] = (errors[failure] ?? 0) + 1;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { mode, clients, captionsPerS: latencies.length / seconds, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99), errors, rssMiB: rssMiB() };
}

function captionRequest(url: string): () => Promise<string | undefined> {
  return async () => {
    const form = new FormData();
    frameBytes.forEach((b, i) => form.append('file', new Blob([b], { type: 'image/png' }), `f${i}.png`));
    form.append('frames', 'true');
    form.append('maxNewTokens', String(tokens));
    form.append('minNewTokens', String(tokens));
    const res = await fetch(`${url}/v1/captions`, { method: 'POST', body: form });
    await res.arrayBuffer();
    return res.status === 200 ? undefined : `HTTP ${res.status}`;
  };
}

function printHeader(): void {
  console.log('| mode | clients | captions/s | p50 ms | p99 ms | errors | RSS MiB |');
  console.log('|---|---:|---:|---:|---:|---|---:|');
}

/** One table row, printed as soon as it is measured. */
function print(rows: Row[]): void {
  for (const r of rows) {
    const errors = Object.entries(r.errors).map(([k, v]) => `${v}x ${k}`).join(', ') || '0';
    console.log(`| ${r.mode} | ${r.clients} | ${r.captionsPerS.toFixed(2)} | ${r.p50Ms.toFixed(0)} | ${r.p99Ms.toFixed(0)} | ${errors} | ${r.rssMiB.toFixed(0)} |`);
  }
}

const machine = describeMachine();
console.log(`CPU: ${machine.cpuModel}, ${machine.logicalCpus} CPUs; load average ${machine.loadAverage1m} when started; node ${machine.node}`);

// 1. the full-size model: server against in-process at each concurrency
const gguf = await ensureGguf(values['model-dir'], values.cache, type, console.log);
const model = await GitModel.load(gguf, { backend: 'cpu', ...(values.threads && { threads: Number(values.threads) }) });
console.log(`model: ${gguf} (${type}, ${model.info.threads} threads); ${requests} captions of 6 frames, ${tokens} tokens each per row`);
const server = await serve({ model, port: 0, quiet: true, maxQueue: 64, limits: { maxNewTokens: tokens } });
const idleRss = rssMiB();
const rows: Row[] = [];
const measure = async (row: Promise<Row>) => {
  rows.push(await row);
  print([rows.at(-1)!]);
};
await model.caption({ frames: framePaths }, options); // warm-up
printHeader();
for (const clients of levels) {
  await measure(load('in-process', clients, requests, async () => void (await model.caption({ frames: framePaths }, options))));
  await measure(load('server', clients, requests, captionRequest(server.url)));
}
await server.close();
// more clients than the queue admits: only 429s expected besides successes
const small = await serve({ model, port: 0, quiet: true, maxQueue: 4, limits: { maxNewTokens: tokens } });
await measure(load('server, --max-queue 4', 8, requests, captionRequest(small.url)));
await small.close();
console.log(`\nserver idle RSS (model loaded, before any request): ${idleRss.toFixed(0)} MiB`);
for (const clients of levels) {
  const a = rows.find((r) => r.mode === 'in-process' && r.clients === clients)!;
  const b = rows.find((r) => r.mode === 'server' && r.clients === clients)!;
  console.log(`${clients} clients: HTTP overhead ${(((a.captionsPerS - b.captionsPerS) / a.captionsPerS) * 100).toFixed(1)}% of in-process captions/s`);
}
await model.dispose();
console.log(`load average at the end: ${(await import("node:os")).loadavg()[0]!.toFixed(2)}`);

// 2. a server process alone with the same model: idle RSS, and peak RSS under the most clients
const served = await startServeProcess(gguf, values.threads ? ['--threads', values.threads] : []);
const idle = await served.memory();
await load('server process', levels.at(-1)!, requests, captionRequest(served.url));
const busy = await served.memory();
await served.stop();
console.log(`server process (${type}): idle RSS ${idle.rssMiB.toFixed(0)} MiB; peak RSS under ${levels.at(-1)} clients ${busy.peakMiB.toFixed(0)} MiB`);

// 3. RSS drift of a server process over many requests on the tiny fixture model (fast, so that
// many fit), sampled every quarter: a leak grows at every sample, a settling heap does not
if (driftRequests > 0) {
  const tiny = await startServeProcess(await fixtureGguf('tiny-vatex'), ['--threads', '1']);
  const one = captionRequest(tiny.url);
  await load('warm-up', 4, 200, one);
  const samples = [(await tiny.memory()).rssMiB];
  const quarter = Math.ceil(driftRequests / 4);
  let errors = 0;
  for (let done = 0; done < driftRequests; done += quarter) {
    const row = await load('server, tiny model', 4, Math.min(quarter, driftRequests - done), one);
    errors += Object.values(row.errors).reduce((a, b) => a + b, 0);
    samples.push((await tiny.memory()).rssMiB);
  }
  await tiny.stop();
  const [first, last] = [samples[0]!, samples.at(-1)!];
  console.log(`server RSS over ${driftRequests} requests (tiny model, after 200 warm-up; ${errors} errors), every ${quarter}: ` +
    `${samples.map((m) => m.toFixed(1)).join(' -> ')} MiB (${(((last - first) / first) * 100).toFixed(2)}%)`);
}
