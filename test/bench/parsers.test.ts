// The benchmark's parsing and arithmetic (no timing): peer output, /proc files, options, medians, targets.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { othersCpus, parseProcStatBusy, parseShellTimes } from '../../bench/contention.js';
import { parseCpuinfo } from '../../bench/machine.js';
import { parseBenchOptions } from '../../bench/options.js';
import { parsePeerOutput, type PeerResult } from '../../bench/peer.js';
import { formatKernels } from '../../bench/report.js';
import { formatOrtRatios, summarizeOrt, type OrtRun } from '../../bench/ort-peer.js';
import { mergeRuns, peerRatios, summarize, type ConfigResult } from '../../bench/results.js';
import type { OneRunResult, StageTimes } from '../../bench/run-result.js';
import { median } from '../../bench/stats.js';
import { checkTargets } from '../../bench/targets.js';

const PEER_OUTPUT = `torch 2.6.0+debian, threads 2, numpy 1.26.4
torch build: BLAS_INFO=open (Debian torch uses the system libblas.so.3; ...)
built random weights: 176,619,066 parameters in 2.1s
c_preprocess_6_frames: median 0.070s runs [0.07]
d_vision_6_frames: median 6.900s runs [6.9]
b_efficient_generate_20: median 12.500s runs [12.5]
a_hf_style_generate_20: median 182.912s  runs [182.912]
b_efficient_generate_20: median 12.010s  runs [12.01, 12.2, 11.9]
c_preprocess_6_frames: median 0.061s  runs [0.061]
d_vision_6_frames: median 6.512s  runs [6.512]
generated ids (eos suppressed): [101, 2054]
peak RSS: 1441 MiB
`;

function stage(totalMs: number, extra: Partial<StageTimes> = {}): StageTimes {
  return { readMs: 1, preprocessMs: 49, visionMs: 1000, prefixMs: 500, decodeMs: 200, perTokenMs: 10, tokensPerSecond: 100, totalMs, ...extra };
}

function config(type: ConfigResult['type'], threads: number, totals: number[], peakRssBytes: number): ConfigResult {
  const run: OneRunResult = {
    model: `/tmp/m-${type}.gguf`, quantization: type, backend: 'CPU', matmulKernel: type === 'q8_0' ? 'int8-avx512vnni' : 'ggml', threads, fileBytes: 1, loadMs: 120,
    baselineRssBytes: 80e6, peakRssBytes, warmupMs: 3000, othersCpus: 0, runs: totals.map((t) => stage(t)), newTokens: 20, tokenIds: [2054, 102], text: 'a',
  };
  return summarize(type, run);
}

describe('bench parsers', () => {
  it('reads the peer summary, the last line of each stage winning', () => {
    assert.deepEqual(parsePeerOutput(PEER_OUTPUT), {
      torch: '2.6.0+debian', threads: 2, hfStyleS: 182.912, encodeOnceS: 12.01, preprocessS: 0.061, visionS: 6.512, peakRssMiB: 1441,
      ids: [101, 2054],
    });
  });

  it('leaves the parts the peer skipped as null', () => {
    const r = parsePeerOutput('b_efficient_generate_20: median 11.000s  runs [11]\n');
    assert.equal(r.encodeOnceS, 11);
    assert.equal(r.hfStyleS, null);
    assert.equal(r.peakRssMiB, null);
    assert.equal(r.ids, null);
  });

  it('reads the CPU model, physical cores and ISA flags of /proc/cpuinfo', () => {
    const block = (core: number) => `processor\t: ${core}\nmodel name\t: AMD EPYC 7B13\nphysical id\t: 0\ncore id\t\t: ${core >> 1}\n` +
      'flags\t\t: fpu sse4_2 avx f16c fma avx2 avx512f bmi2\n';
    assert.deepEqual(parseCpuinfo([0, 1, 2, 3].map(block).join('\n')), {
      model: 'AMD EPYC 7B13', physicalCores: 2, isa: ['sse4_2', 'avx', 'avx2', 'fma', 'f16c', 'avx512f'],
    });
    assert.deepEqual(parseCpuinfo(''), { model: null, physicalCores: null, isa: [] });
  });

  it('counts busy time in /proc/stat without idle and iowait', () => {
    assert.equal(parseProcStatBusy('cpu  100 20 30 5000 400 6 4 40 0 0\ncpu0 1 2 3 4\n'), 2);
    assert.equal(parseProcStatBusy('intr 1 2 3\n'), null);
    const from = { wallMs: 0, busyS: 10, ownS: 1 };
    assert.equal(othersCpus(from, { wallMs: 2000, busyS: 14, ownS: 4 }), 0.5);
    assert.equal(othersCpus(from, { wallMs: 2000, busyS: null, ownS: 4 }), null);
    assert.equal(othersCpus(from, { wallMs: 2000, busyS: 14, ownS: 1 }, 2), 1);
  });

  it("reads the children's CPU time from the shell's times", () => {
    assert.equal(parseShellTimes('0m0.001s 0m0.002s\n1m2.500000s 0m0.250000s\n'), 62.75);
    assert.equal(parseShellTimes('0m0.001s 0m0.002s\n'), null);
  });

  it('takes medians of odd and even counts', () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.ok(Number.isNaN(median([])));
  });
});

