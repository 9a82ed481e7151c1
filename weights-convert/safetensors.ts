// safetensors reader: validates the header against the file, then reads tensors by offset.
// Layout: u64 little-endian header length N, N bytes of JSON, then the data block.

import type { FileHandle } from 'node:fs/promises';
import { GitcapError } from '../core/errors.js';
import { printable } from '../core/printable.js';
import { openForReading } from './files.js';
import { DTYPE_SIZE, elementCount, formatShape, readExactly, type SourceTensor } from './tensor-source.js';

const MAX_HEADER_BYTES = 100 * 1024 * 1024;

interface RawEntry {
  dtype: string;
  shape: number[];
  begin: number;
  end: number;
}

function formatError(file: string, problem: string): GitcapError {
  return new GitcapError('E_MODEL_FORMAT', `${file}: ${problem}`);
}

function isNonNegativeInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function parseEntry(file: string, name: string, value: unknown): RawEntry {
  const bad = () => formatError(file, `tensor ${printable(name)} has a malformed header entry`);
  if (typeof value !== 'object' || value === null) throw bad();
  const { dtype, shape, data_offsets: offsets } = value as Record<string, unknown>;
  if (typeof dtype !== 'string' || !Array.isArray(shape) || !shape.every(isNonNegativeInt)) throw bad();
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isNonNegativeInt)) throw bad();
  const [begin, end] = offsets as [number, number];
  if (!Object.hasOwn(DTYPE_SIZE, dtype)) throw formatError(file, `tensor ${printable(name)} has unknown dtype ${printable(dtype)}`);
  if (end < begin) throw formatError(file, `tensor ${printable(name)} has data_offsets [${begin}, ${end}] that end before they begin`);
  const needed = elementCount(shape) * DTYPE_SIZE[dtype]!;
  if (end - begin !== needed) {
    throw formatError(
      file,
      `tensor ${printable(name)}: data_offsets [${begin}, ${end}] hold ${end - begin} bytes but ${dtype} ${formatShape(shape)} needs ${needed}`,
    );
  }
  return { dtype, shape, begin, end };
}

async function readHeader(file: string, fh: FileHandle, size: number): Promise<{ json: unknown; dataStart: number }> {
  if (size < 8) throw formatError(file, `file is too short for a safetensors header (${size} bytes)`);
  const lengthBytes = new Uint8Array(8);
  await readExactly(fh, file, lengthBytes, 8, 0);
  const headerLength = Buffer.from(lengthBytes).readBigUInt64LE(0);
  if (headerLength > BigInt(size - 8)) {
    throw formatError(file, `header length ${headerLength} is beyond the end of the file (${size} bytes)`);
  }
  if (headerLength > BigInt(MAX_HEADER_BYTES)) {
    throw formatError(file, `header length ${headerLength} exceeds the limit of ${MAX_HEADER_BYTES} bytes`);
  }
  const n = Number(headerLength);
  const headerBytes = new Uint8Array(n);
  await readExactly(fh, file, headerBytes, n, 8);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(headerBytes));
  } catch {
    throw formatError(file, 'header is not valid JSON');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw formatError(file, 'header is not a JSON object');
  }
  return { json, dataStart: 8 + n };
}

function checkLayout(file: string, entries: Map<string, RawEntry>, dataSize: number): void {
  const sorted = [...entries].sort((a, b) => a[1].begin - b[1].begin || a[1].end - b[1].end);
  let previous: [string, RawEntry] | undefined;
  for (const entry of sorted) {
    const [name, { begin, end }] = entry;
    if (end > dataSize) {
      throw formatError(file, `tensor ${printable(name)}: data_offsets [${begin}, ${end}] are beyond the end of the data (${dataSize} bytes)`);
    }
    if (previous && begin < previous[1].end && end > begin) {
      throw formatError(file, `tensors ${printable(previous[0])} and ${printable(name)} overlap`);
    }
    if (end > begin) previous = entry;
  }
}

/** Opens one safetensors file; the caller closes the returned handle. */
export async function openSafetensors(file: string): Promise<{ tensors: SourceTensor[]; close: () => Promise<void> }> {
  const { fh, size } = await openForReading(file);
  try {
    const { json, dataStart } = await readHeader(file, fh, size);
    const entries = new Map<string, RawEntry>();
    for (const [name, value] of Object.entries(json as Record<string, unknown>)) {
      if (name === '__metadata__') continue;
      entries.set(name, parseEntry(file, name, value));
    }
    checkLayout(file, entries, size - dataStart);
    const tensors = [...entries].map(([name, e]): SourceTensor => {
      const elemSize = DTYPE_SIZE[e.dtype]!;
      return {
        name,
        dtype: e.dtype,
        shape: e.shape,
        file,
        read: (start, count, into) => readExactly(fh, file, into, count * elemSize, dataStart + e.begin + start * elemSize),
      };
    });
    return { tensors, close: () => fh.close() };
  } catch (err) {
    await fh.close();
    throw err;
  }
}
