import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GgufType, type GgufKv } from '../../weights-convert/gguf-format.js';
import { readGgufMetadata } from '../../weights-convert/gguf-reader.js';
import { serializeGgufHeader } from '../../weights-convert/gguf-writer.js';
import { tempDir } from './helpers.js';

const KVS: GgufKv[] = [
  { key: 'general.architecture', type: GgufType.STRING, value: 'git' },
  { key: 'u8', type: GgufType.UINT8, value: 255 },
  { key: 'i8', type: GgufType.INT8, value: -128 },
  { key: 'u16', type: GgufType.UINT16, value: 65535 },
  { key: 'i16', type: GgufType.INT16, value: -32768 },
  { key: 'u32', type: GgufType.UINT32, value: 4294967295 },
  { key: 'i32', type: GgufType.INT32, value: -2147483648 },
  { key: 'f32', type: GgufType.FLOAT32, value: Math.fround(1e-12) },
  { key: 'f64', type: GgufType.FLOAT64, value: 0.00392156862745098 },
  { key: 'u64', type: GgufType.UINT64, value: 2n ** 64n - 1n },
  { key: 'i64', type: GgufType.INT64, value: -(2n ** 63n) },
  { key: 'bool', type: GgufType.BOOL, value: true },
  { key: 'unicode ключ', type: GgufType.STRING, value: 'σας 中文 \u{1F600}' },
  { key: 'floats', type: GgufType.ARRAY, itemType: GgufType.FLOAT32, value: [0.5, -0.25, 3] },
  { key: 'strings', type: GgufType.ARRAY, itemType: GgufType.STRING, value: ['[PAD]', '', '##s'] },
  { key: 'empty', type: GgufType.ARRAY, itemType: GgufType.UINT32, value: [] },
];

describe('GGUF header', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  before(async () => (dir = await tempDir()));
  after(() => dir.remove());

  it('reads back every value type, tensor info and the aligned data offset', async () => {
    const tensors = [
      { name: 'a', ne: [32, 3], ggmlType: 8, offset: 0 },
      { name: 'b.weight', ne: [5], ggmlType: 0, offset: 128 },
    ];
    const header = serializeGgufHeader(KVS, tensors);
    assert.equal(header.length % 32, 0);
    const file = join(dir.path, 'h.gguf');
    await writeFile(file, Buffer.concat([header, Buffer.alloc(128 + 20)]));
    const m = await readGgufMetadata(file);
    assert.equal(m.version, 3);
    assert.equal(m.alignment, 32);
    assert.equal(m.dataOffset, header.length);
    assert.deepEqual([...m.kv.values()], KVS);
    assert.deepEqual(m.tensors, [
      { name: 'a', ne: [32, 3], ggmlType: 8, typeName: 'q8_0', fileOffset: header.length, byteSize: 102 },
      { name: 'b.weight', ne: [5], ggmlType: 0, typeName: 'f32', fileOffset: header.length + 128, byteSize: 20 },
    ]);
  });

  it('starts with the magic, version 3 and the counts', async () => {
    const header = serializeGgufHeader(KVS.slice(0, 2), []);
    assert.equal(header.toString('latin1', 0, 4), 'GGUF');
    assert.equal(header.readUInt32LE(4), 3);
    assert.equal(header.readBigUInt64LE(8), 0n);
    assert.equal(header.readBigUInt64LE(16), 2n);
  });

  it('rejects a file that is not GGUF, a truncated header and data beyond the end', async () => {
    const header = serializeGgufHeader(KVS, [{ name: 't', ne: [64], ggmlType: 0, offset: 0 }]);
    const cases: [string, Buffer, string][] = [
      ['magic.gguf', Buffer.from('GGML0000'), 'not a GGUF file (bad magic)'],
      ['cut.gguf', header.subarray(0, 100), 'file ends inside the GGUF header'],
      ['short-data.gguf', Buffer.concat([header, Buffer.alloc(255)]), 'tensor t reaches past the end of the file'],
    ];
    for (const [name, bytes, problem] of cases) {
      const file = join(dir.path, name);
      await writeFile(file, bytes);
      await assert.rejects(readGgufMetadata(file), { code: 'E_MODEL_FORMAT', message: `${file}: ${problem}` });
    }
    const v4 = Buffer.from(header);
    v4.writeUInt32LE(4, 4);
    const file = join(dir.path, 'v4.gguf');
    await writeFile(file, v4);
    await assert.rejects(readGgufMetadata(file), { code: 'E_UNSUPPORTED', message: `${file}: GGUF version 4 is not supported` });
  });
});
