// Synthetic checkpoints with rows long enough for the K-quants, sharded files, dropped and
// tied tensors, progress, abort, NaN warnings and atomic replacement of the output.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { convertCheckpoint, readGgufMetadata, type ConvertProgress } from '../../weights-convert/index.js';
import { tensorValues, worstBlockError } from './gguf-data.js';
import { SMALL_DIMS, safetensorsBytes, syntheticTensorShapes, tempDir, writeSyntheticModel, type TensorSpec } from './helpers.js';

describe('converting synthetic checkpoints', () => {
  let root: Awaited<ReturnType<typeof tempDir>>;
  let small: string;
  before(async () => {
    root = await tempDir();
    small = join(root.path, 'small');
    await writeSyntheticModel(small, SMALL_DIMS);
  });
  after(() => root.remove());

  it('stores matmul weights as K-quants within their bounds, over several chunks of rows', async () => {
    // 16400 x 256 = 4.2M elements: more than one 4M-element chunk for token_embd and output.
    const dir = join(root.path, 'wide');
    const values = await writeSyntheticModel(dir, { ...SMALL_DIMS, vocab: 16400 });
    for (const type of ['q4_K', 'q5_K', 'q6_K'] as const) {
      const out = join(root.path, `wide-${type}.gguf`);
      const result = await convertCheckpoint(dir, out, { type });
      assert.deepEqual(result.warnings, []);
      const meta = await readGgufMetadata(out);
      const byName = new Map(meta.tensors.map((t) => [t.name, t]));
      const pairs: [string, string][] = [
        ['token_embd.weight', 'git.embeddings.word_embeddings.weight'],
        ['output.weight', 'output.weight'],
        ['blk.0.ffn_down.weight', 'git.encoder.layer.0.output.dense.weight'],
        ['v.blk.0.attn_q.weight', 'git.image_encoder.vision_model.encoder.layers.0.self_attn.q_proj.weight'],
        ['mm.proj.weight', 'git.visual_projection.visual_projection.0.weight'],
      ];
      for (const [gguf, hf] of pairs) {
        const t = byName.get(gguf)!;
        assert.equal(t.typeName, type, gguf);
        const ratio = worstBlockError(type, values.get(hf)!, await tensorValues(out, t));
        assert.ok(ratio <= 1, `${type} ${gguf}: ${ratio.toFixed(3)} of the bound`);
      }
      assert.equal(byName.get('v.patch_embd.weight')!.typeName, 'f16');
      assert.equal(byName.get('pos_embd.weight')!.typeName, 'f32');
    }
  });

  it('gives the LM head and the token embeddings their own types when asked', async () => {
    const out = join(root.path, 'override.gguf');
    const result = await convertCheckpoint(small, out, { type: 'q4_0', outputType: 'q6_K', tokenEmbdType: 'f16' });
    const types = new Map((await readGgufMetadata(out)).tensors.map((t) => [t.name, t.typeName]));
    assert.deepEqual([types.get('output.weight'), types.get('token_embd.weight'), types.get('blk.0.attn_q.weight'), types.get('output.bias')], ['q6_K', 'f16', 'q4_0', 'f32']);
    assert.equal(result.fileType, 'q4_0');
    const meta = await readGgufMetadata(out);
    assert.equal(meta.kv.get('general.file_type')!.value, 2);
  });

  it('reads a sharded checkpoint into the same GGUF as a single file', async () => {
    const single = join(root.path, 'single.gguf');
    await convertCheckpoint(small, single, { type: 'q8_0' });
    const dir = join(root.path, 'sharded');
    let shards: TensorSpec[][] = [];
    await writeSyntheticModel(dir, SMALL_DIMS, (tensors) => {
      shards = [tensors.slice(0, 20), tensors.slice(20)];
      return [];
    });
    const weightMap: Record<string, string> = {};
    for (const [i, shard] of shards.entries()) {
      const file = `model-0000${i + 1}-of-00002.safetensors`;
      await writeFile(join(dir, file), safetensorsBytes(shard));
      for (const t of shard) weightMap[t.name] = file;
    }
    await writeFile(join(dir, 'model.safetensors.index.json'), JSON.stringify({ metadata: {}, weight_map: weightMap }));
    const sharded = join(root.path, 'sharded.gguf');
    await convertCheckpoint(dir, sharded, { type: 'q8_0', name: 'small' });
    assert.ok((await readFile(sharded)).equals(await readFile(single)));
  });

  it('skips position_ids and the unused CLIP projection, and ties an omitted LM head to the embeddings', async () => {
    const dir = join(root.path, 'tied');
    const values = await writeSyntheticModel(dir, SMALL_DIMS, (tensors) => [
      ...tensors.filter((t) => t.name !== 'output.weight'),
      { name: 'git.embeddings.position_ids', dtype: 'I64', shape: [1, 64], data: new Uint8Array(512) },
      { name: 'git.image_encoder.vision_model.embeddings.position_ids', dtype: 'I64', shape: [1, 5], data: new Uint8Array(40) },
      { name: 'git.image_encoder.visual_projection.weight', dtype: 'F32', shape: [2, 2], data: new Uint8Array(16) },
    ]);
    const config = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8'));
    await writeFile(join(dir, 'config.json'), JSON.stringify({ ...config, tie_word_embeddings: true }));
    const out = join(root.path, 'tied.gguf');
    await convertCheckpoint(dir, out, { type: 'f32' });
    const meta = await readGgufMetadata(out);
    assert.equal(meta.tensors.length, syntheticTensorShapes(SMALL_DIMS).length);
    assert.ok(!meta.tensors.some((t) => t.name.includes('position_ids') || t.name.includes('visual_projection')));
    const head = await tensorValues(out, meta.tensors.find((t) => t.name === 'output.weight')!);
    assert.deepEqual(head, values.get('git.embeddings.word_embeddings.weight'));
  });

  it('reports progress up to every tensor and byte, in order', async () => {
    const events: ConvertProgress[] = [];
    const out = join(root.path, 'progress.gguf');
    const result = await convertCheckpoint(small, out, { type: 'f16', onProgress: (p) => events.push(p) });
    const last = events[events.length - 1]!;
    assert.deepEqual(last, { tensorsDone: result.tensors, tensorsTotal: result.tensors, bytesDone: last.bytesTotal, bytesTotal: last.bytesTotal });
    const file = await readFile(join(small, 'model.safetensors'));
    assert.equal(last.bytesTotal, file.length - 8 - Number(file.readBigUInt64LE(0)));
    for (let i = 1; i < events.length; i++) {
      assert.ok(events[i]!.bytesDone >= events[i - 1]!.bytesDone && events[i]!.tensorsDone >= events[i - 1]!.tensorsDone);
    }
    assert.deepEqual(new Set(events.filter((e) => e.name).map((e) => e.name)).size, result.tensors);
  });

  it('stops with E_ABORTED when the signal fires, leaving no file behind', async () => {
    const out = join(root.path, 'aborted', 'model.gguf');
    await mkdir(join(root.path, 'aborted'));
    const controller = new AbortController();
    await assert.rejects(
      convertCheckpoint(small, out, {
        type: 'q8_0',
        signal: controller.signal,
        onProgress: (p) => p.tensorsDone === 3 && controller.abort(),
      }),
      { code: 'E_ABORTED', name: 'AbortError', message: 'The operation was aborted' },
    );
    assert.deepEqual((await readdir(join(root.path, 'aborted'))).filter((f) => f.includes('gguf')), []);
    await assert.rejects(convertCheckpoint(small, out, { signal: AbortSignal.abort() }), { code: 'E_ABORTED' });
  });

  it('warns about NaN and infinite weights and still converts them', async () => {
    const dir = join(root.path, 'nan');
    await writeSyntheticModel(dir, SMALL_DIMS, (tensors) => tensors.map((t) => {
      if (t.name !== 'git.encoder.layer.0.intermediate.dense.weight') return t;
      const v = new Float32Array(t.data.slice().buffer);
      v[5] = NaN;
      v[700] = -Infinity;
      return { ...t, data: new Uint8Array(v.buffer) };
    }));
    for (const type of ['f16', 'q8_0', 'q4_K'] as const) {
      const logged: string[] = [];
      const result = await convertCheckpoint(dir, join(root.path, `nan-${type}.gguf`), { type, log: (m) => logged.push(m) });
      const stored = type === 'f16' ? '' : `; stored as 0 in ${type}`;
      const warning = `${join(dir, 'model.safetensors')}: tensor git.encoder.layer.0.intermediate.dense.weight has 2 NaN or infinite values${stored}`;
      assert.deepEqual(result.warnings, [warning]);
      assert.deepEqual(logged, [warning]);
    }
  });

  it('logs each tensor that falls back to another type, with the reason', async () => {
    const result = await convertCheckpoint(join(root.path, 'small'), join(root.path, 'narrow.gguf'), { type: 'q4_K', tokenEmbdType: 'q8_0' });
    assert.deepEqual(result.warnings, []);
    const dir = join(root.path, 'narrow');
    await writeSyntheticModel(dir, { ...SMALL_DIMS, ffn: 544, vFfn: 512 });
    const narrow = await convertCheckpoint(dir, join(root.path, 'narrow2.gguf'), { type: 'q4_K' });
    assert.deepEqual(narrow.warnings, [
      'blk.0.ffn_down.weight: rows of 544 are not a multiple of 256 as q4_K needs; stored as q5_0',
    ]);
  });

  it('replaces an existing output file only when the new one is complete', async () => {
    const out = join(root.path, 'replace.gguf');
    await writeFile(out, 'old');
    await assert.rejects(convertCheckpoint(join(root.path, 'missing'), out, { type: 'f32' }), { code: 'E_NOT_FOUND' });
    assert.equal(await readFile(out, 'utf8'), 'old');
    await convertCheckpoint(small, out, { type: 'f32' });
    assert.equal((await readFile(out)).toString('latin1', 0, 4), 'GGUF');
    assert.deepEqual((await readdir(root.path)).filter((f) => f.endsWith('.partial')), []);
  });
});
