// gitcap's int8 kernels against each other on this CPU: the model loaded once per kernel
// (GITCAP_GEMM is read at load; GITCAP_ATTENTION follows it: avx2 with the 256-bit kernels, or
// --attention for every kernel, e.g. avx2 to compare kernels as an AVX2-only CPU runs them), then
// captions alternate between the kernels round by round, so that the machine's own load hits them
// all alike. Prints a Markdown table: median and fastest caption per kernel, and its ratio to the
// AVX-512 VNNI kernel's and to ggml's median.
//
//   node --import tsx bench/kernels-run.ts --model <q8_0.gguf> [--kernels avx512vnni,avxvnni,avx2,ggml]
//        [--rounds 5] [--threads 1] [--tokens 20] [--frames test/fixtures/inputs] [--attention avx2]
import { parseArgs } from 'node:util';
import { GitModel } from '../lib/index.js';
import { othersCpus, sampleCpu } from './contention.js';
import { listFrames } from './frames.js';
import { commaList, positiveInt, requiredModel } from './args.js';
import { median } from './stats.js';

async function loadWith(model: string, kernel: string, threads: number, attention: string | undefined): Promise<GitModel> {
  process.env.GITCAP_GEMM = kernel;
  if (attention !== undefined) process.env.GITCAP_ATTENTION = attention;
  else if (kernel === 'avxvnni' || kernel === 'avx2') process.env.GITCAP_ATTENTION = 'avx2';
  try {
    return await GitModel.load(model, { backend: 'cpu', threads });
  } finally {
    delete process.env.GITCAP_GEMM;
    delete process.env.GITCAP_ATTENTION;
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      model: { type: 'string' },
      kernels: { type: 'string', default: 'avx512vnni,avxvnni,avx2,ggml' },
      rounds: { type: 'string', default: '5' },
      threads: { type: 'string', default: '1' },
      tokens: { type: 'string', default: '20' },
      frames: { type: 'string', default: 'test/fixtures/inputs' },
      attention: { type: 'string' },
    },
  });
  const model = requiredModel(values.model);
  const rounds = positiveInt('--rounds', values.rounds);
  const threads = positiveInt('--threads', values.threads);
  const tokens = positiveInt('--tokens', values.tokens);
  const kernels = commaList(values.kernels);

  const models = new Map<string, GitModel>();
  for (const k of kernels) models.set(k, await loadWith(model, k, threads, values.attention));
  const first = models.values().next().value!;
  const frames = await listFrames(values.frames, first.info.vision.numFrames);
  const options = { minNewTokens: tokens, maxNewTokens: tokens };
  const times = new Map<string, number[]>(kernels.map((k) => [k, []]));
  const others: number[] = [];
  try {
    for (const m of models.values()) await m.caption({ frames }, options); // warm-up
    for (let round = 0; round < rounds; round++) {
      const order = kernels.map((_, i) => kernels[(i + round) % kernels.length]!);
      for (const k of order) {
        const before = sampleCpu();
        const t0 = performance.now();
        await models.get(k)!.caption({ frames }, options);
        const ms = performance.now() - t0;
        const o = othersCpus(before, sampleCpu());
        if (o !== null) others.push(o);
        times.get(k)!.push(ms);
        process.stderr.write(`round ${round + 1}/${rounds}, ${models.get(k)!.info.matmulKernel}: ${ms.toFixed(0)} ms\n`);
      }
    }
  } finally {
    for (const m of models.values()) await m.dispose();
  }

  const med = (k: string) => median(times.get(k) ?? []);
  const ratio = (k: string, base: string) => (times.has(base) ? `${(med(k) / med(base)).toFixed(2)}x` : '-');
  const lines = [
    `${first.info.quantization}, ${tokens} new tokens, ${threads} thread(s), ${rounds} rounds; ` +
      `other processes used ${others.length > 0 ? median(others).toFixed(2) : '?'} CPUs (median over the captions)`,
    '',
    '| GITCAP_GEMM | matmulKernel | median ms | fastest ms | vs avx512vnni | vs ggml |',
    '|---|---|---|---|---|---|',
    ...kernels.map((k) => `| ${k} | ${models.get(k)!.info.matmulKernel} | ${med(k).toFixed(0)} | ${Math.min(...times.get(k)!).toFixed(0)} | ` +
      `${ratio(k, 'avx512vnni')} | ${ratio(k, 'ggml')} |`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

await main();
