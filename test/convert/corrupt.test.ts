// Broken and malicious checkpoints: each gives its typed error with an exact message, and no
// output (not even a partial file) is left behind.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { convertCheckpoint, WEIGHTS_FILES, type ConvertOptions } from '../../weights-convert/index.js';
import { copyModelFiles, safetensorsBytes, tempDir, TINY_VATEX, type TensorSpec } from './helpers.js';
import { op, stateDictPickle, torchZip, zipBytes } from './torch-files.js';

const f32 = (...v: number[]) => new Uint8Array(Float32Array.from(v).buffer);
const tensor = (name: string, shape: number[], data = f32(...new Array(shape.reduce((a, b) => a * b, 1)).fill(0.5))): TensorSpec =>
  ({ name, dtype: 'F32', shape, data });

/** The fixture's own tensors, for cases that change one thing about a valid checkpoint. */
async function fixtureTensors(): Promise<TensorSpec[]> {
  const buf = await readFile(join(TINY_VATEX, 'model.safetensors'));
  const n = Number(buf.readBigUInt64LE(0));
  const header = JSON.parse(buf.toString('utf8', 8, 8 + n)) as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  return Object.entries(header)
    .filter(([name]) => name !== '__metadata__')
    .map(([name, e]) => ({ name, dtype: e.dtype, shape: e.shape, data: buf.subarray(8 + n + e.data_offsets[0], 8 + n + e.data_offsets[1]) }));
}

interface Case {
  name: string;
  /** writes the broken input into `dir` (which already holds tiny-vatex's non-weight files) */
  setup: (dir: string) => Promise<ConvertOptions | void>;
  code: string;
  message: (dir: string) => string;
}

const ST = 'model.safetensors';
const BIN = 'pytorch_model.bin';

