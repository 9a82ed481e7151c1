// Weight types on the full-size git-base-vatex architecture (random weights): first-step logits
// against the f32 GGUF's, and whether the 20 greedy ids (eos suppressed) are the same, over
// several inputs: the 6 benchmark frames, then each other image of the frames folder as a still
// (`--inputs` of them in all). q8_0 and q4_0 also run on ggml's own path (GITCAP_GEMM=ggml) and,
// on CPUs with AMX, on the AVX-512 VNNI kernel (GITCAP_GEMM=avx512vnni), so that each kernel's
// error is seen beside ggml's. The f32 reference always runs with the f32 model's default
// attention (the f32 AVX-512 kernel where the CPU has it: an f32 model gets the bf16 AMX one only
// when forced); --attention forces one (GITCAP_ATTENTION) for the runs compared with it, so that
// attention kernels are compared against the same reference (`--types f32 --attention amx` gives
// the AMX kernel's own effect on the f32 model).
//   node --import tsx bench/fullsize-quantized.ts [--model-dir /tmp/git-base-vatex-random] [--types f16,q8_0,q4_0]
//     [--inputs 10] [--attention amx|avx512|avx2|ggml|matmul]
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { GitModel, type CaptionInput } from '../lib/index.js';
import type { QuantType } from '../weights-convert/index.js';
import { positiveInt } from './args.js';
import { listFrames } from './frames.js';
import { ensureGguf } from './models.js';

const { values } = parseArgs({
  options: {
    'model-dir': { type: 'string', default: '/tmp/git-base-vatex-random' },
    cache: { type: 'string', default: '/tmp/gitcap-bench' },
    frames: { type: 'string', default: 'test/fixtures/inputs' },
    types: { type: 'string', default: 'f16,q8_0,q4_0' },
    inputs: { type: 'string', default: '10' },
    attention: { type: 'string' },
  },
});
const log = (line: string) => process.stderr.write(`${line}\n`);

/** The benchmark frames, then the folder's other images (not frames) as stills, `count` in all. */
async function benchInputs(numFrames: number, count: number): Promise<CaptionInput[]> {
  const dir = values.frames!;
  const stills = (await readdir(dir)).filter((n) => /\.(png|jpe?g)$/i.test(n) && !n.includes('frame')).sort();
  return [{ frames: await listFrames(dir, numFrames) }, ...stills.map((n) => ({ image: join(dir, n) }))].slice(0, count);
}

interface Run {
  matmulKernel: string;
  results: { logits: Float32Array; ids: number[] }[];
}

async function firstLogits(type: QuantType, gemm: string | undefined, reference = false): Promise<Run> {
  const gguf = await ensureGguf(values['model-dir']!, values.cache!, type, log);
  if (gemm !== undefined) process.env.GITCAP_GEMM = gemm;
  else delete process.env.GITCAP_GEMM;
  if (!reference && values.attention !== undefined) process.env.GITCAP_ATTENTION = values.attention;
  else delete process.env.GITCAP_ATTENTION;
  await using model = await GitModel.load(gguf, { backend: 'cpu' });
  const results = [];
  for (const input of await benchInputs(model.info.vision.numFrames, positiveInt('--inputs', values.inputs!))) {
    const r = await model.caption(input, { returnFirstLogits: true, minNewTokens: 20, maxNewTokens: 20 });
    results.push({ logits: r.firstLogits!, ids: r.tokenIds });
  }
  return { matmulKernel: model.info.matmulKernel, results };
}

const ref = await firstLogits('f32', undefined, true);
const n = ref.results.length;
if (values.attention !== undefined) console.log(`attention: ${values.attention} (GITCAP_ATTENTION; the f32 reference: its default)\n`);
console.log(`${n} inputs (the benchmark frames and ${n - 1} stills); errors against the f32 model's first-step logits:\n`);
console.log('| type | matmul kernel | largest abs error | mean rms error | largest rms error | same 20 ids |');
console.log('| --- | --- | --- | --- | --- | --- |');
for (const type of values.types!.split(',') as QuantType[]) {
  const runs = [await firstLogits(type, undefined)];
  if (runs[0]!.matmulKernel !== 'ggml') runs.push(await firstLogits(type, 'ggml'));
  if (runs[0]!.matmulKernel === 'amx-bf16') runs.push(await firstLogits(type, 'avx512vnni'));
  for (const run of runs) {
    let max = 0;
    let rmsSum = 0;
    let rmsMax = 0;
    let same = 0;
    run.results.forEach((r, k) => {
      const expected = ref.results[k]!;
      let sq = 0;
      for (let i = 0; i < expected.logits.length; i++) {
        const e = Math.abs(r.logits[i]! - expected.logits[i]!);
        max = Math.max(max, e);
        sq += e * e;
      }
      const rms = Math.sqrt(sq / expected.logits.length);
      rmsSum += rms;
      rmsMax = Math.max(rmsMax, rms);
      if (r.ids.length === expected.ids.length && r.ids.every((id, i) => id === expected.ids[i])) same++;
    });
    const e = (x: number) => x.toExponential(2);
    console.log(`| ${type} | ${run.matmulKernel} | ${e(max)} | ${e(rmsSum / n)} | ${e(rmsMax)} | ${same} of ${n} |`);
  }
}
let maxLogit = 0;
for (const r of ref.results) for (const v of r.logits) maxLogit = Math.max(maxLogit, Math.abs(v));
console.log(`\nf32 first-step logits reach ${maxLogit.toFixed(1)} in absolute value.`);
