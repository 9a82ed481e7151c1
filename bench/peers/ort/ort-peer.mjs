// The ONNX Runtime peer (onnxruntime-node, a devDependency): GIT (git-base-vatex layout) encode-once
// greedy captioning from the graphs of export_onnx.py / quantize_int8.py.
//
//   node bench/peers/ort/ort-peer.mjs --dir <onnx dir> --suffix _int8 --threads 2 --runs 3 --tokens 20 [--verify]
//
// Loads vision.onnx, prefix.onnx, step.onnx (or *_int8.onnx with --suffix _int8), one warm-up caption,
// then `runs` timed captions of `tokens` new tokens (eos id 102 suppressed), from the preprocessed
// pixel values exported by export_onnx.py (ORT has no image decoder; preprocessing is not timed here).
// --merged uses decoder<suffix>.onnx (prefix and step in one graph) instead of prefix and step.
// Prints one JSON line: medians and every run of vision / prefix / decode / total, per-token ms, load ms,
// peak RSS, others' CPU use (/proc/stat minus this process) during the timed runs, the generated ids.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import path from 'node:path';
import ort from 'onnxruntime-node';

const { values } = parseArgs({
  options: {
    dir: { type: 'string' },
    suffix: { type: 'string', default: '' },
    threads: { type: 'string', default: '2' },
    runs: { type: 'string', default: '3' },
    tokens: { type: 'string', default: '20' },
    verify: { type: 'boolean', default: false },
    'no-arena': { type: 'boolean', default: false },
    merged: { type: 'boolean', default: false },
  },
});
const dir = values.dir;
if (!dir) throw new Error('ort-peer.mjs: --dir <folder of the exported graphs> is required');
const threads = Number(values.threads);
const runs = Number(values.runs);
const nTok = Number(values.tokens);
const NL = 6, H = 12, HD = 64, EOS = 102, BOS = 101;

const USER_HZ = 100;
function busyS() {
  const f = /^cpu\s+(.*)$/m.exec(readFileSync('/proc/stat', 'utf8'))[1].trim().split(/\s+/).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = f;
  return (user + nice + system + irq + softirq + steal) / USER_HZ;
}
function sample() {
  const u = process.cpuUsage();
  return { wall: performance.now(), busy: busyS(), own: (u.user + u.system) / 1e6 };
}
function others(a, b) {
  return Math.max(0, (b.busy - a.busy - (b.own - a.own)) / ((b.wall - a.wall) / 1000));
}
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const n = s.length; return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2; };
function readF32(p) { const b = readFileSync(p); return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4); }

const opts = {
  executionProviders: ['cpu'],
  intraOpNumThreads: threads,
  interOpNumThreads: 1,
  executionMode: 'sequential',
  graphOptimizationLevel: 'all',
  enableCpuMemArena: !values['no-arena'],
  enableMemPattern: true,
};

const baseRss = process.memoryUsage.rss();
const tl = performance.now();
const vision = await ort.InferenceSession.create(path.join(dir, `vision${values.suffix}.onnx`), opts);
const merged = values.merged;
let prefix, step;
if (merged) {
  // one decoder session (decoder*.onnx, merge_decoder.py): an If on use_prefix, weights shared by both branches
  const dec = await ort.InferenceSession.create(path.join(dir, `decoder${values.suffix}.onnx`), opts);
  const T = (on) => new ort.Tensor('bool', new Uint8Array([on ? 1 : 0]), []);
  const e = (d) => new ort.Tensor('float32', new Float32Array(0), d);
  const noImg = e([1, 0, 768]);
  const dummyIds = new ort.Tensor('int64', BigInt64Array.from([0n]), [1, 1]);
  prefix = { run: async ({ image_features }) => {
    const f = { use_prefix: T(true), image_features, input_ids: dummyIds };
    for (let i = 0; i < NL; i++) { f[`img_k${i}`] = e([1, H, HD, 0]); f[`img_v${i}`] = e([1, H, 0, HD]); f[`past_k${i}`] = e([1, H, 0, HD]); f[`past_v${i}`] = e([1, H, 0, HD]); }
    const o = await dec.run(f);
    const r = {};
    for (let i = 0; i < NL; i++) { r[`img_k${i}`] = o[`kv${2 * i}`]; r[`img_v${i}`] = o[`kv${2 * i + 1}`]; }
    return r;
  } };
  const useStep = T(false);
  step = { run: async (feeds) => {
    const o = await dec.run({ ...feeds, use_prefix: useStep, image_features: noImg });
    const r = { logits: o.out0 };
    for (let i = 0; i < NL; i++) { r[`present_k${i}`] = o[`kv${2 * i}`]; r[`present_v${i}`] = o[`kv${2 * i + 1}`]; }
    return r;
  } };
} else {
  prefix = await ort.InferenceSession.create(path.join(dir, `prefix${values.suffix}.onnx`), opts);
  step = await ort.InferenceSession.create(path.join(dir, `step${values.suffix}.onnx`), opts);
}
const loadMs = performance.now() - tl;
const loadRss = process.memoryUsage.rss();

