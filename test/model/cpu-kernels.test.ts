// gitcap's own x86 CPU kernels. The int8 matrix products for q8_0 and q4_0 weights
// (native/src/kernels/int8_gemm.cpp, AVX-512 VNNI; bf16_gemm_amx.cpp, AMX-BF16; int8_gemm_avx2.cpp, AVX-VNNI and
// AVX2): on their own against exact integer arithmetic (test/tools/int8-gemm-check.cpp, built here
// with the system compiler, also for Haswell as the portable build's haswell variant is), and in
// the model against ggml's own path (GITCAP_GEMM=ggml|amx|avx512vnni|avxvnni|avx2, read when a
// model is loaded). The attention kernels
// (native/src/kernels/attention_kernel.cpp, AVX-512; attention_kernel_avx2.cpp; attention_amx.cpp, AMX-BF16)
// against attention in double precision (test/tools/attention-check.cpp); in the model they run the
// f32 goldens (engine-goldens.test.ts, with ggml's flash attention in
// engine-goldens-ggml-attention.test.ts) where the head size is a multiple of 16.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
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
/** Whether the CPU has AMX-BF16 (undefined where unknown). */
const cpuHasAmx = (): boolean | undefined => kernels?.includes('amx-bf16');

/**
 * Builds test/tools/<check>.cpp with native/src/<sources>.cpp (and `flags`) once, then runs it for
 * `kernel`; returns its output.
 */
function runCheck(work: string, check: string, sources: string[], kernel: string, flags: string[] = []): string {
  const exe = join(work, [check, ...flags].join('').replace(/[^\w-]/g, '_'));
  if (!existsSync(exe)) {
    execFileSync(CXX, ['-O2', '-std=c++17', '-DGITCAP_CHECK_AVX2', '-DGITCAP_CHECK_AMX', ...flags, `-I${ROOT}native/src`, join(ROOT, `test/tools/${check}.cpp`),
      ...sources.map((s) => join(ROOT, `native/src/${s}.cpp`)), '-o', exe]);
  }
  return execFileSync(exe, [kernel], { encoding: 'utf8' });
}

const INT8_SOURCES = ['kernels/int8_gemm', 'kernels/bf16_gemm_amx', 'kernels/int8_gemm_avx2'];
const ATTENTION_SOURCES = ['kernels/attention_kernel', 'kernels/attention_kernel_avx2', 'kernels/attention_amx', 'kernels/bf16_gemm_amx', 'kernels/int8_gemm'];

