// Shared by the converter tests: temp folders, a minimal independent safetensors reader and
// writer, and synthetic GIT checkpoints of any size.

import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const FIXTURES = join(import.meta.dirname, '..', 'fixtures');
export const TINY_VATEX = join(FIXTURES, 'tiny-vatex');
export const TINY_IMAGE = join(FIXTURES, 'tiny-image');

export async function tempDir(): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'gitcap-convert-'));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

export interface RawTensor {
  dtype: string;
  shape: number[];
  bytes: Uint8Array;
}

/** Tensors of a safetensors file, parsed with no code shared with the converter. */
export async function readSafetensorsRaw(file: string): Promise<Map<string, RawTensor>> {
  const buf = await readFile(file);
  const n = Number(buf.readBigUInt64LE(0));
  const header = JSON.parse(buf.toString('utf8', 8, 8 + n)) as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  const out = new Map<string, RawTensor>();
  for (const [name, e] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const [a, b] = e.data_offsets;
    out.set(name, { dtype: e.dtype, shape: e.shape, bytes: new Uint8Array(buf.subarray(8 + n + a, 8 + n + b)) });
  }
  return out;
}

export interface TensorSpec {
  name: string;
  dtype: string;
  shape: number[];
  data: Uint8Array;
}

/** A safetensors file; `header` replaces the JSON header text when given (for corrupt files). */
export function safetensorsBytes(tensors: TensorSpec[], header?: string): Buffer {
  const entries: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  let offset = 0;
  for (const t of tensors) {
    entries[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + t.data.length] };
    offset += t.data.length;
  }
  const json = Buffer.from(header ?? JSON.stringify(entries), 'utf8');
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([length, json, ...tensors.map((t) => Buffer.from(t.data.buffer, t.data.byteOffset, t.data.length))]);
}

/** Deterministic pseudo-random normal floats (Box-Muller over a 32-bit LCG). */
export function randomNormal(n: number, seed: number, scale = 0.05): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  const next = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) + 1) / 4294967297;
  for (let i = 0; i < n; i++) out[i] = Math.sqrt(-2 * Math.log(next())) * Math.cos(2 * Math.PI * next()) * scale;
  return out;
}

export interface SyntheticDims {
  vocab: number;
  hidden: number;
  ffn: number;
  layers: number;
  heads: number;
  maxPositions: number;
  vHidden: number;
  vFfn: number;
  vLayers: number;
  vHeads: number;
  imageSize: number;
  patchSize: number;
  frames: number;
}

export const SMALL_DIMS: SyntheticDims = {
  vocab: 512, hidden: 256, ffn: 512, layers: 1, heads: 4, maxPositions: 64,
  vHidden: 256, vFfn: 512, vLayers: 1, vHeads: 4, imageSize: 32, patchSize: 16, frames: 2,
};

/** Hugging Face names and shapes of every weight of a GIT model with these dimensions. */
export function syntheticTensorShapes(d: SyntheticDims): [string, number[]][] {
  const out: [string, number[]][] = [];
  const lin = (n: string, o: number, i: number) => out.push([`${n}.weight`, [o, i]], [`${n}.bias`, [o]]);
  const ln = (n: string, c: number) => out.push([`${n}.weight`, [c]], [`${n}.bias`, [c]]);
  const vm = 'git.image_encoder.vision_model';
  const side = Math.floor(d.imageSize / d.patchSize);
  out.push([`${vm}.embeddings.patch_embedding.weight`, [d.vHidden, 3, d.patchSize, d.patchSize]]);
  out.push([`${vm}.embeddings.class_embedding`, [d.vHidden]]);
  out.push([`${vm}.embeddings.position_embedding.weight`, [side * side + 1, d.vHidden]]);
  ln(`${vm}.pre_layrnorm`, d.vHidden);
  for (let l = 0; l < d.vLayers; l++) {
    const p = `${vm}.encoder.layers.${l}`;
    ln(`${p}.layer_norm1`, d.vHidden);
    for (const x of ['q_proj', 'k_proj', 'v_proj', 'out_proj']) lin(`${p}.self_attn.${x}`, d.vHidden, d.vHidden);
    ln(`${p}.layer_norm2`, d.vHidden);
    lin(`${p}.mlp.fc1`, d.vFfn, d.vHidden);
    lin(`${p}.mlp.fc2`, d.vHidden, d.vFfn);
  }
  ln(`${vm}.post_layernorm`, d.vHidden);
  for (let f = 0; f < d.frames; f++) out.push([`git.img_temperal_embedding.${f}`, [1, 1, d.vHidden]]);
  lin('git.visual_projection.visual_projection.0', d.hidden, d.vHidden);
  ln('git.visual_projection.visual_projection.1', d.hidden);
  out.push(['git.embeddings.word_embeddings.weight', [d.vocab, d.hidden]]);
  out.push(['git.embeddings.position_embeddings.weight', [d.maxPositions, d.hidden]]);
  ln('git.embeddings.LayerNorm', d.hidden);
  for (let l = 0; l < d.layers; l++) {
    const p = `git.encoder.layer.${l}`;
    for (const x of ['query', 'key', 'value']) lin(`${p}.attention.self.${x}`, d.hidden, d.hidden);
    lin(`${p}.attention.output.dense`, d.hidden, d.hidden);
    ln(`${p}.attention.output.LayerNorm`, d.hidden);
    lin(`${p}.intermediate.dense`, d.ffn, d.hidden);
    lin(`${p}.output.dense`, d.hidden, d.ffn);
    ln(`${p}.output.LayerNorm`, d.hidden);
  }
  lin('output', d.vocab, d.hidden);
  return out;
}

