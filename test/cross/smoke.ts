// The smoke test of a prebuilt binary on a platform this machine emulates: run by that platform's
// Node (an arm64 Node under qemu-user, a Windows Node under wine) from compiled JavaScript
// (test/cross/tsconfig.json), by test/cross/run-qemu.sh and run-wine.sh:
//   node build/cross-js/test/cross/smoke.js --platform linux-arm64 --out result.json
//        [--types f32,q8_0,q4_0] [--video] [--variant armv8.2_2] [--kernel ggml-repack]
// Checks that the loader took prebuilds/<platform>/ and names ggml's CPU variant; that the fixture
// frames and PNG images caption to the golden ids (f32, from the files: decoding and preprocessing
// included); with --video, that clip.mp4 read through ffmpeg does too; and that each weight type's
// first-step logits and greedy ids on the 13 golden cases stay within test/model/accuracy-bounds.ts.
// The GGUFs come from GITCAP_FIXTURE_GGUF_DIR (test/cross/prepare-ggufs.ts: converting under an
// emulator is slow). Writes every measurement to --out (wine loses output written to pipes) and
// exits 1 when a check fails.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { measureAccuracy, type TypeAccuracy } from '../../bench/accuracy.js';
import { GitModel, info, type QuantType } from '../../lib/index.js';
import { ACCURACY_BOUNDS } from '../model/accuracy-bounds.js';
import { FIXTURES, fixtureGguf, goldens } from '../model/goldens.js';

interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

const { values } = parseArgs({
  options: {
    platform: { type: 'string' },
    out: { type: 'string' },
    types: { type: 'string', default: 'f32,q8_0,q4_0' },
    video: { type: 'boolean', default: false },
    variant: { type: 'string' },
    kernel: { type: 'string' },
  },
});
if (!values.platform || !values.out) throw new Error('usage: smoke.js --platform <platform-arch> --out <file.json> [...]');

const checks: Check[] = [];
const check = (name: string, ok: boolean, detail: string): void => {
  checks.push({ name, ok, detail });
};
const started = Date.now();
const result: Record<string, unknown> = { platform: values.platform, checks };

try {
  const i = info();
  result.info = i;
  check('loads the prebuild', i.prebuild === values.platform && i.portable, `${i.addonPath} (prebuild ${i.prebuild})`);
  check('names its CPU variant', i.cpu.variant !== null && (!values.variant || i.cpu.variant === values.variant),
    `variant ${i.cpu.variant}${values.variant ? `, expected ${values.variant}` : ''}; features ${i.cpu.features.join(' ')}`);

  const vatex = await GitModel.load(await fixtureGguf('tiny-vatex', 'f32'), { backend: 'cpu', threads: 1 });
  const image = await GitModel.load(await fixtureGguf('tiny-image', 'f32'), { backend: 'cpu', threads: 1 });
  try {
    result.matmulKernel = { f32: vatex.info.matmulKernel };
    const golden = goldens.cases.vatex_clip_full!;
    const frames = golden.inputs.map((f) => join(FIXTURES, f));
    const r = await vatex.caption({ frames });
    check('captions the fixture frames (f32)', same(r.tokenIds, golden.new_token_ids), `ids ${r.tokenIds.join(',')}`);
    for (const [name, c] of Object.entries(goldens.cases)) {
      if (c.model !== 'tiny-image' || !c.inputs[0]!.endsWith('.png')) continue;
      const ri = await image.caption({ image: join(FIXTURES, c.inputs[0]!) }, c.question ? { prompt: c.question } : {});
      check(`captions ${c.inputs[0]} (f32)`, same(ri.tokenIds, c.new_token_ids), `ids ${ri.tokenIds.join(',')}`);
    }
    if (values.video) {
      const rv = await vatex.caption({ video: join(FIXTURES, 'inputs/clip.mp4') });
      check('captions clip.mp4 through ffmpeg (f32)', same(rv.tokenIds, golden.new_token_ids), `ids ${rv.tokenIds.join(',')}`);
    }
  } finally {
    await vatex.dispose();
    await image.dispose();
  }

  const accuracy: TypeAccuracy[] = [];
  result.accuracy = accuracy;
  for (const type of values.types!.split(',')) {
    const bound = ACCURACY_BOUNDS.find((b) => b.type === type);
    if (!bound) throw new Error(`no accuracy bound for ${type}`);
    if (type !== 'f32') {
      const m = await GitModel.load(await fixtureGguf('tiny-vatex', type as QuantType), { backend: 'cpu', threads: 1 });
      (result.matmulKernel as Record<string, string>)[type] = m.info.matmulKernel;
      await m.dispose();
      if (values.kernel) check(`${type} runs on ${values.kernel}`, m.info.matmulKernel === values.kernel, `matmul ${m.info.matmulKernel}`);
    }
    const a = await measureAccuracy(type as QuantType);
    accuracy.push(a);
    check(`${type} within its bounds (max |logit error| < ${bound.maxAbs}, >= ${bound.minExact}/13 exact)`,
      !a.nonFinite && a.maxAbsLogitError < bound.maxAbs && a.casesExact >= bound.minExact,
      `max ${a.maxAbsLogitError.toExponential(2)}, mean ${a.meanAbsLogitError.toExponential(2)}, ${a.casesExact}/${a.cases} exact, ` +
        `${(100 * a.meanAgreement).toFixed(1)}% ids until the first difference, non-finite: ${a.nonFinite}`);
  }
} catch (err) {
  check('runs without an error', false, err instanceof Error ? (err.stack ?? err.message) : String(err));
}

result.seconds = (Date.now() - started) / 1000;
result.passed = checks.every((c) => c.ok);
writeFileSync(values.out, `${JSON.stringify(result, null, 2)}\n`);
process.exitCode = result.passed ? 0 : 1;

function same(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
