// The full-size git-base-vatex architecture (random weights) against the PyTorch reference:
// f32 logits of all 20 greedy steps (eos suppressed) and the ids.
//   /usr/bin/python3 bench/fullsize_reference.py /tmp/git-base-vatex-random test/fixtures/inputs /tmp/fullsize-ref
//   node --import tsx bench/fullsize-parity.ts [/tmp/git-base-vatex-random] [/tmp/fullsize-ref] [--threads n]
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { GitModel } from '../lib/index.js';
import { convertCheckpoint } from '../weights-convert/index.js';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { threads: { type: 'string' } } });
const [checkpoint = '/tmp/git-base-vatex-random', refDir = '/tmp/fullsize-ref'] = positionals;
const gguf = '/tmp/gitcap-bench/git-base-vatex-random-f32.gguf';
mkdirSync('/tmp/gitcap-bench', { recursive: true });
await convertCheckpoint(checkpoint, gguf, { type: 'f32' }).catch(() => convertCheckpoint(checkpoint, gguf, { type: 'f32' }));

const floats = (file: string) => {
  const b = readFileSync(join(refDir, file));
  return new Float32Array(b.buffer, b.byteOffset, b.length / 4);
};
const ref = JSON.parse(readFileSync(join(refDir, 'ids.json'), 'utf8')) as { ids: number[]; margins: number[] };
const refLogits = floats('logits.f32');
const pixels = { data: floats('pixels.f32').slice(), dims: [6, 3, 224, 224], isVideo: true };

await using model = await GitModel.load(gguf, { backend: 'cpu', ...(values.threads && { threads: Number(values.threads) }) });
const r = await model.caption({ pixels }, { maxNewTokens: 20, minNewTokens: 20 });
const s = await model.score({ pixels }, ref.ids, { returnLogits: true });
const vocab = model.info.text.vocabSize;
let worst = 0;
for (let step = 0; step < 20; step++) {
  let maxDiff = 0;
  let maxRef = 0;
  for (let i = 0; i < vocab; i++) {
    if (i === model.info.special.eos) continue; // the reference stores it as -inf (suppressed)
    const a = s.logits![step * vocab + i]!;
    const b = refLogits[step * vocab + i]!;
    maxDiff = Math.max(maxDiff, Math.abs(a - b));
    maxRef = Math.max(maxRef, Math.abs(b));
  }
  worst = Math.max(worst, maxDiff / maxRef);
}
const same = r.tokenIds.every((id, i) => id === ref.ids[i]);
console.log(`ids ${same ? 'equal' : 'DIFFER'} (${r.tokenIds.length} tokens); smallest reference margin ${Math.min(...ref.margins).toFixed(4)}`);
console.log(`logits of all 20 steps: worst relative error ${worst.toExponential(2)} (tolerance 1e-4)`);
console.log(`timings: ${JSON.stringify(r.timings)}`);
process.exitCode = same && worst < 1e-4 ? 0 : 1;