describe('bench options', () => {
  it('has the documented defaults', () => {
    const o = parseBenchOptions([]);
    assert.deepEqual(o.types, ['f32', 'f16', 'q8_0', 'q4_0', 'q4_K']);
    assert.equal(o.runs, 3);
    assert.equal(o.tokens, 20);
    assert.equal(o.modelDir, '/tmp/git-base-vatex-random');
    assert.equal(o.cacheDir, '/tmp/gitcap-bench');
    assert.equal(o.peer, undefined);
    assert.equal(o.rounds, 1);
  });

  it('takes the ONNX Runtime peer and rounds', () => {
    const o = parseBenchOptions(['--peer', 'ort', '--rounds', '3']);
    assert.deepEqual([o.peer, o.rounds], ['ort', 3]);
    assert.throws(() => parseBenchOptions(['--rounds', '0']), { message: '--rounds must be a positive integer, got "0"' });
  });

  it('parses lists', () => {
    const o = parseBenchOptions(['--types', 'q8_0,q4_K', '--threads', '1,2', '--runs', '1', '--peer', 'python3 peer.py']);
    assert.deepEqual([o.types, o.threads, o.runs, o.peer], [['q8_0', 'q4_K'], [1, 2], 1, 'python3 peer.py']);
  });

  it('rejects bad values with exact messages', () => {
    assert.throws(() => parseBenchOptions(['--types', 'q3_K']), { code: 'E_INVALID_ARG', message: '--types: unknown weight type "q3_K"' });
    assert.throws(() => parseBenchOptions(['--threads', '0']), { message: '--threads must be a positive integer, got "0"' });
    assert.throws(() => parseBenchOptions(['--runs', '1.5']), { message: '--runs must be a positive integer, got "1.5"' });
    assert.throws(() => parseBenchOptions(['--peer', ' ']), { message: '--peer needs a command' });
    assert.throws(() => parseBenchOptions(['--types', ',']), { message: '--types and --threads need at least one value' });
    assert.throws(() => parseBenchOptions(['--bogus']), { code: 'E_INVALID_ARG', message: /^Unknown option '--bogus'/ });
  });
});

