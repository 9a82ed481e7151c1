// One benchmark configuration in a fresh process, so that its peak RSS is its own: load a GGUF,
// caption the frames once to warm up, then `runs` timed captions; prints one JSON line
// (OneRunResult) on stdout.
//
//   node build/bench-js/bench/one-run.js --model <file.gguf> --threads 2 --runs 3 --frames test/fixtures/inputs [--tokens 20]

import { parseArgs } from 'node:util';
import { GitcapError, GitModel } from '../lib/index.js';
import { othersCpus, sampleCpu } from './contention.js';
import { listFrames } from './frames.js';
import { positiveInt } from './args.js';
import type { OneRunResult, StageTimes } from './run-result.js';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      model: { type: 'string' },
      threads: { type: 'string' },
      runs: { type: 'string' },
      frames: { type: 'string' },
      tokens: { type: 'string', default: '20' },
    },
  });
  if (values.model === undefined || values.frames === undefined) throw new GitcapError('E_INVALID_ARG', '--model and --frames are required');
  const threads = positiveInt('--threads', values.threads ?? '1');
  const runs = positiveInt('--runs', values.runs ?? '3');
  const tokens = positiveInt('--tokens', values.tokens);

  const baselineRssBytes = process.memoryUsage.rss();
  const t0 = performance.now();
  const model = await GitModel.load(values.model, { backend: 'cpu', threads });
  const loadMs = performance.now() - t0;
  try {
    const frames = await listFrames(values.frames, model.info.vision.numFrames);
    const options = { minNewTokens: tokens, maxNewTokens: tokens };
    const warmup = await model.caption({ frames }, options);
    const timed: StageTimes[] = [];
    const cpuBefore = sampleCpu();
    for (let i = 0; i < runs; i++) {
      const r = await model.caption({ frames }, options);
      if (r.tokenIds.length !== tokens) throw new GitcapError('E_INPUT', `expected ${tokens} new tokens, the caption has ${r.tokenIds.length}`);
      const t = r.timings;
      timed.push({
        readMs: t.readMs,
        preprocessMs: t.preprocessMs,
        visionMs: t.visionMs,
        prefixMs: t.prefixMs,
        decodeMs: t.decodeMs,
        perTokenMs: t.decodeMs / r.tokenIds.length,
        tokensPerSecond: t.tokensPerSecond,
        totalMs: t.totalMs,
      });
    }
    const others = othersCpus(cpuBefore, sampleCpu());
    const result: OneRunResult = {
      model: values.model,
      quantization: model.info.quantization,
      backend: model.info.backend,
      matmulKernel: model.info.matmulKernel,
      threads: model.info.threads,
      fileBytes: model.info.memory.fileBytes,
      loadMs,
      baselineRssBytes,
      peakRssBytes: process.resourceUsage().maxRSS * 1024,
      warmupMs: warmup.timings.totalMs,
      othersCpus: others,
      runs: timed,
      newTokens: tokens,
      tokenIds: warmup.tokenIds,
      text: warmup.text,
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await model.dispose();
  }
}

await main();
