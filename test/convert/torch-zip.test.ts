import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { unpickleStateDict } from '../../weights-convert/pickle.js';
import { openTorchZip } from '../../weights-convert/torch-zip.js';
import { readSafetensorsRaw, tempDir, TINY_IMAGE, TINY_VATEX } from './helpers.js';
import { op, stateDictPickle, torchZip } from './torch-files.js';

const floats = (...v: number[]) => new Uint8Array(Float32Array.from(v).buffer);

async function readAll(file: string): Promise<Map<string, { dtype: string; shape: number[]; bytes: Uint8Array }>> {
  const { tensors, close } = await openTorchZip(file);
  const out = new Map<string, { dtype: string; shape: number[]; bytes: Uint8Array }>();
  try {
    for (const t of tensors) {
      const n = t.shape.reduce((a, b) => a * b, 1);
      const bytes = new Uint8Array(n * (t.dtype === 'F32' ? 4 : 2));
      await t.read(0, n, bytes);
      out.set(t.name, { dtype: t.dtype, shape: t.shape, bytes });
    }
  } finally {
    await close();
  }
  return out;
}

describe('restricted unpickler', () => {
  it('rebuilds tensor views from a state-dict pickle', () => {
    const pkl = stateDictPickle([
      { name: 'a', key: '0', numel: 6, shape: [2, 3] },
      { name: 'b', storageType: 'HalfStorage', key: '1', numel: 8, offset: 2, shape: [3], stride: [2] },
    ]);
    const refs = unpickleStateDict(pkl, 'x.pkl');
    assert.deepEqual([...refs], [
      ['a', { kind: 'tensor', storage: { kind: 'storage', key: '0', dtype: 'F32', numel: 6 }, storageOffset: 0, shape: [2, 3], stride: [3, 1] }],
      ['b', { kind: 'tensor', storage: { kind: 'storage', key: '1', dtype: 'F16', numel: 8 }, storageOffset: 2, shape: [3], stride: [2] }],
    ]);
  });

  it('refuses every global but tensor reconstruction, before anything is called', () => {
    const cases: [Buffer, string][] = [
      [Buffer.concat([op.proto(2), op.global('os', 'system'), op.tuple(op.str('echo hi')), op.REDUCE, op.STOP]), 'os.system'],
      [Buffer.concat([op.proto(2), op.global('posix', 'system'), op.STOP]), 'posix.system'],
      [Buffer.concat([op.proto(2), op.global('builtins', 'eval'), op.STOP]), 'builtins.eval'],
      [Buffer.concat([op.proto(2), op.global('torch', 'load'), op.STOP]), 'torch.load'],
      [Buffer.concat([op.proto(4), op.str('subprocess'), op.str('Popen'), Buffer.from([0x93]), op.STOP]), 'subprocess.Popen'],
    ];
    for (const [pkl, what] of cases) {
      assert.throws(() => unpickleStateDict(pkl, 'x.pkl'), {
        code: 'E_MODEL_FORMAT',
        message: `x.pkl: pickle refers to ${what}; only tensors, storages and OrderedDict are allowed in a state dict`,
      });
    }
  });

  it('refuses opcodes that build or call arbitrary objects', () => {
    const inst = Buffer.concat([op.proto(2), op.MARK, Buffer.from('ios\nsystem\n'), op.STOP]);
    assert.throws(() => unpickleStateDict(inst, 'x.pkl'), { code: 'E_MODEL_FORMAT', message: 'x.pkl: pickle opcode 0x69 at byte 3 is not allowed in a state dict' });
    const persid = Buffer.concat([op.proto(2), Buffer.from('Pfoo\n'), op.STOP]);
    assert.throws(() => unpickleStateDict(persid, 'x.pkl'), { code: 'E_MODEL_FORMAT', message: 'x.pkl: pickle opcode 0x50 at byte 2 is not allowed in a state dict' });
    const callTuple = Buffer.concat([op.proto(2), op.EMPTY_TUPLE, op.EMPTY_TUPLE, op.REDUCE, op.STOP]);
    assert.throws(() => unpickleStateDict(callTuple, 'x.pkl'), { code: 'E_MODEL_FORMAT', message: 'x.pkl: pickle calls something that is not allowed' });
  });

  it('names malformed pickles', () => {
    const cases: [Buffer, string][] = [
      [stateDictPickle([{ name: 'a', key: '0', numel: 6, shape: [2, 3] }]).subarray(0, 40), 'pickle ends unexpectedly'],
      [Buffer.concat([op.proto(2), op.binget(7), op.STOP]), 'pickle refers to memo entry 7 that was never stored'],
      [Buffer.concat([op.proto(2), op.str('x'), op.STOP]), 'pickle does not hold a dict of tensors'],
      [Buffer.concat([op.proto(2), op.EMPTY_DICT, op.str('k'), op.int(3), Buffer.from('s'), op.STOP]), 'state dict entry k is not a tensor'],
      [Buffer.concat([op.proto(2), op.tuple(op.str('module'), op.str('x')), op.BINPERSID, op.STOP]), 'pickle has a persistent id that is not a storage record'],
      [stateDictPickle([{ name: 'a', key: '0', numel: 6, shape: [2, 3], stride: [1] }]), 'pickle rebuilds a tensor whose size and stride differ in length'],
      [stateDictPickle([{ name: 'a', key: '../x', numel: 6, shape: [6] }]), 'pickle has a malformed storage record'],
      [Buffer.concat([op.proto(2), op.REDUCE]), 'pickle pops from an empty stack'],
      [op.proto(9), 'pickle protocol 9 is not supported'],
    ];
    for (const [pkl, problem] of cases) {
      assert.throws(() => unpickleStateDict(pkl, 'x.pkl'), { code: 'E_MODEL_FORMAT', message: `x.pkl: ${problem}` });
    }
  });
});

