// `gitcap info <model>`: what a loaded model is, as rows for people and as plain JSON.
import type { ModelInfo } from '../model.js';
import { formatBytes } from '../terminal/progress-bar.js';

/** ModelInfo with its Float32Arrays as arrays, so JSON.stringify writes them as lists. */
export function modelInfoJson(m: ModelInfo): unknown {
  return { ...m, preprocessing: { ...m.preprocessing, mean: Array.from(m.preprocessing.mean), std: Array.from(m.preprocessing.std) } };
}

export function formatModelInfo(m: ModelInfo): string {
  const p = m.preprocessing;
  const t = m.text;
  const v = m.vision;
  const frames = m.kind === 'video' ? `video, ${v.numFrames} frames` : 'image';
  const list = (a: Float32Array) => Array.from(a, (x) => Number(x.toPrecision(6))).join(' ');
  const rows: [string, string][] = [
    ['model', m.path],
    ['name', m.name],
    ['kind', `${frames}, ${m.imageTokens} image tokens`],
    ['weights', `${m.quantization}, ${formatBytes(m.memory.weightsBytes)} on ${m.backend} (file ${formatBytes(m.memory.fileBytes)}), matmul ${m.matmulKernel}`],
    ['vision', `${v.layers} layers, hidden ${v.hiddenSize}, ${v.heads} heads, image ${v.imageSize}, patch ${v.patchSize}`],
    ['text', `${t.layers} layers, hidden ${t.hiddenSize}, ${t.heads} heads, ffn ${t.intermediateSize}, vocabulary ${t.vocabSize}, ${t.maxPositions} positions`],
    ['tokens', `bos ${m.special.bos}, eos ${m.special.eos}, pad ${m.special.pad}; max length ${m.maxLength}`],
    [
      'preprocess',
      `${p.processor}, ${p.resample}, shortest edge ${p.shortestEdge}, crop ${p.cropWidth}x${p.cropHeight}, mean ${list(p.mean)}, std ${list(p.std)}`,
    ],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, value]) => `${k.padEnd(width)}  ${value}\n`).join('');
}
