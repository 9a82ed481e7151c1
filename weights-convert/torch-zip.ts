// PyTorch checkpoint reader (the zip format of torch.save since PyTorch 1.6).
// zip-archive.ts lists the archive; data.pkl goes through the restricted unpickler; tensor data is
// read from the stored entries by file offset, so nothing but the tensor being converted is in memory.

import type { FileHandle } from 'node:fs/promises';
import { GitcapError } from '../core/errors.js';
import { printable } from '../core/printable.js';
import { openForReading } from './files.js';
import { unpickleStateDict, type TensorRef } from './pickle.js';
import { DTYPE_SIZE, elementCount, readExactly, type SourceTensor } from './tensor-source.js';
import { openZipArchive, type ZipArchive, type ZipEntry } from './zip-archive.js';

const MAX_PICKLE_BYTES = 64 * 1024 * 1024;
/** Compressed storages and strided views are read whole; torch.save writes neither, so cap them. */
const MAX_WHOLE_READ_BYTES = 2 ** 31;

function formatError(file: string, problem: string): GitcapError {
  return new GitcapError('E_MODEL_FORMAT', `${file}: ${problem}`);
}

async function checkSignature(file: string, fh: FileHandle, size: number): Promise<void> {
  const head = new Uint8Array(Math.min(4, size));
  await readExactly(fh, file, head, head.length, 0);
  if (head.length === 4 && head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04) return;
  if (head[0] === 0x80) {
    throw new GitcapError(
      'E_UNSUPPORTED',
      `${file}: legacy (non-zip) PyTorch format; re-save it with torch.save from PyTorch 1.6 or later, or convert it to safetensors`,
    );
  }
  throw formatError(file, 'not a PyTorch checkpoint (neither a zip archive nor a pickle)');
}

function isContiguous(t: TensorRef): boolean {
  let expected = 1;
  for (let i = t.shape.length - 1; i >= 0; i--) {
    if (t.shape[i]! !== 1 && t.stride[i]! !== expected) return false;
    expected *= t.shape[i]!;
  }
  return true;
}

/** One past the largest storage element index the view touches (its storage offset if empty). */
function storageExtent(t: TensorRef): number {
  if (elementCount(t.shape) === 0) return t.storageOffset;
  return t.shape.reduce((end, n, i) => end + (n - 1) * t.stride[i]!, t.storageOffset + 1);
}

/** Copies the elements [start, start+count) of a strided view out of `span` (which starts at storage element `base`). */
function gather(t: TensorRef, span: Uint8Array, base: number, elemSize: number, start: number, count: number, into: Uint8Array): void {
  const index = new Array<number>(t.shape.length).fill(0);
  let rest = start;
  for (let d = t.shape.length - 1; d >= 0; d--) {
    index[d] = rest % t.shape[d]!;
    rest = Math.floor(rest / t.shape[d]!);
  }
  for (let i = 0; i < count; i++) {
    let element = t.storageOffset - base;
    for (let d = 0; d < index.length; d++) element += index[d]! * t.stride[d]!;
    into.set(span.subarray(element * elemSize, (element + 1) * elemSize), i * elemSize);
    for (let d = index.length - 1; d >= 0; d--) {
      if (++index[d]! < t.shape[d]!) break;
      index[d] = 0;
    }
  }
}

