// Weight types on the full-size git-base-vatex architecture (random weights): first-step logits
// of the 6 benchmark frames against the f32 GGUF's, and whether the 20 greedy ids (eos
// suppressed) are the same. q8_0 runs twice on CPUs that have the int8 kernel: on it and on
// ggml's own q8_0 path (GITCAP_GEMM=ggml), which should be alike. The f32 reference always runs
// with the f32 model's default attention (the f32 AVX-512 kernel where the CPU has it: an f32
// model gets the bf16 AMX one only when forced); --attention forces one (GITCAP_ATTENTION) for
// the runs compared with it, so that attention kernels are compared against the same reference
// (`--types f32 --attention amx` gives the AMX kernel's own effect on the f32 model).
//   node --import tsx bench/fullsize-quantized.ts [--model-dir /tmp/git-base-vatex-random] [--types f16,q8_0,q4_0] [--attention amx|avx512|avx2|ggml|matmul]
import { parseArgs } from 'node:util';
import { GitModel } from '../lib/index.js';
import type { QuantType } from '../weights-convert/index.js';
import { listFrames } from './frames.js';
import { ensureGguf } from './models.js';

const { values } = parseArgs({
  options: {
    'model-dir': { type: 'string', default: '/tmp/git-base-vatex-random' },
    cache: { type: 'string', default: '/tmp/gitcap-bench' },
    frames: { type: 'string', default: 'test/fixtures/inputs' },
    types: { type: 'string', default: 'f16,q8_0,q4_0' },
    attention: { type: 'string' },
  },
});
const log = (line: string) => process.stderr.write(`${line}\n`);

async function firstLogits(type: QuantType, kernel: 'default' | 'ggml', reference = false) {
  const gguf = await ensureGguf(values['model-dir']!, values.cache!, type, log);
  if (kernel === 'ggml') process.env.GITCAP_GEMM = 'ggml';
  else delete process.env.GITCAP_GEMM;
  if (!reference && values.attention !== undefined) process.env.GITCAP_ATTENTION = values.attention;
  else delete process.env.GITCAP_ATTENTION;
  await using model = await GitModel.load(gguf, { backend: 'cpu' });
  const frames = await listFrames(values.frames!, model.info.vision.numFrames);
  const r = await model.caption({ frames }, { returnFirstLogits: true, minNewTokens: 20, maxNewTokens: 20 });
  return { logits: r.firstLogits!, ids: r.tokenIds, matmulKernel: model.info.matmulKernel };
}

const ref = await firstLogits('f32', 'default', true);
if (values.attention !== undefined) console.log(`attention: ${values.attention} (GITCAP_ATTENTION; the f32 reference: its default)\n`);
console.log('| type | matmul kernel | max abs logit error | rms logit error | same 20 ids |');
console.log('| --- | --- | --- | --- | --- |');
for (const type of values.types!.split(',') as QuantType[]) {
  const runs = [await firstLogits(type, 'default')];
  if (runs[0]!.matmulKernel !== 'ggml') runs.push(await firstLogits(type, 'ggml'));
  for (const r of runs) {
    let max = 0;
    let sq = 0;
    for (let i = 0; i < ref.logits.length; i++) {
      const e = Math.abs(r.logits[i]! - ref.logits[i]!);
      max = Math.max(max, e);
      sq += e * e;
    }
    const same = r.ids.length === ref.ids.length && r.ids.every((id, i) => id === ref.ids[i]);
    console.log(`| ${type} | ${r.matmulKernel} | ${max.toExponential(2)} | ${Math.sqrt(sq / ref.logits.length).toExponential(2)} | ${same ? 'yes' : 'no'} |`);
  }
}
let maxLogit = 0;
for (const v of ref.logits) maxLogit = Math.max(maxLogit, Math.abs(v));
console.log(`\nf32 first-step logits reach ${maxLogit.toFixed(1)} in absolute value.`);