export function syntheticConfig(d: SyntheticDims): Record<string, unknown> {
  return {
    model_type: 'git',
    vocab_size: d.vocab, hidden_size: d.hidden, intermediate_size: d.ffn, num_hidden_layers: d.layers,
    num_attention_heads: d.heads, max_position_embeddings: d.maxPositions,
    num_image_with_embedding: d.frames === 0 ? null : d.frames,
    bos_token_id: 1, eos_token_id: 2, pad_token_id: 0,
    vision_config: {
      hidden_size: d.vHidden, intermediate_size: d.vFfn, num_hidden_layers: d.vLayers,
      num_attention_heads: d.vHeads, image_size: d.imageSize, patch_size: d.patchSize,
    },
  };
}

/** Vocabulary of `n` tokens with the BERT special tokens at 0 and 3-5. */
export function syntheticVocab(n: number): string {
  const tokens = ['[PAD]', '[unused1]', '[unused2]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];
  for (let i = tokens.length; i < n; i++) tokens.push(`tok${i}`);
  return tokens.slice(0, n).join('\n') + '\n';
}

/**
 * Writes a complete Hugging Face GIT folder with random weights (F32) and returns the
 * source tensors by name. `edit` may change the tensor list before it is written.
 */
export async function writeSyntheticModel(
  dir: string,
  d: SyntheticDims,
  edit: (tensors: TensorSpec[]) => TensorSpec[] = (t) => t,
): Promise<Map<string, Float32Array>> {
  await mkdir(dir, { recursive: true });
  const values = new Map<string, Float32Array>();
  const specs: TensorSpec[] = syntheticTensorShapes(d).map(([name, shape], i) => {
    const v = randomNormal(shape.reduce((a, b) => a * b, 1), 1000 + i);
    values.set(name, v);
    return { name, dtype: 'F32', shape, data: new Uint8Array(v.buffer) };
  });
  await writeFile(join(dir, 'model.safetensors'), safetensorsBytes(edit(specs)));
  await writeFile(join(dir, 'config.json'), JSON.stringify(syntheticConfig(d)));
  await writeFile(join(dir, 'vocab.txt'), syntheticVocab(d.vocab));
  // tiny-vatex's preprocessing, cropping to this model's image size
  const pp = JSON.parse(await readFile(join(TINY_VATEX, 'preprocessor_config.json'), 'utf8')) as Record<string, unknown>;
  pp.size = { shortest_edge: d.imageSize };
  pp.crop_size = { height: d.imageSize, width: d.imageSize };
  await writeFile(join(dir, 'preprocessor_config.json'), JSON.stringify(pp));
  await copyFile(join(TINY_VATEX, 'tokenizer_config.json'), join(dir, 'tokenizer_config.json'));
  return values;
}

/** Copies a fixture folder's non-weight files into `dir`. */
export async function copyModelFiles(from: string, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const f of ['config.json', 'preprocessor_config.json', 'generation_config.json', 'tokenizer_config.json', 'special_tokens_map.json', 'vocab.txt']) {
    await copyFile(join(from, f), join(dir, f));
  }
}