describe('bench results', () => {
  const peer: PeerResult = {
    command: 'peer', torch: '2', threads: 2, hfStyleS: 180, encodeOnceS: 12, preprocessS: 0.05, visionS: 6, peakRssMiB: 1440,
    ids: [101, 2054, 102], wallS: 200, othersCpus: 0,
  };

  it('reports each stage median and peer ratios from it', () => {
    const c = config('q8_0', 2, [2400, 2000, 9000], 288 * 2 ** 20);
    assert.equal(c.median.totalMs, 2400);
    assert.deepEqual(peerRatios(c, peer), {
      type: 'q8_0', threads: 2, hfStyle: 75, encodeOnce: 5, vision: 6, preprocess: 1, peakRss: 5, sameTokens: true,
    });
    assert.equal(peerRatios(c, { ...peer, ids: [101, 2054, 2054] }).sameTokens, false);
    assert.equal(peerRatios(c, { ...peer, ids: null }).sameTokens, null);
  });

  it('merges the rounds of one configuration: every run, the highest peak, the mean load of others', () => {
    const a = config('q8_0', 2, [1000, 1100], 300e6), b = config('q8_0', 2, [900], 310e6);
    const merged = summarize('q8_0', mergeRuns([{ ...a, othersCpus: 0.2 }, { ...b, othersCpus: 0.4 }]));
    assert.equal(merged.runs.length, 3);
    assert.equal(merged.median.totalMs, 1000);
    assert.equal(merged.peakRssBytes, 310e6);
    assert.ok(Math.abs(merged.othersCpus! - 0.3) < 1e-12);
  });

  it('summarizes the ONNX Runtime peer over its processes and gives gitcap / ORT ratios', () => {
    const run = (totalMs: number, peakRssMiB: number): OrtRun => ({
      engine: 'onnxruntime-node 1.30.0', graphs: '_int8', threads: 2, loadMs: 900, othersCpus: null, peakRssMiB, ids: [101, 2054, 102],
      runs: [{ visionMs: 2000, prefixMs: 1000, decodeMs: 400, perTokenMs: 20, totalMs }],
    });
    const ort = summarizeOrt([run(3400, 1000), run(3600, 1100)]);
    assert.deepEqual([ort.totalMs, ort.peakRssMiB, ort.processes, ort.othersCpus], [3500, 1100, 2, null]);
    const table = formatOrtRatios([config('q8_0', 2, [1000], 110 * 2 ** 20)], [ort]);
    // gitcap: vision 1000, prefix 500, decode 200 of 1700 ms; RSS 110 of 1100 MiB; the same tokens
    assert.match(table, /q8_0 +2 +0\.50x +0\.50x +0\.50x +0\.49x +0\.10x +yes/);
  });

  it('names the matmul kernel of each weight type once', () => {
    const configs = [config('f32', 1, [5000], 1), config('f32', 2, [3000], 1), config('q8_0', 2, [1000], 1)];
    assert.equal(formatKernels(configs), 'matmul kernels: f32 ggml, q8_0 int8-avx512vnni');
  });

  it('checks the targets at the largest thread count only', () => {
    const checks = checkTargets([config('q8_0', 1, [9000], 1e8), config('q8_0', 2, [2400], 301e6), config('f32', 2, [5200], 1e9)], peer);
    const byName = Object.fromEntries(checks.map((t) => [`${t.type} ${t.name}`, t]));
    assert.ok(checks.every((t) => t.threads === 2));
    assert.equal(byName['q8_0 end-to-end caption']!.met, true);
    assert.equal(byName['q8_0 faster than the HF-style peer']!.measured, 75);
    assert.equal(byName['q8_0 peak RSS']!.met, false);
    assert.equal(byName['f32 end-to-end caption']!.met, false);
    assert.equal(byName['q4_0 peak RSS'], undefined);
    assert.ok(checks.every((t) => !t.loaded));
    assert.ok(checks.every((t) => t.conclusive));
  });

  it('tells which verdicts hold on a loaded machine', () => {
    const verdicts = (c: ConfigResult, p: PeerResult) =>
      checkTargets([c], p).filter((t) => t.loaded).map((t) => `${t.name}: ${t.met ? 'met' : 'missed'}${t.conclusive ? '' : '?'}`);
    const fast = config('q8_0', 2, [2400], 1e8);
    assert.deepEqual(verdicts(fast, { ...peer, othersCpus: 1 }), ['faster than the HF-style peer: met?', 'faster than the encode-once peer: met?']);
    assert.deepEqual(verdicts(fast, { ...peer, hfStyleS: 100, othersCpus: 1 }), ['faster than the HF-style peer: missed', 'faster than the encode-once peer: met?']);
    const slowLoaded = { ...config('q8_0', 2, [3000], 1e8), othersCpus: 1 };
    assert.deepEqual(verdicts(slowLoaded, { ...peer, encodeOnceS: 15 }).slice(0, 4), [
      'end-to-end caption: missed?', 'faster than the HF-style peer: missed?', 'faster than the encode-once peer: met', 'vision tower, 6 frames: met',
    ]);
    assert.deepEqual(verdicts(slowLoaded, { ...peer, encodeOnceS: 15, othersCpus: 1 }).slice(1, 3), [
      'faster than the HF-style peer: missed?', 'faster than the encode-once peer: met?',
    ]);
    assert.equal(checkTargets([config('q8_0', 2, [2400], 1e8)], undefined).find((t) => t.name.includes('HF-style'))!.met, null);
  });
});
