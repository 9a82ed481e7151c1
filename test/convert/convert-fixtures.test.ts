// Every fixture checkpoint (F32/F16/BF16 safetensors, PyTorch zip) to every output type.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { convertCheckpoint, QUANT_TYPES, readGgufMetadata, type QuantType } from '../../weights-convert/index.js';
import { bfloat16ToFloat32, float32ToHalf, halfToFloat32 } from '../../weights-convert/half.js';
import { tensorBytes, tensorValues, worstBlockError } from './gguf-data.js';
import { readSafetensorsRaw, tempDir, TINY_IMAGE, TINY_VATEX, type RawTensor } from './helpers.js';

const HF_NAME: [RegExp, string][] = [
  [/^v\.patch_embd\.weight$/, 'git.image_encoder.vision_model.embeddings.patch_embedding.weight'],
  [/^v\.class_embd$/, 'git.image_encoder.vision_model.embeddings.class_embedding'],
  [/^v\.pos_embd\.weight$/, 'git.image_encoder.vision_model.embeddings.position_embedding.weight'],
  [/^v\.pre_ln\.(\w+)$/, 'git.image_encoder.vision_model.pre_layrnorm.$1'],
  [/^v\.post_ln\.(\w+)$/, 'git.image_encoder.vision_model.post_layernorm.$1'],
  [/^v\.blk\.(\d+)\.ln1\.(\w+)$/, 'git.image_encoder.vision_model.encoder.layers.$1.layer_norm1.$2'],
  [/^v\.blk\.(\d+)\.ln2\.(\w+)$/, 'git.image_encoder.vision_model.encoder.layers.$1.layer_norm2.$2'],
  [/^v\.blk\.(\d+)\.attn_q\.(\w+)$/, 'git.image_encoder.vision_model.encoder.layers.$1.self_attn.q_proj.$2'],
  [/^v\.blk\.(\d+)\.attn_k\.(\w+)$/, 'git.image_encoder.vision_model.encoder.layers.$1.self_attn.k_proj.$2'],
  [/^v\.blk\.(\d+)\.attn_v\.(\w+)$/, 'git.image_encoder.vision_model.encoder.layers.$1.self_attn.v_proj.$2'],
  [/^v\.blk\.(\d+)\.attn_out\.(\w+)$/, 'git.image_encoder.vision_model.encoder.layers.$1.self_attn.out_proj.$2'],
  [/^v\.blk\.(\d+)\.ffn_up\.(\w+)$/, 'git.image_encoder.vision_model.encoder.layers.$1.mlp.fc1.$2'],
  [/^v\.blk\.(\d+)\.ffn_down\.(\w+)$/, 'git.image_encoder.vision_model.encoder.layers.$1.mlp.fc2.$2'],
  [/^v\.temporal_embd\.(\d+)$/, 'git.img_temperal_embedding.$1'],
  [/^mm\.proj\.(\w+)$/, 'git.visual_projection.visual_projection.0.$1'],
  [/^mm\.norm\.(\w+)$/, 'git.visual_projection.visual_projection.1.$1'],
  [/^token_embd\.weight$/, 'git.embeddings.word_embeddings.weight'],
  [/^pos_embd\.weight$/, 'git.embeddings.position_embeddings.weight'],
  [/^token_embd_norm\.(\w+)$/, 'git.embeddings.LayerNorm.$1'],
  [/^blk\.(\d+)\.attn_q\.(\w+)$/, 'git.encoder.layer.$1.attention.self.query.$2'],
  [/^blk\.(\d+)\.attn_k\.(\w+)$/, 'git.encoder.layer.$1.attention.self.key.$2'],
  [/^blk\.(\d+)\.attn_v\.(\w+)$/, 'git.encoder.layer.$1.attention.self.value.$2'],
  [/^blk\.(\d+)\.attn_out\.(\w+)$/, 'git.encoder.layer.$1.attention.output.dense.$2'],
  [/^blk\.(\d+)\.attn_out_norm\.(\w+)$/, 'git.encoder.layer.$1.attention.output.LayerNorm.$2'],
  [/^blk\.(\d+)\.ffn_up\.(\w+)$/, 'git.encoder.layer.$1.intermediate.dense.$2'],
  [/^blk\.(\d+)\.ffn_down\.(\w+)$/, 'git.encoder.layer.$1.output.dense.$2'],
  [/^blk\.(\d+)\.ffn_out_norm\.(\w+)$/, 'git.encoder.layer.$1.output.LayerNorm.$2'],
  [/^output\.(\w+)$/, 'output.$1'],
];

function hfName(gguf: string): string {
  for (const [re, hf] of HF_NAME) if (re.test(gguf)) return gguf.replace(re, hf);
  throw new Error(`no HF name for ${gguf}`);
}