const CASES: Case[] = [
  // --- safetensors structure
  {
    name: 'safetensors shorter than its length field',
    setup: (d) => writeFile(join(d, ST), Buffer.from([1, 2, 3, 4, 5])),
    code: 'E_MODEL_FORMAT',
    message: (d) => `${join(d, ST)}: file is too short for a safetensors header (5 bytes)`,
  },
  {
    name: 'safetensors header length beyond the file',
    setup: async (d) => {
      const b = safetensorsBytes([tensor('a', [2])]);
      b.writeBigUInt64LE(1000000n, 0);
      await writeFile(join(d, ST), b);
    },
    code: 'E_MODEL_FORMAT',
    message: (d) => `${join(d, ST)}: header length 1000000 is beyond the end of the file (${safetensorsBytes([tensor('a', [2])]).length} bytes)`,
  },
  {
    name: 'safetensors header that is not JSON',
    setup: (d) => writeFile(join(d, ST), safetensorsBytes([], '{"a": [1, 2')),
    code: 'E_MODEL_FORMAT',
    message: (d) => `${join(d, ST)}: header is not valid JSON`,
  },
  {
    name: 'safetensors header that is a JSON array',
    setup: (d) => writeFile(join(d, ST), safetensorsBytes([], '[1, 2]')),
    code: 'E_MODEL_FORMAT',
    message: (d) => `${join(d, ST)}: header is not a JSON object`,
  },
  {
    name: 'safetensors truncated inside the data',
    setup: async (d) => {
      const b = safetensorsBytes([tensor('a', [4]), tensor('b', [4])]);
      await writeFile(join(d, ST), b.subarray(0, b.length - 6));
    },
    code: 'E_MODEL_FORMAT',
    message: (d) => `${join(d, ST)}: tensor b: data_offsets [16, 32] are beyond the end of the data (26 bytes)`,
  },
  {
    name: 'safetensors with overlapping tensors',
    setup: (d) => writeFile(join(d, ST), safetensorsBytes([tensor('a', [4])],
      JSON.stringify({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }))),
    code: 'E_MODEL_FORMAT',
    message: (d) => `${join(d, ST)}: tensors a and b overlap`,
  },
  {
    name: 'safetensors entry whose bytes do not match dtype and shape',
    setup: (d) => writeFile(join(d, ST), safetensorsBytes([tensor('a', [6])],
      JSON.stringify({ a: { dtype: 'F32', shape: [2, 3], data_offsets: [0, 20] } }))),
    code: 'E_MODEL_FORMAT',
    message: (d) => `${join(d, ST)}: tensor a: data_offsets [0, 20] hold 20 bytes but F32 [2, 3] needs 24`,
  },
  {
    name: 'safetensors entry with an unknown dtype',
    setup: (d) => writeFile(join(d, ST), safetensorsBytes([tensor('a', [2])],
      JSON.stringify({ a: { dtype: 'F8_E9', shape: [8], data_offsets: [0, 8] } }))),
    code: 'E_MODEL_FORMAT',
    message: (d) => `${join(d, ST)}: tensor a has unknown dtype F8_E9`,
  },
  {
    name: 'safetensors entry without a shape',
    setup: (d) => writeFile(join(d, ST), safetensorsBytes([tensor('a', [2])],
      JSON.stringify({ a: { dtype: 'F32', data_offsets: [0, 8] } }))),
    code: 'E_MODEL_FORMAT',
    message: (d) => `${join(d, ST)}: tensor a has a malformed header entry`,
  },
  // --- valid files that do not hold this model
  {
    name: 'a tensor missing',
    setup: async (d) => writeFile(join(d, ST), safetensorsBytes((await fixtureTensors()).filter((t) => t.name !== 'git.embeddings.LayerNorm.bias'))),
    code: 'E_MODEL_FORMAT',
    message: (d) => `${join(d, ST)}: tensor git.embeddings.LayerNorm.bias is missing`,
  },
  {
    name: 'an unexpected tensor',
    setup: async (d) => writeFile(join(d, ST), safetensorsBytes([...(await fixtureTensors()), tensor('git.encoder.layer.2.output.dense.bias', [32])])),
    code: 'E_MODEL_FORMAT',
    message: (d) => `${join(d, ST)}: unexpected tensor git.encoder.layer.2.output.dense.bias (not part of a GIT model with this config.json)`,
  },
  {
    name: 'a tensor whose shape disagrees with config.json',
    setup: async (d) => {
      await writeFile(join(d, ST), safetensorsBytes(await fixtureTensors()));
      const config = JSON.parse(await readFile(join(d, 'config.json'), 'utf8'));
      await writeFile(join(d, 'config.json'), JSON.stringify({ ...config, max_position_embeddings: 512 }));
    },
    code: 'E_MODEL_FORMAT',
    message: (d) => `${join(d, ST)}: tensor git.embeddings.position_embeddings.weight has shape [1024, 32] but config.json implies [512, 32]`,
  },
  {
    name: 'a weight stored as F64',
    setup: async (d) => writeFile(join(d, ST), safetensorsBytes((await fixtureTensors()).map((t) =>
      t.name === 'output.bias' ? { ...t, dtype: 'F64', shape: [30522 / 2] } : t))),
    code: 'E_UNSUPPORTED',
    message: (d) => `${join(d, ST)}: tensor output.bias has dtype F64; only F32, F16 and BF16 weights are supported`,
  },
  // --- folder contents
  {
    name: 'no config.json',
    setup: (d) => rm(join(d, 'config.json')),
    code: 'E_NOT_FOUND',
    message: (d) => `${join(d, 'config.json')}: file not found`,
  },
  {
    name: 'config.json that is not JSON',
    setup: (d) => writeFile(join(d, 'config.json'), '{"model_type": "git",'),
    code: 'E_MODEL_FORMAT',
    message: (d) => `${join(d, 'config.json')}: not valid JSON`,
  },
  {
    name: 'another model type',
    setup: (d) => writeFile(join(d, 'config.json'), JSON.stringify({ model_type: 'bert' })),
    code: 'E_UNSUPPORTED',
    message: (d) => `${join(d, 'config.json')}: model_type "bert" is not supported (expected "git")`,
  },
  {
    name: 'no preprocessor_config.json',
    setup: (d) => rm(join(d, 'preprocessor_config.json')),
    code: 'E_NOT_FOUND',
    message: (d) => `${join(d, 'preprocessor_config.json')}: file not found`,
  },
  {
    name: 'a vocabulary of the wrong size',
    setup: (d) => writeFile(join(d, 'vocab.txt'), '[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\n'),
    code: 'E_MODEL_FORMAT',
    message: (d) => `${d}: the tokenizer has 5 tokens but config.json has vocab_size 30522`,
  },
  {
    name: 'no weights at all',
    setup: async () => undefined,
    code: 'E_NOT_FOUND',
    message: (d) => `${d}: no weights found (looked for ${WEIGHTS_FILES.join(', ')})`,
  },
  {
    name: 'a named weights file that does not exist',
    setup: async () => ({ weightsFile: 'model-f16.safetensors' }),
    code: 'E_NOT_FOUND',
    message: (d) => `${join(d, 'model-f16.safetensors')}: file not found`,
  },
  // --- PyTorch files
  {
    name: 'legacy (pre-zip) PyTorch file',
    setup: (d) => writeFile(join(d, BIN), Buffer.concat([op.proto(2), Buffer.from([0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19])])),
    code: 'E_UNSUPPORTED',
    message: (d) => `${join(d, BIN)}: legacy (non-zip) PyTorch format; re-save it with torch.save from PyTorch 1.6 or later, or convert it to safetensors`,
  },
  {
    name: 'a .bin that is neither zip nor pickle',
    setup: (d) => writeFile(join(d, BIN), 'version https://git-lfs.github.com/spec/v1\n'),
    code: 'E_MODEL_FORMAT',
    message: (d) => `${join(d, BIN)}: not a PyTorch checkpoint (neither a zip archive nor a pickle)`,
  },
  {
    name: 'a zip whose central directory was cut off',
    setup: async (d) => {
      const z = torchZip(stateDictPickle([{ name: 'a', key: '0', numel: 2, shape: [2] }]), { '0': f32(1, 2) });
      await writeFile(join(d, BIN), z.subarray(0, z.length - 30));
    },
    code: 'E_MODEL_FORMAT',
    message: (d) => `${join(d, BIN)}: not a valid zip archive (no end of central directory record; the file is truncated or not a zip)`,
  },
  {
    name: 'a zip without data.pkl',
    setup: (d) => writeFile(join(d, BIN), zipBytes([{ name: 'archive/data/0', data: f32(1) }])),
    code: 'E_MODEL_FORMAT',
    message: (d) => `${join(d, BIN)}: zip archive has 0 data.pkl entries, expected 1`,
  },
  {
    name: 'a pickle that calls os.system',
    setup: (d) => writeFile(join(d, BIN), torchZip(
      Buffer.concat([op.proto(2), op.global('os', 'system'), op.tuple(op.str('touch /tmp/pwned')), op.REDUCE, op.STOP]), {})),
    code: 'E_MODEL_FORMAT',
    message: (d) => `${join(d, BIN)}: archive/data.pkl: pickle refers to os.system; only tensors, storages and OrderedDict are allowed in a state dict`,
  },
  {
    name: 'a pickle that builds an object with INST',
    setup: (d) => writeFile(join(d, BIN), torchZip(Buffer.concat([op.proto(2), op.MARK, Buffer.from('isubprocess\nPopen\n'), op.STOP]), {})),
    code: 'E_MODEL_FORMAT',
    message: (d) => `${join(d, BIN)}: archive/data.pkl: pickle opcode 0x69 at byte 3 is not allowed in a state dict`,
  },
  {
    name: 'a tensor whose storage is not in the archive',
    setup: (d) => writeFile(join(d, BIN), torchZip(stateDictPickle([{ name: 'a', key: '7', numel: 2, shape: [2] }]), { '0': f32(1, 2) })),
    code: 'E_MODEL_FORMAT',
    message: (d) => `${join(d, BIN)}: tensor a refers to storage data/7, which the archive does not have`,
  },
  {
    name: 'a storage smaller than declared',
    setup: (d) => writeFile(join(d, BIN), torchZip(stateDictPickle([{ name: 'a', key: '0', numel: 6, shape: [6] }]), { '0': f32(1, 2) })),
    code: 'E_MODEL_FORMAT',
    message: (d) => `${join(d, BIN)}: storage data/0 holds 8 bytes but 24 are declared`,
  },
  {
    name: 'a view reaching past its storage',
    setup: (d) => writeFile(join(d, BIN), torchZip(stateDictPickle([{ name: 'a', key: '0', numel: 2, offset: 1, shape: [2] }]), { '0': f32(1, 2) })),
    code: 'E_MODEL_FORMAT',
    message: (d) => `${join(d, BIN)}: tensor a reaches past the end of its storage data/0`,
  },
  {
    name: 'a big-endian archive',
    setup: (d) => writeFile(join(d, BIN), torchZip(stateDictPickle([]), {}, { byteorder: 'big' })),
    code: 'E_UNSUPPORTED',
    message: (d) => `${join(d, BIN)}: byte order "big" is not supported`,
  },
  // --- sharded checkpoints
  {
    name: 'an index naming a file outside the folder',
    setup: (d) => writeFile(join(d, 'model.safetensors.index.json'), JSON.stringify({ weight_map: { a: '../model.safetensors' } })),
    code: 'E_MODEL_FORMAT',
    message: (d) => `${join(d, 'model.safetensors.index.json')}: weight_map entry a does not name a file in the same folder`,
  },
  {
    name: 'an index listing a tensor its shard does not hold',
    setup: async (d) => {
      await writeFile(join(d, 's1.safetensors'), safetensorsBytes([tensor('a', [2])]));
      await writeFile(join(d, 'model.safetensors.index.json'), JSON.stringify({ weight_map: { a: 's1.safetensors', b: 's1.safetensors' } }));
    },
    code: 'E_MODEL_FORMAT',
    message: (d) => `${join(d, 'model.safetensors.index.json')}: tensor b is listed but s1.safetensors does not hold it`,
  },
  {
    name: 'a tensor in two shards',
    setup: async (d) => {
      await writeFile(join(d, 's1.safetensors'), safetensorsBytes([tensor('a', [2])]));
      await writeFile(join(d, 's2.safetensors'), safetensorsBytes([tensor('a', [2])]));
      await writeFile(join(d, 'model.safetensors.index.json'), JSON.stringify({ weight_map: { a: 's1.safetensors', x: 's2.safetensors' } }));
    },
    code: 'E_MODEL_FORMAT',
    message: (d) => `${join(d, 'model.safetensors.index.json')}: tensor a is in both ${join(d, 's1.safetensors')} and ${join(d, 's2.safetensors')}`,
  },
  // --- options
  {
    name: 'an unknown output type',
    setup: async () => ({ type: 'q3_K' as never }),
    code: 'E_INVALID_ARG',
    message: () => 'Expected one of f32, f16, q4_0, q4_1, q5_0, q5_1, q8_0, q4_K, q5_K, q6_K for type but received "q3_K"',
  },
];

describe('corrupt and malicious checkpoints', () => {
  let root: Awaited<ReturnType<typeof tempDir>>;
  before(async () => (root = await tempDir()));
  after(() => root.remove());

  it(`has at least 20 cases (${CASES.length})`, () => assert.ok(CASES.length >= 20));

  for (const [i, c] of CASES.entries()) {
    it(c.name, async () => {
      const dir = join(root.path, `case-${i}`);
      await copyModelFiles(TINY_VATEX, dir);
      const opts = (await c.setup(dir)) ?? {};
      const outDir = join(root.path, `out-${i}`);
      await copyModelFiles(TINY_VATEX, outDir); // any folder that exists
      const out = join(outDir, 'model.gguf');
      await assert.rejects(convertCheckpoint(dir, out, { type: 'f16', ...opts }), { code: c.code, message: c.message(dir) });
      const left = (await readdir(outDir)).filter((f) => f.includes('gguf'));
      assert.deepEqual(left, [], 'no output or partial file is left');
    });
  }
});