export async function openTorchZip(file: string): Promise<{ tensors: SourceTensor[]; close: () => Promise<void> }> {
  const { fh, size } = await openForReading(file);
  try {
    await checkSignature(file, fh, size);
    const zip = await openZipArchive(file, fh, size);
    const { entries } = zip;
    const pickles = [...entries.keys()].filter((name) => name === 'data.pkl' || name.endsWith('/data.pkl'));
    if (pickles.length !== 1) throw formatError(file, `zip archive has ${pickles.length} data.pkl entries, expected 1`);
    const prefix = pickles[0]!.slice(0, -'data.pkl'.length);
    const byteorder = entries.get(`${prefix}byteorder`);
    if (byteorder) {
      const order = new TextDecoder().decode(await zip.readWhole(byteorder, 64)).trim();
      if (order !== 'little') throw new GitcapError('E_UNSUPPORTED', `${file}: byte order "${printable(order)}" is not supported`);
    }
    const pklEntry = entries.get(pickles[0]!)!;
    if (pklEntry.uncompressedSize > MAX_PICKLE_BYTES) {
      throw formatError(file, `data.pkl is ${pklEntry.uncompressedSize} bytes, more than the limit of ${MAX_PICKLE_BYTES}`);
    }
    const refs = unpickleStateDict(await zip.readWhole(pklEntry, MAX_PICKLE_BYTES), `${file}: ${printable(pickles[0]!)}`);
    const storage = makeStorageReader(file, fh, zip, prefix);
    const tensors: SourceTensor[] = [];
    for (const [name, ref] of refs) tensors.push(makeTensor(file, name, ref, storage));
    return { tensors, close: () => fh.close() };
  } catch (err) {
    await fh.close();
    throw err;
  }
}

interface StorageReader {
  entryFor(key: string): ZipEntry | undefined;
  /** Reads `length` bytes at byte `offset` of storage `key`. */
  read(key: string, offset: number, length: number, into: Uint8Array): Promise<void>;
}

function makeStorageReader(file: string, fh: FileHandle, zip: ZipArchive, prefix: string): StorageReader {
  let inflated: { key: string; bytes: Uint8Array } | undefined; // the last compressed storage, whole
  const entryFor = (key: string) => zip.entries.get(`${prefix}data/${key}`);
  return {
    entryFor,
    async read(key, offset, length, into) {
      const entry = entryFor(key)!;
      if (entry.method === 0 && !entry.encrypted) {
        await readExactly(fh, file, into, length, (await zip.dataStart(entry)) + offset);
        return;
      }
      if (entry.uncompressedSize > MAX_WHOLE_READ_BYTES) {
        throw new GitcapError('E_UNSUPPORTED', `${file}: ${printable(entry.name)} is compressed and larger than ${MAX_WHOLE_READ_BYTES} bytes; re-save the checkpoint with torch.save`);
      }
      if (inflated?.key !== key) inflated = { key, bytes: await zip.readWhole(entry, MAX_WHOLE_READ_BYTES) };
      into.set(inflated.bytes.subarray(offset, offset + length));
    },
  };
}

function makeTensor(file: string, name: string, ref: TensorRef, storage: StorageReader): SourceTensor {
  const { key, dtype, numel } = ref.storage;
  const elemSize = DTYPE_SIZE[dtype]!;
  const entry = storage.entryFor(key);
  if (!entry) throw formatError(file, `tensor ${printable(name)} refers to storage data/${key}, which the archive does not have`);
  if (entry.uncompressedSize < numel * elemSize) {
    throw formatError(file, `storage data/${key} holds ${entry.uncompressedSize} bytes but ${numel * elemSize} are declared`);
  }
  const extent = storageExtent(ref);
  if (extent > numel) throw formatError(file, `tensor ${printable(name)} reaches past the end of its storage data/${key}`);
  const contiguous = isContiguous(ref);
  let span: Uint8Array | undefined; // a strided view's whole storage range, read once
  return {
    name,
    dtype,
    shape: ref.shape,
    file,
    read: async (start, count, into) => {
      if (contiguous) {
        await storage.read(key, (ref.storageOffset + start) * elemSize, count * elemSize, into);
        return;
      }
      if (!span) {
        const spanBytes = (extent - ref.storageOffset) * elemSize;
        if (spanBytes > MAX_WHOLE_READ_BYTES) {
          throw new GitcapError('E_UNSUPPORTED', `${file}: tensor ${printable(name)} is a strided view spanning more than ${MAX_WHOLE_READ_BYTES} bytes; save it contiguous`);
        }
        span = new Uint8Array(spanBytes);
        await storage.read(key, ref.storageOffset * elemSize, span.length, span);
      }
      gather(ref, span, ref.storageOffset, elemSize, start, count, into);
      if (start + count === elementCount(ref.shape)) span = undefined;
    },
  };
}
