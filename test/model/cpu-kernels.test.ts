// gitcap's own x86 CPU kernels. The int8 matrix products for q8_0 and q4_0 weights
// (native/src/int8-gemm.cpp, AVX-512 VNNI, and int8-amx.cpp, AMX-INT8): on their own against exact
// integer arithmetic (test/tools/int8-gemm-check.cpp, built here with the system compiler), and in
// the model against ggml's own path (GITCAP_GEMM=ggml|avx512vnni|amx, read when a model is loaded). The attention kernel
// (native/src/attention-kernel.cpp, AVX-512) against attention in double precision
// (test/tools/attention-check.cpp); in the model it runs the f32 goldens (engine-goldens.test.ts,
// with ggml's flash attention in engine-goldens-ggml-attention.test.ts).
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { GitModel } from '../../lib/index.js';
import { expectedKernels } from '../cpu-flags.js';
import { fixtureGguf, goldens, goldenTensor, pixelValues } from './goldens.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CXX = process.env.CXX ?? 'c++';
const hasCompiler = spawnSync(CXX, ['--version']).status === 0;

const kernels = expectedKernels();
/** Whether the CPU has what the int8 kernel needs (undefined where unknown). */
const cpuHasVnni = (): boolean | undefined => kernels?.includes('int8-avx512vnni');
/** Whether the CPU has AMX-INT8 (undefined where unknown). */
const cpuHasAmx = (): boolean | undefined => kernels?.includes('int8-amx');

/** Builds test/tools/<check>.cpp with native/src/<source>.cpp for each source and runs it; returns its output. */
function runCheck(work: string, check: string, ...sources: string[]): string {
  const exe = join(work, check);
  execFileSync(CXX, ['-O2', '-std=c++17', `-I${ROOT}native/src`, join(ROOT, `test/tools/${check}.cpp`),
    ...sources.map((s) => join(ROOT, `native/src/${s}.cpp`)), '-o', exe]);
  return execFileSync(exe, { encoding: 'utf8' });
}

describe('x86 CPU kernels', () => {
  const work = mkdtempSync(join(tmpdir(), 'gitcap-kernels-'));
  after(() => rmSync(work, { recursive: true, force: true }));
  const noCheck = process.arch !== 'x64' || !hasCompiler;

  it('int8 (AVX-512 VNNI and AMX): match exact integer arithmetic on awkward shapes and every thread split', { skip: noCheck }, (t) => {
    const out = runCheck(work, 'int8-gemm-check', 'int8-gemm', 'int8-amx');
    if (cpuHasVnni()) assert.match(out, /^ok: 128 cases, avx512vnni$/m);
    else assert.match(out, /^(ok|skip)/);
    if (cpuHasAmx()) assert.match(out, /^ok: 128 cases, amx$/m);
    else if (cpuHasVnni()) assert.match(out, /^skip: this CPU \(or OS\) has no AMX-INT8$/m);
    const skipped = out.split('\n').find((l) => l.startsWith('skip:'));
    if (skipped) t.diagnostic(skipped);
  });

  it('attention: matches double precision on odd lengths, head sizes, strides and thread splits', { skip: noCheck }, () => {
    const out = runCheck(work, 'attention-check', 'attention-kernel');
    if (kernels?.includes('attention-avx512')) assert.match(out, /^ok: 27 cases/);
    else assert.match(out, /^(ok|skip)/);
  });

  async function firstLogits(threads: number, kernel: 'int8' | 'ggml' | 'avx512vnni' | 'amx', type: 'q8_0' | 'q4_0' = 'q8_0') {
    if (kernel !== 'int8') process.env.GITCAP_GEMM = kernel;
    try {
      const m = await GitModel.load(await fixtureGguf('tiny-vatex', type), { backend: 'cpu', threads });
      try {
        const r = await m.caption({ pixels: pixelValues('vatex_clip_full') }, { returnFirstLogits: true });
        return { kernelName: m.info.matmulKernel, logits: r.firstLogits!, ids: r.tokenIds };
      } finally {
        await m.dispose();
      }
    } finally {
      delete process.env.GITCAP_GEMM;
    }
  }

  it('is chosen by the CPU (AMX, else AVX-512 VNNI) for q8_0 and q4_0 weights; GITCAP_GEMM forces each', async () => {
    const vnni = cpuHasVnni();
    const best = cpuHasAmx() ? 'int8-amx' : vnni ? 'int8-avx512vnni' : 'ggml';
    for (const type of ['q8_0', 'q4_0'] as const) {
      const on = await firstLogits(1, 'int8', type);
      if (vnni !== undefined && process.arch === 'x64') assert.equal(on.kernelName, best);
    }
    assert.equal((await firstLogits(1, 'ggml')).kernelName, 'ggml');
    if (vnni) assert.equal((await firstLogits(1, 'avx512vnni')).kernelName, 'int8-avx512vnni');
    // a kernel the CPU lacks falls back to the best it has
    if (vnni !== undefined && process.arch === 'x64') assert.equal((await firstLogits(1, 'amx')).kernelName, best);
    const f32 = await GitModel.load(await fixtureGguf('tiny-vatex', 'f32'), { backend: 'cpu', threads: 1 });
    assert.equal(f32.info.matmulKernel, 'ggml');
    await f32.dispose();
  });

  /** Largest |logit - golden logit| over the first step of vatex_clip_full. */
  function errorVsGolden(logits: ArrayLike<number>): number {
    const golden = goldenTensor('vatex_clip_full.logits_step0');
    let max = 0;
    for (let i = 0; i < golden.length; i++) max = Math.max(max, Math.abs(logits[i]! - golden[i]!));
    return max;
  }

  // The int8 path and ggml's quantize the activations by the same rule but sum in another
  // order (and apply the GELUs in one pass with the product): an activation on a rounding edge
  // of the quantizer may land one step apart, so the two are compared by their distance to the
  // f32 goldens, not to each other.
  const int8Kernels = (['avx512vnni', 'amx'] as const).filter((k) => (k === 'amx' ? cpuHasAmx() : cpuHasVnni()) !== false);
  for (const [type, slack] of [['q8_0', 0.05], ['q4_0', 0.5]] as const) for (const kernel of int8Kernels) {
    it(`${type}, ${kernel}: the same logits with 1 and 2 threads, and as close to the f32 goldens as ggml's path`, async () => {
      const one = await firstLogits(1, kernel, type);
      assert.deepEqual((await firstLogits(2, kernel, type)).logits, one.logits);
      const ggml = await firstLogits(1, 'ggml', type);
      const ours = errorVsGolden(one.logits);
      const theirs = errorVsGolden(ggml.logits);
      assert.ok(ours <= 1.5 * theirs + slack, `int8 path ${ours}, ggml's ${theirs}`);
      if (type === 'q8_0') {
        assert.deepEqual(one.ids, ggml.ids);
        assert.deepEqual(one.ids, goldens.cases.vatex_clip_full!.new_token_ids);
      }
    });
  }
});