const pixData = readF32(path.join(dir, 'pixel_values.f32'));
const pix = new ort.Tensor('float32', pixData, [6, 3, 224, 224]);
const emptyKV = new ort.Tensor('float32', new Float32Array(0), [1, H, 0, HD]);

async function caption(keepLogits = false) {
  const t0 = performance.now();
  const { image_features } = await vision.run({ pixel_values: pix });
  const t1 = performance.now();
  const imgKV = await prefix.run({ image_features });
  const t2 = performance.now();
  const feeds = {};
  for (let i = 0; i < NL; i++) {
    feeds[`img_k${i}`] = imgKV[`img_k${i}`];
    feeds[`img_v${i}`] = imgKV[`img_v${i}`];
    feeds[`past_k${i}`] = emptyKV;
    feeds[`past_v${i}`] = emptyKV;
  }
  const ids = [BOS];
  const stepLogits = [];
  let last = BOS;
  for (let s = 0; s < nTok; s++) {
    feeds.input_ids = new ort.Tensor('int64', BigInt64Array.from([BigInt(last)]), [1, 1]);
    const out = await step.run(feeds);
    const lg = out.logits.data; // [1,1,V]
    if (keepLogits) stepLogits.push(Float32Array.from(lg));
    let best = -1, bv = -Infinity;
    for (let j = 0; j < lg.length; j++) { if (j !== EOS && lg[j] > bv) { bv = lg[j]; best = j; } }
    last = best;
    ids.push(best);
    for (let i = 0; i < NL; i++) {
      feeds[`past_k${i}`] = out[`present_k${i}`];
      feeds[`past_v${i}`] = out[`present_v${i}`];
    }
  }
  const t3 = performance.now();
  return { ids, stepLogits, imageFeatures: image_features, imgKV, visionMs: t1 - t0, prefixMs: t2 - t1, decodeMs: t3 - t2, totalMs: t3 - t0 };
}

const warm = await caption(values.verify);
const result = { engine: `onnxruntime-node ${ort.env.versions.node}`, graphs: (values.suffix || 'f32') + (merged ? ' merged-decoder' : '') + (values['no-arena'] ? ' no-arena' : ''), threads, tokens: nTok,
  loadMs, baseRssMiB: baseRss / 2 ** 20, afterLoadRssMiB: loadRss / 2 ** 20, warmupMs: warm.totalMs, ids: warm.ids };

if (values.verify) {
  const ref = JSON.parse(readFileSync(path.join(dir, 'ref_ids.json'), 'utf8'));
  const diff = (a, b) => { let m = 0, mb = 0; for (let i = 0; i < a.length; i++) { m = Math.max(m, Math.abs(a[i] - b[i])); mb = Math.max(mb, Math.abs(b[i])); } return { maxAbs: m, maxRel: m / mb }; };
  const rf = readF32(path.join(dir, 'ref_features.f32'));
  result.verify = { features: diff(warm.imageFeatures.data, rf) };
  const rv5 = readF32(path.join(dir, 'ref_img_v5.f32'));
  result.verify.img_v5 = diff(warm.imgKV.img_v5.data, rv5);
  const rl = readF32(path.join(dir, 'ref_step_logits.f32'));
  const V = 30522;
  let worst = { maxAbs: 0, maxRel: 0 }, first = null;
  // ORT's greedy path may diverge from the reference; compare logits only while the ids agree
  let agree = 0;
  for (let s = 0; s < warm.stepLogits.length; s++) {
    if (warm.ids[s] !== ref.ids[s]) break;
    const d = diff(warm.stepLogits[s].map((x, j) => (j === EOS ? 0 : x)), rl.subarray(s * V, (s + 1) * V).map((x, j) => (j === EOS ? 0 : x)));
    if (s === 0) first = d;
    worst = { maxAbs: Math.max(worst.maxAbs, d.maxAbs), maxRel: Math.max(worst.maxRel, d.maxRel) };
    agree = s + 1;
  }
  let same = 0; while (same < ref.ids.length && warm.ids[same] === ref.ids[same]) same++;
  result.verify.logits_step0 = first;
  result.verify.logits_worst_over_agreeing_steps = worst;
  result.verify.steps_compared = agree;
  result.verify.ids_equal_reference = JSON.stringify(warm.ids) === JSON.stringify(ref.ids);
  result.verify.leading_ids_equal = same;
  result.verify.ref_ids = ref.ids;
  result.verify.ref_min_margin = Math.min(...ref.margins);
}

const timed = [];
const c0 = sample();
for (let r = 0; r < runs; r++) {
  const o = await caption(false);
  if (o.ids.length !== nTok + 1) throw new Error('wrong token count');
  timed.push({ visionMs: o.visionMs, prefixMs: o.prefixMs, decodeMs: o.decodeMs, perTokenMs: o.decodeMs / nTok, totalMs: o.totalMs });
}
const c1 = sample();
result.othersCpus = others(c0, c1);
result.runs = timed;
for (const k of ['visionMs', 'prefixMs', 'decodeMs', 'perTokenMs', 'totalMs']) result[`median_${k}`] = median(timed.map((t) => t[k]));
result.peakRssMiB = process.resourceUsage().maxRSS / 1024;
process.stdout.write(`${JSON.stringify(result)}\n`);