describe('PyTorch zip checkpoints', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  before(async () => (dir = await tempDir()));
  after(() => dir.remove());

  it('holds exactly the tensors of the safetensors copy (tiny-vatex, tiny-image)', async () => {
    for (const fixture of [TINY_VATEX, TINY_IMAGE]) {
      const bin = await readAll(join(fixture, 'pytorch_model.bin'));
      const st = await readSafetensorsRaw(join(fixture, 'model.safetensors'));
      assert.deepEqual([...bin.keys()].sort(), [...st.keys()].sort());
      for (const [name, t] of st) assert.deepEqual(bin.get(name), t, name);
    }
  });

  it('reads shared storages, offsets, strided views and deflated entries', async () => {
    const pkl = stateDictPickle([
      { name: 'whole', key: '0', numel: 6, shape: [2, 3] },
      { name: 'tail', key: '0', numel: 6, offset: 3, shape: [3] },
      { name: 'transposed', key: '0', numel: 6, shape: [3, 2], stride: [1, 3] },
      { name: 'half', storageType: 'HalfStorage', key: '1', numel: 2, shape: [2] },
    ]);
    const storages = { '0': floats(1, 2, 3, 4, 5, 6), '1': new Uint8Array(Uint16Array.from([0x3c00, 0xc000]).buffer) };
    for (const deflate of [false, true]) {
      const file = join(dir.path, `views-${deflate}.bin`);
      await writeFile(file, torchZip(pkl, storages, { deflate, byteorder: 'little' }));
      const t = await readAll(file);
      assert.deepEqual(t.get('whole')!.bytes, floats(1, 2, 3, 4, 5, 6));
      assert.deepEqual(t.get('tail')!.bytes, floats(4, 5, 6));
      assert.deepEqual(t.get('transposed')!.bytes, floats(1, 4, 2, 5, 3, 6));
      assert.deepEqual(t.get('half'), { dtype: 'F16', shape: [2], bytes: storages['1'] });
    }
  });
});