describe('x86 CPU kernels', () => {
  const work = mkdtempSync(join(tmpdir(), 'gitcap-kernels-'));
  after(() => rmSync(work, { recursive: true, force: true }));
  const noCheck = process.arch !== 'x64' || !hasCompiler;

  for (const [kernel, flag] of [['avx512vnni', 'int8-avx512vnni'], ['amx', 'amx-bf16'], ['avxvnni', 'int8-avxvnni'], ['avx2', 'int8-avx2']] as const) {
    const reference = kernel === 'amx' ? 'its bf16 rounding bit for bit and sums in double' : 'exact integer arithmetic';
    it(`${flag}: matches ${reference} on awkward shapes and every thread split`, { skip: noCheck }, (t) => {
      const out = runCheck(work, 'int8-gemm-check', INT8_SOURCES, kernel);
      if (kernels?.includes(flag)) assert.match(out, new RegExp(`^ok: 128 cases \\(${kernel}\\)`));
      else assert.match(out, /^(ok|skip)/);
      if (out.startsWith('skip')) t.diagnostic(out.trim());
    });
  }

  it('int8 avx2 and avxvnni: also built for Haswell, as the portable build compiles its haswell variant', { skip: noCheck }, () => {
    for (const [kernel, flag] of [['avx2', 'int8-avx2'], ['avxvnni', 'int8-avxvnni']] as const) {
      const out = runCheck(work, 'int8-gemm-check', INT8_SOURCES, kernel, ['-march=haswell']);
      if (kernels?.includes(flag)) assert.match(out, /^ok: 128 cases/);
      else assert.match(out, /^(ok|skip)/);
    }
  });

  // amx rounds q, k, v and the weights to bf16: it is held to the bound of attention_amx.h
  // (about max|v| (3 * 2^-9 + 2^-12 + 2^-7 * max_j sum_d |q_d k_jd| * scale)) and to a root-mean-square
  // error within 2^-8 of the results'; the f32 kernels to 2e-6 of the results' size.
  for (const [kernel, flag] of [['avx512', 'attention-avx512'], ['avx2', 'attention-avx2'], ['amx', 'attention-amx']] as const) {
    it(`attention ${kernel}: matches double precision on odd lengths, head sizes, strides and thread splits`, { skip: noCheck }, (t) => {
      const out = runCheck(work, 'attention-check', ATTENTION_SOURCES, kernel);
      if (kernels?.includes(flag)) assert.match(out, new RegExp(`^ok: 44 cases \\(${kernel}\\)`));
      else assert.match(out, /^(ok|skip)/);
      if (out.startsWith('skip') || kernel === 'amx') t.diagnostic(out.trim().replace(/\n/g, '; '));
    });
  }

  // The decode steps' products over the cached image keys and values (image_attention.cpp), whose
  // 64-wide heads the tiny fixtures never reach: against sums in double, within 1e-6 of the sum of
  // the terms' magnitudes (f32 sums).
  it('image attention products: match double precision on odd key counts, head sizes, strides and thread splits', { skip: noCheck }, (t) => {
    const out = runCheck(work, 'image-attention-check', ['kernels/image_attention'], '');
    if (kernels?.includes('attention-avx512')) assert.match(out, /^ok: 42 cases/);
    else assert.match(out, /^(ok|skip)/);
    if (out.startsWith('skip')) t.diagnostic(out.trim());
  });

  /** kernel: 'int8' lets gitcap choose; others are forced with GITCAP_GEMM (and `attention` with GITCAP_ATTENTION). */
  async function firstLogits(threads: number, kernel: 'int8' | 'ggml' | 'avx512vnni' | 'amx' | 'avx2' | 'avxvnni', type: 'q8_0' | 'q4_0' = 'q8_0', attention?: 'avx2' | 'avx512') {
    if (kernel !== 'int8') process.env.GITCAP_GEMM = kernel;
    if (attention) process.env.GITCAP_ATTENTION = attention;
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
      delete process.env.GITCAP_ATTENTION;
    }
  }

  it('is chosen by the CPU (AMX, else AVX-512 VNNI) for q8_0 and q4_0 weights; GITCAP_GEMM forces one', async () => {
    const vnni = cpuHasVnni();
    const best = cpuHasAmx() ? 'amx-bf16' : vnni ? 'int8-avx512vnni' : 'ggml';
    for (const type of ['q8_0', 'q4_0'] as const) {
      const on = await firstLogits(1, 'int8', type);
      if (vnni !== undefined && process.arch === 'x64') assert.equal(on.kernelName, best);
    }
    assert.equal((await firstLogits(1, 'ggml')).kernelName, 'ggml');
    if (vnni) assert.equal((await firstLogits(1, 'avx512vnni')).kernelName, 'int8-avx512vnni');
    if (cpuHasAmx()) assert.equal((await firstLogits(1, 'amx')).kernelName, 'amx-bf16');
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

  // The 256-bit kernels do the same integer sums and the same f32 operations lane by lane as the
  // AVX-512 ones (only exp's clamp below e^-87 differs), so the logits agree to float rounding
  // with the AVX-512 VNNI and attention kernels' (not AMX's, whose tiles multiply in bf16).
  for (const [kernel, flag] of [['avx2', 'int8-avx2'], ['avxvnni', 'int8-avxvnni']] as const) {
    it(`GITCAP_GEMM=${kernel} (with GITCAP_ATTENTION=avx2): the logits of the AVX-512 kernels, q8_0 and q4_0`, { skip: !kernels?.includes(flag) }, async () => {
      for (const type of ['q8_0', 'q4_0'] as const) {
        const best = await firstLogits(1, cpuHasVnni() ? 'avx512vnni' : 'int8', type, kernels?.includes('attention-avx512') ? 'avx512' : undefined);
        const forced = await firstLogits(2, kernel, type, 'avx2');
        assert.equal(forced.kernelName, flag);
        let worst = 0;
        for (let i = 0; i < best.logits.length; i++) worst = Math.max(worst, Math.abs(forced.logits[i]! - best.logits[i]!));
        assert.ok(worst <= 1e-3, `${type}: largest difference ${worst}`);
        assert.deepEqual(forced.ids, best.ids);
      }
    });
  }

  // The fixtures' heads (8 wide) are not a multiple of 16, so their attention stays on ggml's
  // path whatever is forced: this checks the choice, the kernel is checked above.
  it('GITCAP_ATTENTION=amx loads where the CPU has AMX-BF16, else a clear E_INVALID_ARG', { skip: !kernels }, async () => {
    process.env.GITCAP_ATTENTION = 'amx';
    try {
      const load = GitModel.load(await fixtureGguf('tiny-vatex', 'q8_0'), { backend: 'cpu', threads: 1 });
      if (kernels?.includes('attention-amx')) {
        const m = await load;
        const r = await m.caption({ pixels: pixelValues('vatex_clip_full') });
        assert.deepEqual(r.tokenIds, goldens.cases.vatex_clip_full!.new_token_ids);
        await m.dispose();
      } else {
        await assert.rejects(load, (e: Error & { code?: string }) => e.code === 'E_INVALID_ARG' && e.message.includes('GITCAP_ATTENTION=amx'));
      }
    } finally {
      delete process.env.GITCAP_ATTENTION;
    }
  });

  it('an unknown GITCAP_GEMM or GITCAP_ATTENTION is a clear E_INVALID_ARG when the model loads', async () => {
    for (const [name, value] of [['GITCAP_GEMM', 'avx9'], ['GITCAP_ATTENTION', 'fast']] as const) {
      process.env[name] = value;
      try {
        await assert.rejects(
          (async () => {
            const m = await GitModel.load(await fixtureGguf('tiny-vatex', 'q8_0'), { backend: 'cpu', threads: 1 });
            await m.dispose();
          })(),
          (e: Error & { code?: string }) => e.code === 'E_INVALID_ARG' && e.message.includes(`${name}=${value}`),
        );
      } finally {
        delete process.env[name];
      }
    }
  });
});
