// Builds PyTorch checkpoint files byte by byte for the tests: pickle opcodes and a minimal zip
// writer (stored or deflated entries), so malicious and broken variants can be made at will.

import { crc32, deflateRawSync } from 'node:zlib';

const utf8 = (s: string) => Buffer.from(s, 'utf8');

/** Pickle opcodes and small encoders for the values a state dict uses. */
export const op = {
  proto: (v: number) => Buffer.from([0x80, v]),
  global: (module: string, name: string) => Buffer.concat([Buffer.from('c'), utf8(`${module}\n${name}\n`)]),
  str: (s: string) => {
    const b = utf8(s);
    const n = Buffer.alloc(5);
    n[0] = 0x58; // BINUNICODE
    n.writeUInt32LE(b.length, 1);
    return Buffer.concat([n, b]);
  },
  int: (v: number) => {
    const b = Buffer.alloc(5);
    b[0] = 0x4a; // BININT
    b.writeInt32LE(v, 1);
    return b;
  },
  tuple: (...items: Buffer[]) => Buffer.concat([Buffer.from('('), ...items, Buffer.from('t')]),
  MARK: Buffer.from('('),
  EMPTY_TUPLE: Buffer.from(')'),
  EMPTY_DICT: Buffer.from('}'),
  REDUCE: Buffer.from('R'),
  BUILD: Buffer.from('b'),
  SETITEMS: Buffer.from('u'),
  BINPERSID: Buffer.from('Q'),
  NEWFALSE: Buffer.from([0x89]),
  STOP: Buffer.from('.'),
  binput: (i: number) => Buffer.from([0x71, i]),
  binget: (i: number) => Buffer.from([0x68, i]),
};

export interface PickledTensor {
  name: string;
  storageType?: string; // torch.<X>Storage, default FloatStorage
  key: string;
  numel: number;
  offset?: number;
  shape: number[];
  stride?: number[];
}

function contiguousStride(shape: number[]): number[] {
  const stride = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) stride[i] = stride[i + 1]! * shape[i + 1]!;
  return stride;
}

/** One `_rebuild_tensor_v2(...)` call, as torch.save writes it. */
export function tensorPickle(t: PickledTensor): Buffer {
  const persid = Buffer.concat([
    op.tuple(op.str('storage'), op.global('torch', t.storageType ?? 'FloatStorage'), op.str(t.key), op.str('cpu'), op.int(t.numel)),
    op.BINPERSID,
  ]);
  return Buffer.concat([
    op.global('torch._utils', '_rebuild_tensor_v2'),
    op.tuple(
      persid,
      op.int(t.offset ?? 0),
      op.tuple(...t.shape.map(op.int)),
      op.tuple(...(t.stride ?? contiguousStride(t.shape)).map(op.int)),
      op.NEWFALSE,
      op.global('collections', 'OrderedDict'), op.EMPTY_TUPLE, op.REDUCE,
    ),
    op.REDUCE,
  ]);
}

/** A whole state-dict pickle: OrderedDict of the given tensors, with its _metadata BUILD. */
export function stateDictPickle(tensors: PickledTensor[]): Buffer {
  return Buffer.concat([
    op.proto(2),
    op.global('collections', 'OrderedDict'), op.EMPTY_TUPLE, op.REDUCE,
    op.MARK, ...tensors.flatMap((t) => [op.str(t.name), tensorPickle(t)]), op.SETITEMS,
    op.EMPTY_DICT, op.BUILD,
    op.STOP,
  ]);
}

export interface ZipEntry {
  name: string;
  data: Uint8Array;
  deflate?: boolean;
}

/** A zip archive (no zip64), entries stored or deflated. */
export function zipBytes(entries: ZipEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = utf8(e.name);
    const body = e.deflate ? deflateRawSync(e.data) : Buffer.from(e.data);
    const crc = crc32(e.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(e.deflate ? 8 : 0, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(e.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(e.deflate ? 8 : 0, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(e.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, body);
    centrals.push(central, name);
    offset += 30 + name.length + body.length;
  }
  const dir = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(dir.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, dir, end]);
}

/** A torch.save zip: archive/data.pkl, archive/data/<key> per storage, archive/version. */
export function torchZip(pickle: Uint8Array, storages: Record<string, Uint8Array>, opts: { deflate?: boolean; byteorder?: string } = {}): Buffer {
  const entries: ZipEntry[] = [{ name: 'archive/data.pkl', data: pickle }];
  if (opts.byteorder) entries.push({ name: 'archive/byteorder', data: utf8(opts.byteorder) });
  for (const [key, data] of Object.entries(storages)) entries.push({ name: `archive/data/${key}`, data, deflate: opts.deflate });
  entries.push({ name: 'archive/version', data: utf8('3\n') });
  return zipBytes(entries);
}