/** What the README promises: F32 for small tensors, F16 at most for the conv, else the type with its fallback. */
function expectedType(name: string, nPerRow: number, type: QuantType): string {
  const isMatrix = /(attn_[qkvo]\w*|ffn_up|ffn_down|mm\.proj|token_embd|output)\.weight$/.test(name) && !name.includes('norm');
  if (name === 'v.patch_embd.weight') return type === 'f32' ? 'f32' : 'f16';
  if (!isMatrix) return 'f32';
  const fallback: Record<string, QuantType> = { q4_K: 'q5_0', q5_K: 'q5_1', q6_K: 'q8_0' };
  let t = type;
  if (t.endsWith('_K') && nPerRow % 256 !== 0) t = fallback[t]!;
  if (t.startsWith('q') && nPerRow % 32 !== 0) t = 'f16';
  return t;
}

function asFloat32(t: RawTensor): Float32Array {
  const n = t.shape.reduce((a, b) => a * b, 1);
  if (t.dtype === 'F32') return new Float32Array(t.bytes.buffer.slice(t.bytes.byteOffset, t.bytes.byteOffset + t.bytes.length));
  const out = new Float32Array(n);
  const bits = new Uint16Array(t.bytes.buffer.slice(t.bytes.byteOffset, t.bytes.byteOffset + t.bytes.length));
  (t.dtype === 'F16' ? halfToFloat32 : bfloat16ToFloat32)(bits, out);
  return out;
}

const SOURCES: [string, string, string][] = [
  ['tiny-vatex F32', TINY_VATEX, 'model.safetensors'],
  ['tiny-vatex F16', TINY_VATEX, 'model-f16.safetensors'],
  ['tiny-image F32', TINY_IMAGE, 'model.safetensors'],
  ['tiny-image BF16', TINY_IMAGE, 'model-bf16.safetensors'],
];

describe('converting the fixture checkpoints', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  before(async () => (dir = await tempDir()));
  after(() => dir.remove());

  for (const [label, modelDir, weights] of SOURCES) {
    it(`${label}: every type, each tensor exact (f32), round-to-nearest-even (f16) or within its block bound`, async () => {
      const source = await readSafetensorsRaw(join(modelDir, weights));
      const worst: Record<string, number> = {};
      for (const type of QUANT_TYPES) {
        const out = join(dir.path, `${label.replace(' ', '-')}-${type}.gguf`);
        const result = await convertCheckpoint(modelDir, out, { type, weightsFile: weights });
        const meta = await readGgufMetadata(out);
        assert.equal(result.tensors, meta.tensors.length);
        assert.equal(result.bytes, (await readFile(out)).length);
        const used = new Set<string>();
        for (const t of meta.tensors) {
          const hf = hfName(t.name);
          used.add(hf);
          const src = source.get(hf)!;
          assert.deepEqual([...t.ne].reverse(), src.shape, t.name);
          assert.equal(t.typeName, expectedType(t.name, t.ne[0]!, type), `${type} ${t.name}`);
          const want = asFloat32(src);
          if (t.typeName === 'f32') {
            assert.ok(Buffer.from(await tensorBytes(out, t)).equals(new Uint8Array(want.buffer)), `${type} ${t.name}`);
          } else if (t.typeName === 'f16') {
            const rne = new Uint16Array(want.length);
            float32ToHalf(want, rne);
            assert.ok(Buffer.from(await tensorBytes(out, t)).equals(new Uint8Array(rne.buffer)), `${type} ${t.name}`);
          } else {
            const q = t.typeName as Exclude<QuantType, 'f32' | 'f16'>;
            const ratio = worstBlockError(q, want, await tensorValues(out, t));
            worst[q] = Math.max(worst[q] ?? 0, ratio);
            assert.ok(ratio <= 1, `${type} ${t.name}: error ${ratio.toFixed(3)} of the ${q} bound`);
          }
        }
        assert.deepEqual(used, new Set([...source.keys()]));
      }
      // Every block type that the row sizes allow was exercised.
      assert.deepEqual(Object.keys(worst).sort(), ['q4_0', 'q4_1', 'q5_0', 'q5_1', 'q8_0']);
    });
  }

  for (const [label, modelDir] of [['tiny-vatex', TINY_VATEX], ['tiny-image', TINY_IMAGE]] as const) {
    it(`${label}: pytorch_model.bin gives byte-identical GGUFs to model.safetensors`, async () => {
      for (const type of QUANT_TYPES) {
        const a = join(dir.path, `${label}-st-${type}.gguf`);
        const b = join(dir.path, `${label}-bin-${type}.gguf`);
        await convertCheckpoint(modelDir, a, { type, weightsFile: 'model.safetensors' });
        await convertCheckpoint(modelDir, b, { type, weightsFile: 'pytorch_model.bin' });
        assert.ok((await readFile(a)).equals(await readFile(b)), `${label} ${type}`);
      }
    });
  }
});
